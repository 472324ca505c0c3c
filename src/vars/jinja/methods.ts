// The Python methods real roles call on values inside templates (`x.startswith('a')`,
// `d.items()`, `l.append(1)`), which nunjucks does not provide on JavaScript values.
import { TemplateFault } from './undefined.js';
import { isDict, str, toList, equal, type Dict } from './python.js';
import { splitArgs } from './args.js';

type Method = (...args: unknown[]) => unknown;

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  if (chars === undefined || chars === null) {
    if (left) s = s.replace(/^\s+/, '');
    if (right) s = s.replace(/\s+$/, '');
    return s;
  }
  const set = new Set(String(chars));
  let a = 0;
  let b = s.length;
  if (left) while (a < b && set.has(s[a]!)) a++;
  if (right) while (b > a && set.has(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/** Python's str.split: no separator splits on runs of whitespace and drops empty parts. */
export function pySplit(s: string, sep?: unknown, maxsplit = -1): string[] {
  if (sep === undefined || sep === null) {
    const parts = s
      .trim()
      .split(/\s+/)
      .filter((p) => p !== '');
    if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
    const out: string[] = [];
    let rest = s.trimStart();
    for (let i = 0; i < maxsplit; i++) {
      const m = /\s+/.exec(rest);
      if (!m) break;
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    out.push(rest);
    return out;
  }
  const sp = String(sep);
  if (sp === '') throw new TemplateFault('empty separator', 'give split() a non-empty separator');
  const parts = s.split(sp);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sp)];
}

/** Python's str.format with `{}`, `{0}` and `{name}` fields (no format specs beyond that). */
export function pyFormat(template: string, args: unknown[], kw: Dict): string {
  let auto = 0;
  return template.replace(/\{\{|\}\}|\{([^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}/g, (m, field: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const f = field ?? '';
    const v = f === '' ? args[auto++] : /^\d+$/.test(f) ? args[Number(f)] : kw[f];
    if (v === undefined)
      throw new TemplateFault(`format(): no value for field {${f}}`, 'pass as many values as the string has fields');
    return str(v);
  });
}

function stringMethods(s: string): Record<string, Method> {
  return {
    startswith: (p) => (Array.isArray(p) ? p : [p]).some((x) => s.startsWith(String(x))),
    endswith: (p) => (Array.isArray(p) ? p : [p]).some((x) => s.endsWith(String(x))),
    strip: (c) => stripChars(s, c, true, true),
    lstrip: (c) => stripChars(s, c, true, false),
    rstrip: (c) => stripChars(s, c, false, true),
    split: (sep, max) => pySplit(s, sep, typeof max === 'number' ? max : -1),
    rsplit: (sep, max) => {
      const m = typeof max === 'number' ? max : -1;
      if (m < 0 || sep === undefined || sep === null) return pySplit(s, sep, m);
      const parts = s.split(String(sep));
      if (parts.length <= m + 1) return parts;
      return [parts.slice(0, parts.length - m).join(String(sep)), ...parts.slice(parts.length - m)];
    },
    splitlines: () => s.split(/\r\n|\r|\n/).filter((l, i, a) => !(i === a.length - 1 && l === '')),
    lower: () => s.toLowerCase(),
    upper: () => s.toUpperCase(),
    title: () => s.replace(/[A-Za-z]+/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()),
    capitalize: () => (s ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s),
    replace: (a, b, count) => {
      let n = typeof count === 'number' && count >= 0 ? count : Infinity;
      return s
        .split(String(a))
        .reduce((acc, part, i) => (i === 0 ? part : acc + (n-- > 0 ? String(b) : String(a)) + part), '');
    },
    find: (x) => s.indexOf(String(x)),
    rfind: (x) => s.lastIndexOf(String(x)),
    index: (x) => {
      const i = s.indexOf(String(x));
      if (i < 0) throw new TemplateFault('substring not found');
      return i;
    },
    count: (x) => (String(x) === '' ? s.length + 1 : s.split(String(x)).length - 1),
    join: (items) => toList(items).map(str).join(s),
    format: (...raw) => {
      const { pos, kw } = splitArgs(raw);
      return pyFormat(s, pos, kw);
    },
    zfill: (w) =>
      s.length >= Number(w)
        ? s
        : s[0] === '-' || s[0] === '+'
          ? s[0] + s.slice(1).padStart(Number(w) - 1, '0')
          : s.padStart(Number(w), '0'),
    ljust: (w, f) => s.padEnd(Number(w), f === undefined ? ' ' : String(f)),
    rjust: (w, f) => s.padStart(Number(w), f === undefined ? ' ' : String(f)),
    isdigit: () => /^\d+$/.test(s),
    isalpha: () => /^[A-Za-z]+$/.test(s),
    isalnum: () => /^[A-Za-z0-9]+$/.test(s),
    isspace: () => /^\s+$/.test(s),
    islower: () => /[a-z]/.test(s) && s === s.toLowerCase(),
    isupper: () => /[A-Z]/.test(s) && s === s.toUpperCase(),
  };
}

function listMethods(l: unknown[]): Record<string, Method> {
  return {
    append: (x) => {
      l.push(x);
      return null;
    },
    extend: (xs) => {
      l.push(...toList(xs));
      return null;
    },
    insert: (i, x) => {
      l.splice(Number(i), 0, x);
      return null;
    },
    pop: (i) => {
      if (l.length === 0) throw new TemplateFault('pop from empty list');
      const at = i === undefined ? l.length - 1 : Number(i) < 0 ? l.length + Number(i) : Number(i);
      return l.splice(at, 1)[0];
    },
    remove: (x) => {
      const i = l.findIndex((e) => equal(e, x));
      if (i < 0) throw new TemplateFault('list.remove(x): x not in list');
      l.splice(i, 1);
      return null;
    },
    index: (x) => {
      const i = l.findIndex((e) => equal(e, x));
      if (i < 0) throw new TemplateFault(`${str(x)} is not in list`);
      return i;
    },
    count: (x) => l.filter((e) => equal(e, x)).length,
    copy: () => [...l],
  };
}

function dictMethods(d: Dict): Record<string, Method> {
  return {
    items: () => Object.keys(d).map((k) => [k, d[k]]),
    keys: () => Object.keys(d),
    values: () => Object.keys(d).map((k) => d[k]),
    get: (k, def) => (Object.hasOwn(d, String(k)) || String(k) in d ? d[String(k)] : def === undefined ? null : def),
    has_key: (k) => String(k) in d,
    copy: () => ({ ...d }),
    update: (other) => {
      const { pos, kw } = splitArgs([other]);
      Object.assign(d, pos[0] ?? {}, kw);
      return null;
    },
    pop: (k, def) => {
      const key = String(k);
      if (!(key in d)) {
        if (def === undefined) throw new TemplateFault(`KeyError: '${key}'`);
        return def;
      }
      const v = d[key];
      delete d[key];
      return v;
    },
    setdefault: (k, def) => {
      const key = String(k);
      if (!(key in d)) d[key] = def === undefined ? null : def;
      return d[key];
    },
  };
}

/** The Python method `name` bound to `obj`, or undefined when Python has no such method. */
export function pythonMethod(obj: unknown, name: string): Method | undefined {
  let table: Record<string, Method> | undefined;
  if (typeof obj === 'string') table = stringMethods(obj);
  else if (Array.isArray(obj)) table = listMethods(obj);
  else if (isDict(obj)) table = dictMethods(obj);
  if (!table) return undefined;
  return Object.hasOwn(table, name) ? table[name] : undefined;
}
