// lookup()/query() on the controller: file, env, template, first_found, vars. Relative paths
// are searched as Ansible does: in each base directory of the search path (the role first,
// then the playbook's directory), under the lookup's subdirectory (files/ or templates/) and
// then directly.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { closest } from '../../diagnostics.js';
import { type Secret } from '../../secret.js';
import { TemplateFault } from './undefined.js';
import { isDict, str, toList, truthy } from './python.js';
import { splitArgs } from './args.js';

/** Key of the per-render state inside a nunjucks context. */
export const RENDER_KEY = '\u0000lvsplay.render';

export interface RenderState {
  searchPath: string[];
  /** The variable scope of the render, for lookup('vars') and lookup('template'). */
  scope: Record<string, unknown>;
  /** Renders a template file with the given scope (lookup('template')). */
  renderFile(path: string, scope: Record<string, unknown>): string | Secret;
  env: NodeJS.ProcessEnv;
}

/** Where `name` is found: absolute as is, else `<base>/<subdir>/<name>` then `<base>/<name>`. */
export function findInSearchPath(
  name: string,
  subdir: 'files' | 'templates' | 'vars' | 'tasks',
  searchPath: readonly string[],
): string | undefined {
  if (isAbsolute(name)) return existsSync(name) ? name : undefined;
  for (const base of searchPath) {
    for (const candidate of [join(base, subdir, name), join(base, name)]) {
      try {
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not here; try the next place
      }
    }
  }
  return undefined;
}

function notFound(what: string, name: string, subdir: string, searchPath: readonly string[]): TemplateFault {
  const where = searchPath.length ? searchPath.map((b) => join(b, subdir)).join(', ') : '(no search path)';
  return new TemplateFault(`${what}: could not find '${name}' (searched ${where})`, `create the file or fix its name`);
}

type Lookup = (state: RenderState, terms: unknown[], kw: Record<string, unknown>) => unknown[];

const LOOKUPS: Record<string, Lookup> = {
  file(state, terms, kw) {
    return terms.map((t) => {
      const path = findInSearchPath(str(t), 'files', state.searchPath);
      if (!path) throw notFound("lookup('file')", str(t), 'files', state.searchPath);
      let text = readFileSync(path, 'utf8');
      if (truthy(kw.rstrip ?? true)) text = text.replace(/\s+$/, '');
      if (truthy(kw.lstrip ?? false)) text = text.replace(/^\s+/, '');
      return text;
    });
  },
  env(state, terms, kw) {
    return terms.map((t) => state.env[str(t)] ?? (kw.default !== undefined ? kw.default : ''));
  },
  template(state, terms, kw) {
    return terms.map((t) => {
      const path = findInSearchPath(str(t), 'templates', state.searchPath);
      if (!path) throw notFound("lookup('template')", str(t), 'templates', state.searchPath);
      const extra = isDict(kw.template_vars) ? kw.template_vars : {};
      const scope = Object.keys(extra).length
        ? new Proxy(state.scope, {
            get: (target, k) => (typeof k === 'string' && k in extra ? extra[k] : Reflect.get(target, k)),
            has: (target, k) => (typeof k === 'string' && k in extra) || Reflect.has(target, k),
          })
        : state.scope;
      return state.renderFile(path, scope);
    });
  },
  first_found(state, terms, kw) {
    const files: string[] = [];
    let paths: string[] = [];
    let skip = truthy(kw.skip ?? false);
    for (const t of terms.flatMap((x) => (Array.isArray(x) ? x : [x]))) {
      if (isDict(t)) {
        files.push(...toList(t.files ?? []).map(str));
        paths = toList(t.paths ?? []).map(str);
        skip = skip || truthy(t.skip ?? false);
      } else
        files.push(
          ...str(t)
            .split(/[,;]/)
            .map((s) => s.trim())
            .filter(Boolean),
        );
    }
    if (kw.files !== undefined) files.push(...toList(kw.files).map(str));
    if (kw.paths !== undefined) paths = toList(kw.paths).map(str);
    for (const f of files) {
      const bases = paths.length ? paths.map((p) => (isAbsolute(p) ? p : join(state.searchPath[0] ?? '.', p))) : [];
      const hit = bases.length
        ? bases.map((b) => join(b, f)).find((p) => existsSync(p))
        : findInSearchPath(f, 'files', state.searchPath);
      if (hit) return [hit];
    }
    if (skip) return [];
    throw new TemplateFault(
      `lookup('first_found'): none of ${files.map((f) => `'${f}'`).join(', ')} was found`,
      'create one of the files, or pass skip=True',
    );
  },
  vars(state, terms, kw) {
    return terms.map((t) => {
      const name = str(t);
      if (name in state.scope) return state.scope[name];
      if (kw.default !== undefined) return kw.default;
      throw new TemplateFault(`lookup('vars'): no variable named '${name}'`, 'define the variable or pass default=...');
    });
  },
};

/** Whether lvsplay has the lookup plugin `name` (so `with_<name>:` can loop over its results). */
export function hasLookup(name: string): boolean {
  return Object.hasOwn(LOOKUPS, name);
}

function runLookup(
  state: RenderState,
  name: unknown,
  raw: unknown[],
): { results: unknown[]; kw: Record<string, unknown> } {
  const plugin = String(name).replace(/^ansible\.builtin\./, '');
  const fn = LOOKUPS[plugin];
  if (!fn) {
    const near = closest(plugin, Object.keys(LOOKUPS));
    throw new TemplateFault(
      `lookup plugin '${plugin}' is not supported`,
      near ? `did you mean '${near}'?` : `lvsplay has ${Object.keys(LOOKUPS).join(', ')}`,
    );
  }
  const { pos, kw } = splitArgs(raw);
  const terms = plugin === 'first_found' ? pos : pos.flatMap((t) => (Array.isArray(t) ? t : [t]));
  try {
    return { results: fn(state, terms, kw), kw };
  } catch (e) {
    if (e instanceof TemplateFault && kw.errors !== undefined && kw.errors !== 'strict') return { results: [], kw };
    throw e;
  }
}

function stateOf(context: unknown): RenderState {
  const s = (context as { ctx?: Record<string, unknown> })?.ctx?.[RENDER_KEY] as RenderState | undefined;
  if (!s) throw new TemplateFault('lookup() used outside a render');
  return s;
}

/** `lookup(name, terms...)`: one value, or the results joined with commas (Ansible's rule). */
export function lookupGlobal(this: unknown, name: unknown, ...raw: unknown[]): unknown {
  const { results, kw } = runLookup(stateOf(this), name, raw);
  if (truthy(kw.wantlist ?? false)) return results;
  if (results.length === 0) return String(name).endsWith('first_found') ? '' : null;
  if (results.length === 1) return results[0];
  return results.map(str).join(',');
}

/** `query(name, terms...)` / `q(...)`: always a list. */
export function queryGlobal(this: unknown, name: unknown, ...raw: unknown[]): unknown[] {
  return runLookup(stateOf(this), name, raw).results;
}
