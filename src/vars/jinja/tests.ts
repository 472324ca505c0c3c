// Jinja2 and Ansible tests (`x is defined`, `result is failed`, `v is version('2.0', '>=')`).
import { existsSync, lstatSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { Secret } from '../../secret.js';
import { TemplateFault, Undefined } from './undefined.js';
import { contains, equal, isDict, order, str, toList, truthy, typeName } from './python.js';
import { pyRegex } from './pyre.js';
import { splitArgs } from './args.js';
import { compareVersions } from './version.js';
import { reveal } from './taint.js';
import { GuardedRegExp } from '../../regex-guard.js';

export type TestFn = (value: unknown, ...args: unknown[]) => boolean;

function regexTest(kind: 'match' | 'search' | 'fullmatch') {
  return (value: unknown, ...raw: unknown[]): boolean => {
    const { pos, kw } = splitArgs(raw);
    const pattern = String(reveal(pos[0] ?? ''));
    const re = pyRegex(pattern, {
      ignorecase: truthy(kw.ignorecase ?? pos[1] ?? false),
      multiline: truthy(kw.multiline ?? pos[2] ?? false),
    });
    const s = str(value);
    const type = String(kw.match_type ?? kind);
    if (type === 'match') return new GuardedRegExp(`^(?:${re.source})`, re.flags).test(s);
    if (type === 'fullmatch') return new GuardedRegExp(`^(?:${re.source})$`, re.flags).test(s);
    return re.test(s);
  };
}

function resultOf(name: string, v: unknown): Record<string, unknown> {
  if (!isDict(v)) {
    throw new TemplateFault(
      `the '${name}' test expects a registered task result (a dict), got a ${typeName(v)}`,
      `use it on a variable set with "register:"`,
    );
  }
  return v;
}

function changed(v: unknown): boolean {
  const r = resultOf('changed', v);
  if (Array.isArray(r.results) && r.results.every(isDict) && !('changed' in r))
    return r.results.some((x) => truthy(x.changed ?? false));
  return truthy(r.changed ?? false);
}

const pathTest = (check: (p: string) => boolean) => (v: unknown) => {
  const p = str(v);
  try {
    return check(p);
  } catch {
    return false;
  }
};

export const TESTS: Record<string, TestFn> = {
  defined: (v) => !(v instanceof Undefined),
  undefined: (v) => v instanceof Undefined,
  none: (v) => v === null || v === undefined,
  string: (v) => typeof v === 'string' || v instanceof Secret,
  // Python's bool is a Number: Jinja's `true is number` holds.
  number: (v) => typeof v === 'number' || typeof v === 'boolean',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  mapping: (v) => isDict(v),
  sequence: (v) => Array.isArray(v) || typeof v === 'string' || isDict(v),
  iterable: (v) => Array.isArray(v) || typeof v === 'string' || isDict(v),
  callable: (v) => typeof v === 'function',
  sameas: (v, other) => v === other,
  eq: (a, b) => equal(a, b),
  equalto: (a, b) => equal(a, b),
  '==': (a, b) => equal(a, b),
  ne: (a, b) => !equal(a, b),
  '!=': (a, b) => !equal(a, b),
  lt: (a, b) => order(a, b, '<') < 0,
  '<': (a, b) => order(a, b, '<') < 0,
  le: (a, b) => order(a, b, '<=') <= 0,
  '<=': (a, b) => order(a, b, '<=') <= 0,
  gt: (a, b) => order(a, b, '>') > 0,
  '>': (a, b) => order(a, b, '>') > 0,
  ge: (a, b) => order(a, b, '>=') >= 0,
  '>=': (a, b) => order(a, b, '>=') >= 0,
  odd: (v) => Number(v) % 2 === 1,
  even: (v) => Number(v) % 2 === 0,
  divisibleby: (v, n) => Number(v) % Number(n) === 0,
  lower: (v) => str(v) === str(v).toLowerCase(),
  upper: (v) => str(v) === str(v).toUpperCase(),
  in: (v, seq) => contains(seq, v),
  contains: (seq, v) => contains(seq, v),
  subset: (a, b) => toList(a).every((x) => toList(b).some((y) => equal(x, y))),
  superset: (a, b) => toList(b).every((x) => toList(a).some((y) => equal(x, y))),
  any: (v) => toList(v).some(truthy),
  all: (v) => toList(v).every(truthy),
  truthy: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    const convert = truthy(kw.convert_bool ?? pos[0] ?? false);
    const x = reveal(v);
    if (
      convert &&
      typeof x === 'string' &&
      ['yes', 'on', 'true', '1', 'no', 'off', 'false', '0'].includes(x.toLowerCase())
    ) {
      return ['yes', 'on', 'true', '1'].includes(x.toLowerCase());
    }
    return truthy(x);
  },
  falsy: (v, ...raw) => !TESTS.truthy!(v, ...raw),
  match: regexTest('match'),
  search: regexTest('search'),
  regex: regexTest('search'),
  version: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    return compareVersions(
      v,
      pos[0],
      String(kw.operator ?? pos[1] ?? 'eq'),
      truthy(kw.strict ?? pos[2] ?? false),
      kw.version_type as string | undefined,
    );
  },
  failed: (v) => truthy(resultOf('failed', v).failed ?? false),
  succeeded: (v) => !truthy(resultOf('succeeded', v).failed ?? false),
  changed,
  skipped: (v) => truthy(resultOf('skipped', v).skipped ?? false),
  finished: (v) => truthy(resultOf('finished', v).finished ?? true),
  reachable: (v) => !truthy(resultOf('reachable', v).unreachable ?? false),
  unreachable: (v) => truthy(resultOf('unreachable', v).unreachable ?? false),
  file: pathTest((p) => statSync(p).isFile()),
  directory: pathTest((p) => statSync(p).isDirectory()),
  link: pathTest((p) => lstatSync(p).isSymbolicLink()),
  exists: pathTest((p) => existsSync(p)),
  abs: pathTest((p) => isAbsolute(p)),
  nan: (v) => Number.isNaN(v),
};

// Ansible's other spellings of the same tests.
const ALIASES: Record<string, string> = {
  version_compare: 'version',
  failure: 'failed',
  success: 'succeeded',
  successful: 'succeeded',
  change: 'changed',
  skip: 'skipped',
  is_file: 'file',
  is_dir: 'directory',
  is_link: 'link',
  is_abs: 'abs',
  issubset: 'subset',
  issuperset: 'superset',
};
for (const [alias, name] of Object.entries(ALIASES)) TESTS[alias] = TESTS[name]!;

/** Tests that make sense on undefined values; every other test fails on them (StrictUndefined). */
export const UNDEFINED_SAFE_TESTS = new Set(['defined', 'undefined']);
