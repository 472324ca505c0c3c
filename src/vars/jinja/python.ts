// Jinja2 expressions follow Python's rules, not JavaScript's: an empty list is false, `[1] + [2]`
// is `[1, 2]`, `'1' == 1` is false, `True` prints as "True". These helpers are what the patched
// nunjucks runtime calls for every operator, so templates behave as they do under Ansible.
import { pyQuote } from '../../pyquote.js';
import { Secret } from '../../secret.js';
import { TemplateFault, Undefined, defined } from './undefined.js';
import { reveal } from './taint.js';

export type Dict = Record<string, unknown>;

export function isDict(v: unknown): v is Dict {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Secret || v instanceof Undefined)
    return false;
  const proto = Object.getPrototypeOf(v);
  // Lazy variable scopes are proxies over plain objects, so they pass this check too.
  return proto === Object.prototype || proto === null;
}

/** Python's type name, for error messages that read like Ansible's. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string' || v instanceof Secret) return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (Array.isArray(v)) return 'list';
  if (isDict(v)) return 'dict';
  return typeof v;
}

/** Python's truth value; using an undefined value this way is an error (StrictUndefined). */
export function truthy(v: unknown): boolean {
  const x = reveal(defined(v));
  if (x === null || x === undefined) return false;
  if (typeof x === 'string') return x.length > 0;
  if (Array.isArray(x)) return x.length > 0;
  if (isDict(x)) return Object.keys(x).length > 0;
  return Boolean(x);
}

/** Python's repr(), used when a list or dict is printed inside text. */
export function repr(v: unknown): string {
  v = reveal(defined(v));
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return pyQuote(v);
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(repr).join(', ')}]`;
  if (isDict(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyQuote(k)}: ${repr(x)}`)
      .join(', ')}}`;
  return String(v);
}

/** Python's str(). */
export function str(v: unknown): string {
  v = reveal(defined(v));
  if (typeof v === 'string') return v;
  return repr(v);
}

/** What `{{ x }}` prints inside text: like str(), except None prints as nothing (Ansible's finalize). */
export function outputText(v: unknown): string {
  v = reveal(defined(v));
  if (v === null || v === undefined) return '';
  if (v !== null && typeof v === 'object' && 'val' in v && v.constructor?.name === 'SafeString') return String(v);
  return str(v);
}

export function equal(a: unknown, b: unknown): boolean {
  a = reveal(defined(a));
  b = reveal(defined(b));
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean'))
    return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
  }
  return a === b;
}

function typeError(op: string, a: unknown, b: unknown): TemplateFault {
  return new TemplateFault(
    `unsupported operand types for ${op}: '${typeName(a)}' and '${typeName(b)}'`,
    'convert the values first, e.g. with "| int", "| string" or "| list"',
  );
}

/** Python ordering comparisons (<, <=, >, >=): numbers with numbers, strings with strings, lists lexically. */
export function order(a: unknown, b: unknown, op: string): number {
  a = reveal(defined(a));
  b = reveal(defined(b));
  const num = (x: unknown) => typeof x === 'number' || typeof x === 'boolean';
  if (num(a) && num(b)) return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!equal(a[i], b[i])) return order(a[i], b[i], op);
    }
    return a.length - b.length;
  }
  throw new TemplateFault(
    `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`,
    'convert both sides to the same type, e.g. "x | int > 3" or use "is version(...)" for versions',
  );
}

export function compare(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==':
    case '===':
      return equal(a, b);
    case '!=':
    case '!==':
      return !equal(a, b);
    case '<':
      return order(a, b, op) < 0;
    case '<=':
      return order(a, b, op) <= 0;
    case '>':
      return order(a, b, op) > 0;
    case '>=':
      return order(a, b, op) >= 0;
    default:
      throw new TemplateFault(`unknown comparison ${op}`);
  }
}

export function add(a: unknown, b: unknown): unknown {
  a = reveal(defined(a));
  b = reveal(defined(b));
  const num = (x: unknown) => typeof x === 'number' || typeof x === 'boolean';
  if (num(a) && num(b)) return Number(a) + Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  throw typeError('+', a, b);
}

export function multiply(a: unknown, b: unknown): unknown {
  a = reveal(defined(a));
  b = reveal(defined(b));
  const num = (x: unknown) => typeof x === 'number' || typeof x === 'boolean';
  if (num(a) && num(b)) return Number(a) * Number(b);
  if (typeof a === 'string' && Number.isInteger(b)) return a.repeat(Math.max(0, b as number));
  if (Array.isArray(a) && Number.isInteger(b)) return Array.from({ length: Math.max(0, b as number) }, () => a).flat();
  throw typeError('*', a, b);
}

export function contains(container: unknown, item: unknown): boolean {
  const c = reveal(defined(container));
  const x = reveal(defined(item));
  if (typeof c === 'string') {
    if (typeof x !== 'string')
      throw new TemplateFault(`'in <string>' requires string as left operand, not ${typeName(x)}`);
    return c.includes(x);
  }
  if (Array.isArray(c)) return c.some((e) => equal(e, x));
  if (isDict(c)) return typeof x === 'string' && Object.hasOwn(c, x);
  throw new TemplateFault(`argument of type '${typeName(c)}' is not iterable`, 'use "in" with a string, list or dict');
}

/** Python's list(x): strings split into characters, dicts give their keys. */
export function toList(v: unknown): unknown[] {
  const x = reveal(defined(v));
  if (Array.isArray(x)) return x;
  if (typeof x === 'string') return [...x];
  if (isDict(x)) return Object.keys(x);
  if (x && typeof x === 'object' && Symbol.iterator in x) return [...(x as Iterable<unknown>)];
  throw new TemplateFault(`'${typeName(x)}' object is not iterable`, 'iterate over a list, dict or string');
}
