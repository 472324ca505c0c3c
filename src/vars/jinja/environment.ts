// The one nunjucks Environment lvsplay renders with, set up as Ansible sets up Jinja2:
// no autoescape, trim_blocks on, lstrip_blocks off, strict undefined, Ansible's filters,
// tests and lookups. `{% include %}` resolves through the include path of the current render.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import nunjucks from 'nunjucks';
import { closest } from '../../diagnostics.js';
import { installJinjaRuntime, withLiteralBackslashes } from './runtime.js';
import { FILTERS, UNDEFINED_SAFE_FILTERS, type FilterFn } from './filters.js';
import { TESTS, UNDEFINED_SAFE_TESTS, type TestFn } from './tests.js';
import { lookupGlobal, queryGlobal } from './lookups.js';
import { TemplateFault, Undefined } from './undefined.js';
import { isDict, str, toList } from './python.js';
import { splitArgs } from './args.js';
import { reveal } from './taint.js';
import { OMIT } from '../omit.js';

/** Directories `{% include %}` searches, innermost render last. Renders are synchronous. */
const includeStack: string[][] = [];

export function withIncludePath<T>(dirs: string[], fn: () => T): T {
  includeStack.push(dirs);
  try {
    return fn();
  } finally {
    includeStack.pop();
  }
}

class IncludeLoader extends nunjucks.Loader {
  /** Jinja2 looks every name up on the search path: `./templates/x.j2` is not relative to the includer. */
  override isRelative(): boolean {
    return false;
  }

  getSource(name: string): nunjucks.LoaderSource {
    const dirs = includeStack[includeStack.length - 1] ?? [];
    const found = isAbsolute(name)
      ? existsSync(name)
        ? name
        : undefined
      : dirs.map((d) => join(d, name)).find((p) => existsSync(p));
    if (!found) {
      throw new TemplateFault(
        `included template '${name}' not found (searched ${dirs.join(', ') || 'nothing'})`,
        "put it in the role's templates/ directory or fix the name",
      );
    }
    const { body } = parseJinjaHeader(readFileSync(found, 'utf8'));
    // Jinja2 without keep_trailing_newline (as Ansible loads included files) drops one final newline.
    return { src: body.replace(/\r?\n$/, ''), path: found, noCache: true };
  }
}

function checkDefined(args: unknown[]): void {
  for (const a of args) {
    if (a instanceof Undefined) throw a.fault();
    if (a && typeof a === 'object' && (a as Record<string, unknown>).__keywords === true) {
      for (const v of Object.values(a)) if (v instanceof Undefined) throw v.fault();
    }
  }
}

function wrapFilter(name: string, fn: FilterFn): FilterFn {
  if (UNDEFINED_SAFE_FILTERS.has(name)) return fn;
  return function (this: unknown, value: unknown, ...args: unknown[]) {
    checkDefined([value, ...args]);
    return fn.call(this, reveal(value), ...args);
  };
}

function wrapTest(name: string, fn: TestFn): TestFn {
  if (UNDEFINED_SAFE_TESTS.has(name)) return fn;
  return (value: unknown, ...args: unknown[]) => {
    checkDefined([value, ...args]);
    return fn(value, ...args);
  };
}

export interface LexerOverrides {
  trimBlocks?: boolean;
  lstripBlocks?: boolean;
  tags?: {
    blockStart?: string;
    blockEnd?: string;
    variableStart?: string;
    variableEnd?: string;
    commentStart?: string;
    commentEnd?: string;
  };
}

function buildEnvironment(): nunjucks.Environment {
  installJinjaRuntime();
  const env = new nunjucks.Environment(new IncludeLoader(), {
    autoescape: false,
    trimBlocks: true,
    lstripBlocks: false,
    throwOnUndefined: false,
    dev: true,
  });
  const e = env as unknown as {
    filters: Record<string, FilterFn>;
    tests: Record<string, TestFn>;
    globals: Record<string, unknown>;
  };
  for (const [name, fn] of Object.entries(e.filters)) e.filters[name] = wrapFilter(name, fn);
  for (const [name, fn] of Object.entries(FILTERS)) e.filters[name] = wrapFilter(name, fn);
  for (const [name, fn] of Object.entries(e.tests)) e.tests[name] = wrapTest(name, fn);
  for (const [name, fn] of Object.entries(TESTS)) e.tests[name] = wrapTest(name, fn);
  env.addGlobal('lookup', lookupGlobal);
  env.addGlobal('query', queryGlobal);
  env.addGlobal('q', queryGlobal);
  env.addGlobal('omit', OMIT);
  env.addGlobal('range', boundedRange);
  env.addGlobal('dict', (...raw: unknown[]) => {
    const { pos, kw } = splitArgs(raw);
    const base =
      pos[0] === undefined
        ? {}
        : isDict(pos[0])
          ? pos[0]
          : Object.fromEntries(toList(pos[0]).map((p) => [str(toList(p)[0]), toList(p)[1]]));
    return { ...base, ...kw };
  });

  // Unknown names get a "did you mean", and tests used as filters get Ansible's refusal.
  env.getFilter = function (name: string) {
    const f = e.filters[name];
    if (f) return f;
    if (Object.hasOwn(e.tests, name)) {
      throw new TemplateFault(
        `'${name}' is a test, not a filter: Ansible removed tests used as filters in 2.9 (ansible-core 2.14 fails here too)`,
        `write "value is ${name}" instead of "value | ${name}"`,
      );
    }
    const near = closest(name, Object.keys(e.filters));
    throw new TemplateFault(
      `no filter named '${name}'`,
      near ? `did you mean '${near}'?` : 'see docs/templates.md for the filters lvsplay has',
    );
  };
  (env as unknown as { getTest(name: string): TestFn }).getTest = function (name: string) {
    const t = e.tests[name];
    if (t) return t;
    const near = closest(name, Object.keys(e.tests));
    throw new TemplateFault(
      `no test named '${name}'`,
      near ? `did you mean '${near}'?` : 'see docs/templates.md for the tests lvsplay has',
    );
  };
  return env;
}

