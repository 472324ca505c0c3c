// The templar: renders task arguments, conditions and template files as Ansible does.
//   render(value, vars, where)      deep: strings inside lists and dicts are rendered
//   renderString / renderFile       text (a Secret when a vault value went into it)
//   evalCondition(expr, vars)       `when:`, `changed_when:`, `failed_when:`, `assert: that:`
//   findUndefined(value, known)     names a template reads that are not known (load-time check)
// Errors are LvsplayErrors whose diagnostic names the YAML file:line of the string (`where`) or
// the template file and line, never a nunjucks stack trace.
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { diag, ExitCode, LvsplayError, type Diagnostic, type SourcePos } from '../diagnostics.js';
import { Secret } from '../secret.js';
import { UnsafeText, VaultText } from '../yaml/load.js';
import type { Vars } from './precedence.js';
import { decryptVaultValue, NO_VAULT_SECRETS, SecretTemplate, secretLeaves, type VaultSecrets } from './vault.js';
import { isLazyScope, lazyScope, needsRendering, overlay } from './lazy.js';
import { compile, environment, parseJinjaHeader, withIncludePath, type LexerOverrides } from './jinja/environment.js';
import { RENDER_KEY, type RenderState } from './jinja/lookups.js';
import { SCOPE_KEY } from './jinja/runtime.js';
import { TemplateFault, Undefined } from './jinja/undefined.js';
import { isDict, outputText, truthy } from './jinja/python.js';
import { literalOrText } from './python-literal.js';
import { taintDeep, trackTaint } from './jinja/taint.js';
import {
  findUndefinedNames,
  checkTemplateText,
  endsInStringFilter,
  isOneOutput,
  templateIncludeDirs,
} from './template-check.js';

export interface TemplarOptions {
  /** Base directories for lookups and includes: the role's directory first, then the playbook's. */
  searchPath?: string[];
  /** Passwords for inline `!vault` values met while rendering. */
  vault?: VaultSecrets;
  /** Environment for lookup('env'); defaults to the controller's. */
  env?: NodeJS.ProcessEnv;
}

/** Where an error points: the YAML place of the string, or the template file. */
interface Origin {
  where?: SourcePos;
  file?: string;
  lineOffset?: number;
  label?: string;
  text: string;
}

const CAPTURE_KEY = '\u0000lvsplay.capture';
const CAPTURE_FN = '__lvsplay_capture';