let shared: nunjucks.Environment | undefined;

export function environment(): nunjucks.Environment {
  shared ??= buildEnvironment();
  return shared;
}

export function hasFilter(name: string): boolean {
  return Object.hasOwn((environment() as unknown as { filters: object }).filters, name);
}
export function hasTest(name: string): boolean {
  return Object.hasOwn((environment() as unknown as { tests: object }).tests, name);
}

const cache = new Map<string, nunjucks.Template>();
const CACHE_LIMIT = 2000;

/** Compiles (or reuses) a template; syntax errors are thrown here, before any render. */
export function compile(src: string, name: string, overrides?: LexerOverrides, fromYaml = false): nunjucks.Template {
  const key = `${fromYaml ? 'y' : 'f'}${JSON.stringify(overrides ?? {})}\u0000${name}\u0000${src}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const base = environment();
  const env = overrides
    ? (Object.create(base, {
        opts: { value: { ...(base as unknown as { opts: object }).opts, ...overrides } },
      }) as nunjucks.Environment)
    : base;
  const tmpl = withLiteralBackslashes(fromYaml, () => new nunjucks.Template(src, env, name, true));
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, tmpl);
  return tmpl;
}

export interface JinjaHeader {
  overrides?: LexerOverrides;
  body: string;
  /** Lines removed from the top (the header), to keep error line numbers true to the file. */
  headerLines: number;
}

const TAG_KEYS: Record<string, keyof NonNullable<LexerOverrides['tags']>> = {
  block_start_string: 'blockStart',
  block_end_string: 'blockEnd',
  variable_start_string: 'variableStart',
  variable_end_string: 'variableEnd',
  comment_start_string: 'commentStart',
  comment_end_string: 'commentEnd',
};

/** A template file's `#jinja2: trim_blocks: False, lstrip_blocks: True` first line. */
export function parseJinjaHeader(text: string): JinjaHeader {
  const m = /^#jinja2:(.*)(\r?\n|$)/.exec(text);
  if (!m) return { body: text, headerLines: 0 };
  const overrides: LexerOverrides = {};
  for (const part of m[1]!.split(',')) {
    if (!part.trim()) continue;
    const kv = /^\s*(\w+)\s*:\s*(.*?)\s*$/.exec(part);
    if (!kv)
      throw new TemplateFault(
        `malformed #jinja2: header option '${part.trim()}'`,
        'write options as "#jinja2: trim_blocks: False, lstrip_blocks: True"',
        1,
        1,
      );
    const [, key, raw] = kv as unknown as [string, string, string];
    const value = /^(['"])(.*)\1$/.exec(raw)?.[2] ?? raw;
    const bool = () => {
      if (!/^(True|False|true|false)$/.test(value))
        throw new TemplateFault(`#jinja2: ${key} must be True or False, not '${raw}'`, undefined, 1, 1);
      return /^t/i.test(value);
    };
    if (key === 'trim_blocks') overrides.trimBlocks = bool();
    else if (key === 'lstrip_blocks') overrides.lstripBlocks = bool();
    else if (key === 'keep_trailing_newline')
      bool(); // Ansible always keeps trailing newlines.
    else if (key === 'newline_sequence') {
      if (value !== '\\n' && value !== '\n')
        throw new TemplateFault(
          `#jinja2: newline_sequence '${raw}' is not supported`,
          'lvsplay writes \\n line endings',
          1,
          1,
        );
    } else if (TAG_KEYS[key]) overrides.tags = { ...overrides.tags, [TAG_KEYS[key]!]: value };
    else {
      const near = closest(key, [
        'trim_blocks',
        'lstrip_blocks',
        'keep_trailing_newline',
        'newline_sequence',
        ...Object.keys(TAG_KEYS),
      ]);
      throw new TemplateFault(
        `unknown #jinja2: header option '${key}'`,
        near ? `did you mean '${near}'?` : 'see docs/templates.md',
        1,
        1,
      );
    }
  }
  return { overrides, body: text.slice(m[0].length), headerLines: 1 };
}

/**
 * Items `range()` may build. Python's range is lazy; here it is a list, so `range(300000000)`
 * would exhaust the heap and kill the process instead of failing the task.
 */
export const MAX_RANGE_ITEMS = 1_000_000;

function boundedRange(start: unknown, stop?: unknown, step?: unknown): number[] {
  const [from, to, by] = stop === undefined ? [0, Number(start), 1] : [Number(start), Number(stop), Number(step ?? 1)];
  if (![from, to, by].every(Number.isInteger))
    throw new TemplateFault('range() takes whole numbers', 'pass integers to range()');
  if (by === 0) throw new TemplateFault('range() arg 3 must not be zero', 'give range() a step other than 0');
  const count = Math.max(0, Math.ceil((to - from) / by));
  if (count > MAX_RANGE_ITEMS)
    throw new TemplateFault(
      `range() of ${count} items is more than the limit of ${MAX_RANGE_ITEMS}`,
      'use a smaller range (a loop over that many items would not finish either)',
    );
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(from + i * by);
  return out;
}