/** A string that is exactly one `{{ expression }}` keeps the expression's type (Ansible's native result). */
function singleExpression(s: string): string | undefined {
  if (!s.startsWith('{{') || !s.endsWith('}}')) return undefined;
  const inner = s.slice(2, -2).replace(/^-/, '').replace(/-$/, '');
  if (!/\{\{|\}\}|\{%|\{#/.test(inner)) return inner;
  // Braces inside (dict literals) need the parser to tell one expression from several.
  return isOneOutput(s) ? inner : undefined;
}

/**
 * Ansible's SINGLE_VAR: `{{ name }}` alone. When the name is a variable holding a number, a
 * boolean or None, Ansible hands the value over untouched; everything else goes through text.
 */
const SINGLE_VAR = /^\{\{\s*(\w*)\s*\}\}$/;
const JINJA_CONSTANTS = new Set(['true', 'false', 'none', 'True', 'False', 'None']);

function isSingleVariable(s: string): boolean {
  const name = SINGLE_VAR.exec(s)?.[1];
  return name !== undefined && /^[A-Za-z_]/.test(name) && !JINJA_CONSTANTS.has(name);
}

/**
 * Ansible's ansible_eval_concat (jinja2_native off, the default): a template's result becomes
 * text, and text that looks like a list, a dict or a boolean is read back as a Python literal
 * (true/false/null too). So `{{ 1 + 2 }}` gives '3', `{{ [1] }}` a list, `{{ 'True' }}` a boolean,
 * and `x{{ n }}` text. A list or dict is kept as it is: Python's repr of plain data reads back as
 * itself, and a lazy scope (hostvars) must not be rendered whole to be printed. A secret stays a
 * secret.
 */
function evalConcat(value: unknown): unknown {
  if (value instanceof Secret) return value;
  if (typeof value === 'boolean') return value;
  if (isDict(value) || Array.isArray(value)) return value;
  const text = typeof value === 'string' ? value : outputText(value);
  if (text.startsWith('{') || text.startsWith('[') || text === 'True' || text === 'False')
    return literalOrText(text, true);
  return text;
}

function cleanNunjucksMessage(message: string): string {
  return message
    .replace(/^\([^)]*\)(\s*\[Line \d+, Column \d+\])?\s*/s, '')
    .replace(/^(Template render error|Error|TypeError|ReferenceError):\s*/, '')
    .replace(/^\([^)]*\)(\s*\[Line \d+, Column \d+\])?\s*/s, '')
    .split('\n')[0]!
    .trim();
}

function toError(e: unknown, origin: Origin): LvsplayError {
  if (e instanceof LvsplayError) return e;
  let message: string;
  let hint: string | undefined;
  let line: number | undefined;
  let col: number | undefined;
  const cause = (e as { cause?: unknown })?.cause;
  const fault = e instanceof TemplateFault ? e : cause instanceof TemplateFault ? cause : undefined;
  if (fault) {
    message = fault.message;
    hint = fault.hint;
    line = fault.lineno ?? (e as { lineno?: number }).lineno;
    col = fault.colno ?? (e as { colno?: number }).colno;
  } else if (cause instanceof LvsplayError) {
    return cause;
  } else if (e instanceof RangeError || cause instanceof RangeError) {
    // The engine's own limits, reached by a macro that calls itself or a value too large.
    const err = (e instanceof RangeError ? e : cause) as RangeError;
    const deep = /call stack/i.test(err.message);
    message = deep
      ? 'templating went too deep (a macro or a variable that refers to itself?)'
      : 'templating built a value too large for memory';
    hint = deep ? 'give the recursion an end, or write the value out' : 'build a smaller value';
    line = (e as { lineno?: number }).lineno;
    col = (e as { colno?: number }).colno;
  } else {
    const err = e as { message?: string; lineno?: number; colno?: number };
    message = cleanNunjucksMessage(String(err.message ?? e));
    if (/^expected|^unexpected|^unknown block tag|^parse|^invalid|^unterminated/i.test(message)) {
      message = `template syntax error: ${message}`;
      hint = 'fix the Jinja2 syntax';
    }
    line = err.lineno;
    col = err.colno;
  }
  let pos: SourcePos | undefined;
  if (origin.file) {
    pos = { file: origin.file, line: (line ?? 1) + (origin.lineOffset ?? 0), col: col ?? 1 };
  } else {
    pos = origin.where;
    if (origin.text.includes('\n') && line !== undefined) message += ` (line ${line} of the template)`;
  }
  if (origin.label) message += ` (while templating ${origin.label})`;
  return new LvsplayError(diag(message, pos, hint ?? 'fix the template or the variables it reads'), ExitCode.error);
}

export class Templar {
  readonly searchPath: string[];
  readonly #vault: VaultSecrets;
  readonly #env: NodeJS.ProcessEnv;

  constructor(opts: TemplarOptions = {}) {
    this.searchPath = (opts.searchPath ?? []).map((p) => resolve(p));
    this.#vault = opts.vault ?? NO_VAULT_SECRETS;
    this.#env = opts.env ?? process.env;
    const env = environment();
    env.addGlobal(CAPTURE_FN, function (this: { ctx: Record<string, unknown> }, v: unknown) {
      (this.ctx[CAPTURE_KEY] as { value?: unknown }).value = v;
      return '';
    });
  }

  /** The same templar with another search path (per role). */
  withSearchPath(searchPath: string[]): Templar {
    return new Templar({ searchPath, vault: this.#vault, env: this.#env });
  }

  /** Variables as a lazy scope: values are rendered on first read. Pass the result to several calls to share work. */
  templateVars(vars: Vars): Vars {
    return lazyScope(vars, {
      render: (v, scope, where, label) => this.#renderDeep(v, scope, where, label),
      vault: this.#vault,
    });
  }

  render(value: unknown, vars: Vars, where?: SourcePos): unknown {
    if (!needsRendering(value)) return value;
    return this.#renderDeep(value, this.templateVars(vars), where);
  }

  renderString(s: string, vars: Vars, where?: SourcePos): string | Secret {
    if (!needsRendering(s)) return s;
    const scope = this.templateVars(vars);
    return this.#renderText(s, scope, { where, text: s }, false) as string | Secret;
  }

  renderFile(path: string, vars: Vars): string | Secret {
    return this.#renderFileIn(path, this.templateVars(vars));
  }

  evalCondition(expr: unknown, vars: Vars, where?: SourcePos): boolean {
    const scope = this.templateVars(vars);
    const one = (c: unknown): boolean => {
      if (typeof c === 'boolean') return c;
      if (c === null || c === undefined) return false;
      if (typeof c !== 'string') return truthy(c);
      let text = c.trim();
      if (text === '') return true;
      if (/\{\{|\{%/.test(text)) {
        const v = this.#renderText(text, scope, { where, text, label: `condition "${c}"` }, false);
        if (typeof v !== 'string') return truthy(v instanceof Secret ? v.reveal() : v);
        text = v.trim();
        if (/^(True|true)$/.test(text)) return true;
        if (/^(False|false|)$/.test(text)) return false;
      }
      const origin: Origin = { where, text, label: `condition "${c}"` };
      return trackTaint(() =>
        this.#withRender(scope, origin, (ctx) => {
          // Ansible wraps a condition in {% if %} with no {{ }}, so its backslashes are not
          // doubled: Jinja's escapes apply ('a\nb' is three characters)
          compile(`{{ ${CAPTURE_FN}((${text})) }}`, 'condition', undefined, false).render(ctx);
          return truthy((ctx[CAPTURE_KEY] as { value?: unknown }).value);
        }),
      ).value;
    };
    return Array.isArray(expr) ? expr.every(one) : one(expr);
  }

  /** The values of a vault-encrypted variables file, as secrets (see secretLeaves). */
  secretVars<T>(value: T): T {
    return secretLeaves(value, this.#vault);
  }

  /** Names read by the templates in `value` that are neither in `known` nor provided by lvsplay. */
  findUndefined(value: unknown, known: Iterable<string>): string[] {
    return findUndefinedNames(value, new Set(known));
  }

  /** Syntax errors, unknown filters/tests and test-as-filter uses in `value`, as diagnostics. */
  checkTemplates(value: unknown, where?: SourcePos): Diagnostic[] {
    return checkTemplateText(value, where);
  }

  #renderDeep(value: unknown, scope: Vars, where: SourcePos | undefined, label?: string): unknown {
    if (typeof value === 'string')
      return needsRendering(value) ? this.#renderText(value, scope, { where, text: value, label }, true) : value;
    if (value instanceof VaultText) return decryptVaultValue(value, this.#vault);
    if (value instanceof SecretTemplate)
      return taintDeep(this.#renderText(value.reveal(), scope, { where, text: value.reveal(), label }, true));
    if (value instanceof UnsafeText) return value.text;
    if (Array.isArray(value)) return value.map((v) => this.#renderDeep(v, scope, where, label));
    if (isDict(value) && !isLazyScope(value)) {
      const out: Vars = {};
      for (const [k, v] of Object.entries(value)) {
        const key = needsRendering(k) ? String(this.#renderText(k, scope, { where, text: k, label }, false)) : k;
        out[key] = this.#renderDeep(v, scope, where, label);
      }
      return out;
    }
    return value;
  }

  #withRender<T>(scope: Vars, origin: Origin, fn: (ctx: Record<string, unknown>) => T): T {
    const state: RenderState = {
      searchPath: this.searchPath,
      scope,
      renderFile: (p, s) => this.#renderFileIn(p, s),
      env: this.#env,
    };
    const ctx: Record<string, unknown> = { [SCOPE_KEY]: scope, [RENDER_KEY]: state, [CAPTURE_KEY]: {} };
    try {
      return fn(ctx);
    } catch (e) {
      throw toError(e, origin);
    }
  }

  /**
   * `native`: a value in a playbook or inventory, typed as Ansible types a template's result (see
   * evalConcat); otherwise text (a template file, a dict key).
   */
  #renderText(s: string, scope: Vars, origin: Origin, native: boolean, overrides?: LexerOverrides): unknown {
    const expr = native ? singleExpression(s) : undefined;
    const { value, tainted } = trackTaint(() =>
      this.#withRender(scope, origin, (ctx) => {
        if (expr === undefined) {
          const text = compile(s, origin.file ?? 'template-string', overrides, !origin.file).render(ctx);
          return native ? evalConcat(text) : text;
        }
        compile(`{{ ${CAPTURE_FN}((${expr})) }}`, 'template-string', undefined, true).render(ctx);
        const v = (ctx[CAPTURE_KEY] as { value?: unknown }).value;
        if (v instanceof Undefined) throw v.fault();
        if (isSingleVariable(s) && (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean'))
          return v ?? null;
        if (typeof v === 'string' && endsInStringFilter(s)) return v;
        return evalConcat(v === undefined ? null : v);
      }),
    );
    return tainted ? taintDeep(value) : value;
  }

  #renderFileIn(path: string, scope: Vars): string | Secret {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new LvsplayError(
        diag(
          `cannot read template ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
          undefined,
          'check the template path',
        ),
        ExitCode.error,
      );
    }
    let header;
    try {
      header = parseJinjaHeader(text);
    } catch (e) {
      throw toError(e, { file: path, text });
    }
    const full = resolve(path);
    const extra: Vars = {
      template_path: path,
      template_fullpath: full,
      template_basename: basename(path),
      template_host: 'localhost',
      ansible_managed: 'Ansible managed',
    };
    const withExtra = overlay(
      scope,
      Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'ansible_managed' || !(k in scope))),
    );
    const includeDirs = templateIncludeDirs(full, this.searchPath);
    // As Ansible's template module: Jinja drops the source's final newline, then the result gets
    // as many trailing newlines as the source had, if it has fewer.
    const out = withIncludePath(includeDirs, () =>
      this.#renderText(
        header.body.replace(/\n$/, ''),
        withExtra,
        { file: path, lineOffset: header.headerLines, text },
        false,
        header.overrides,
      ),
    ) as string | Secret;
    const wanted = trailingNewlines(header.body);
    const pad = (s: string) => s + '\n'.repeat(Math.max(0, wanted - trailingNewlines(s)));
    return out instanceof Secret ? new Secret(pad(out.reveal())) : pad(out);
  }
}

const trailingNewlines = (s: string): number => s.length - s.replace(/\n+$/, '').length;

export function createTemplar(opts: TemplarOptions = {}): Templar {
  return new Templar(opts);
}
