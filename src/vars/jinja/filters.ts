// The Jinja2 and Ansible filters real roles use. Each follows Ansible's behaviour (argument
// names, keyword arguments, results), not nunjucks' built-in of the same name.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { TemplateFault, Undefined } from './undefined.js';
import { equal, isDict, order, repr, str, toList, truthy, typeName, type Dict } from './python.js';
import { splitArgs } from './args.js';
import { pyRegex, pyReplacement } from './pyre.js';
import { pySplit } from './methods.js';
import { percentFormat } from './percent-format.js';
import { fromJson, fromYaml, pyJsonDumps, toYaml } from './serialize.js';
import { TESTS } from './tests.js';
import { reveal } from './taint.js';
import { GuardedRegExp } from '../../regex-guard.js';
import { TEXT_FILTERS } from './text-filters.js';

export type FilterFn = (this: unknown, value: unknown, ...args: unknown[]) => unknown;

/** `a.b.c` attribute paths as Jinja's `attribute=` takes them (numbers index lists). */
function attr(item: unknown, path: unknown, fallback?: unknown): unknown {
  let cur: unknown = reveal(item);
  for (const part of String(path).split('.')) {
    const k: string | number = /^\d+$/.test(part) && Array.isArray(cur) ? Number(part) : part;
    if (isDict(cur) && typeof k === 'string' && k in cur) cur = cur[k];
    else if (Array.isArray(cur) && typeof k === 'number' && k < cur.length) cur = cur[k];
    else if (fallback !== undefined) return fallback;
    else return new Undefined(`item.${String(path)}`, `'${typeName(cur)}' object has no attribute '${part}'`);
  }
  return cur;
}

function testByName(name: unknown): (v: unknown, ...a: unknown[]) => boolean {
  const t = TESTS[String(name)];
  if (!t)
    throw new TemplateFault(
      `no test named '${String(name)}'`,
      'use a test such as defined, match, search, version, in',
    );
  return t;
}

function selectWith(keep: boolean, byAttr: boolean) {
  return function (this: unknown, value: unknown, ...raw: unknown[]): unknown[] {
    const { pos } = splitArgs(raw);
    const [first, testName, ...testArgs] = byAttr ? pos : [undefined, ...pos];
    const pick = (x: unknown) =>
      byAttr
        ? attr(x, first, testName === 'defined' || testName === 'undefined' ? new Undefined(String(first)) : undefined)
        : x;
    return toList(value).filter((x) => {
      const v = pick(x);
      const ok = testName === undefined ? truthy(v) : testByName(testName)(v, ...testArgs);
      return ok === keep;
    });
  };
}

function mergeDicts(a: Dict, b: Dict, recursive: boolean, listMerge: string): Dict {
  const out: Dict = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    if (recursive && isDict(cur) && isDict(v)) out[k] = mergeDicts(cur, v, recursive, listMerge);
    else if (Array.isArray(cur) && Array.isArray(v) && listMerge !== 'replace') {
      if (listMerge === 'keep') continue;
      out[k] =
        listMerge === 'append'
          ? [...cur, ...v]
          : listMerge === 'prepend'
            ? [...v, ...cur]
            : listMerge === 'append_rp'
              ? [...cur.filter((x) => !v.some((y) => equal(x, y))), ...v]
              : listMerge === 'prepend_rp'
                ? [...v, ...cur.filter((x) => !v.some((y) => equal(x, y)))]
                : v;
    } else out[k] = v;
  }
  return out;
}

function flatten(v: unknown[], levels: number | undefined, skipNulls: boolean): unknown[] {
  const out: unknown[] = [];
  for (const x of v) {
    if (skipNulls && (x === null || x === 'None')) continue;
    if (Array.isArray(x) && (levels === undefined || levels > 0))
      out.push(...flatten(x, levels === undefined ? undefined : levels - 1, skipNulls));
    else out.push(x);
  }
  return out;
}

function uniq(v: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of v) if (!out.some((y) => equal(x, y))) out.push(x);
  return out;
}

function hashOf(algo: unknown, value: unknown): string {
  const a = String(algo ?? 'sha1').toLowerCase();
  const known = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];
  if (!known.includes(a)) throw new TemplateFault(`hash: unknown algorithm '${a}'`, `use one of ${known.join(', ')}`);
  return createHash(a).update(str(value), 'utf8').digest('hex');
}

function toInt(v: unknown, def: unknown = 0, base: unknown = 10): unknown {
  const x = reveal(v);
  if (typeof x === 'number') return Math.trunc(x);
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'string') {
    const s = x.trim().replace(/_/g, '');
    const b = Number(base);
    if (b === 10 && /^[-+]?\d+$/.test(s)) return parseInt(s, 10);
    if (b !== 10) {
      const n = parseInt(s.replace(/^0[xob]/i, ''), b);
      if (!Number.isNaN(n)) return n;
    }
    if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return Math.trunc(parseFloat(s));
  }
  return def;
}

function toFloat(v: unknown, def: unknown = 0): unknown {
  const x = reveal(v);
  if (typeof x === 'number') return x;
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(x)) return parseFloat(x);
  return def;
}

function toBool(v: unknown): boolean {
  const x = reveal(v);
  if (typeof x === 'boolean') return x;
  if (x === null || x === undefined) return false;
  if (typeof x === 'number') return x === 1;
  return ['yes', 'on', '1', 'true', 'y', 't'].includes(String(x).trim().toLowerCase());
}

function shellQuote(v: unknown): string {
  const s = str(v);
  if (s === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

function sortKey(caseSensitive: boolean, attribute: unknown) {
  return (x: unknown) => {
    let v = attribute === undefined || attribute === null ? x : attr(x, attribute);
    v = reveal(v);
    return !caseSensitive && typeof v === 'string' ? v.toLowerCase() : v;
  };
}

function extreme(sign: 1 | -1) {
  return (value: unknown, ...raw: unknown[]) => {
    const { kw } = splitArgs(raw);
    const list = toList(value);
    if (!list.length) return new Undefined('(empty sequence)', 'min/max of an empty list');
    const key = sortKey(truthy(kw.case_sensitive ?? false), kw.attribute);
    return list.reduce((best, x) => (order(key(x), key(best), sign > 0 ? '>' : '<') * sign > 0 ? x : best));
  };
}

function b64decode(v: unknown): string {
  const s = str(v).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(s))
    throw new TemplateFault('b64decode: the text is not base64', 'check the value passed to b64decode');
  return Buffer.from(s, 'base64').toString('utf8');
}

export const FILTERS: Record<string, FilterFn> = {
  ...TEXT_FILTERS,
  default(value, ...raw) {
    const { pos, kw } = splitArgs(raw);
    const fallback = kw.default_value ?? pos[0] ?? '';
    const boolean = truthy(kw.boolean ?? pos[1] ?? false);
    if (value instanceof Undefined || (boolean && !truthy(value))) return fallback;
    return value;
  },
  mandatory(value, ...raw) {
    const { pos, kw } = splitArgs(raw);
    if (value instanceof Undefined) {
      const f = value.fault();
      const msg = kw.msg ?? pos[0];
      throw new TemplateFault(msg !== undefined && msg !== null ? str(msg) : `Mandatory variable ${f.message}`, f.hint);
    }
    return value;
  },
  bool: (v) => toBool(v),
  int: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    return toInt(v, kw.default ?? pos[0] ?? 0, kw.base ?? pos[1] ?? 10);
  },
  float: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    return toFloat(v, kw.default ?? pos[0] ?? 0);
  },
  string: (v) => str(v),
  lower: (v) => str(v).toLowerCase(),
  upper: (v) => str(v).toUpperCase(),
  capitalize: (v) => {
    const s = str(v);
    return s ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s;
  },
  title: (v) => str(v).replace(/[A-Za-z]+/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()),
  trim: (v, chars) => {
    const s = str(v);
    if (chars === undefined) return s.trim();
    const set = new Set(str(chars));
    let a = 0;
    let b = s.length;
    while (a < b && set.has(s[a]!)) a++;
    while (b > a && set.has(s[b - 1]!)) b--;
    return s.slice(a, b);
  },
  join: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    const sep = str(kw.d ?? pos[0] ?? '');
    const a = kw.attribute ?? pos[1];
    return toList(v)
      .map((x) => str(a === undefined ? x : attr(x, a)))
      .join(sep);
  },
  split: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    return pySplit(str(v), kw.sep ?? pos[0], Number(kw.maxsplit ?? pos[1] ?? -1));
  },
  replace: (v, old, rep, count) => {
    const s = str(v);
    let n = count === undefined || count === null ? Infinity : Number(count);
    return s
      .split(str(old))
      .reduce((acc, part, i) => (i === 0 ? part : acc + (n-- > 0 ? str(rep) : str(old)) + part), '');
  },
  regex_replace: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    const re = pyRegex(str(pos[0] ?? ''), {
      ignorecase: truthy(kw.ignorecase ?? false),
      multiline: truthy(kw.multiline ?? false),
      global: true,
    });
    let n = Number(kw.count ?? 0);
    const repl = pyReplacement(str(pos[1] ?? ''));
    if (n <= 0) return str(v).replace(re, repl);
    return str(v).replace(re, (...m) =>
      n-- > 0 ? m[0].replace(new GuardedRegExp(re.source, re.flags.replace('g', '')), repl) : m[0],
    );
  },
  regex_search: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    const re = pyRegex(str(pos[0] ?? ''), {
      ignorecase: truthy(kw.ignorecase ?? false),
      multiline: truthy(kw.multiline ?? false),
    });
    const m = re.exec(str(v));
    if (!m) return null;
    const refs = pos.slice(1).map(String);
    if (!refs.length) return m[0];
    return refs.map((r) => {
      const g = /^\\g<(\w+)>$/.exec(r) ?? /^\\(\d+)$/.exec(r);
      if (!g) throw new TemplateFault(`regex_search: unknown group reference '${r}'`, "use '\\\\1' or '\\\\g<name>'");
      return /^\d+$/.test(g[1]!) ? (m[Number(g[1])] ?? null) : (m.groups?.[g[1]!] ?? null);
    });
  },
  regex_findall: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    const re = pyRegex(str(pos[0] ?? ''), {
      ignorecase: truthy(kw.ignorecase ?? false),
      multiline: truthy(kw.multiline ?? false),
      global: true,
    });
    return [...str(v).matchAll(re)].map((m) =>
      m.length === 1 ? m[0] : m.length === 2 ? (m[1] ?? '') : m.slice(1).map((g) => g ?? ''),
    );
  },
  regex_escape: (v) => str(v).replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`),
  to_json: (v, ...raw) => {
    const { kw } = splitArgs(raw);
    return pyJsonDumps(v, {
      indent: kw.indent as number | undefined,
      sortKeys: truthy(kw.sort_keys ?? false),
      ensureAscii: truthy(kw.ensure_ascii ?? true),
    });
  },
  to_nice_json: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    return pyJsonDumps(v, {
      indent: Number(kw.indent ?? pos[0] ?? 4),
      sortKeys: truthy(kw.sort_keys ?? pos[1] ?? true),
      ensureAscii: truthy(kw.ensure_ascii ?? true),
    });
  },
  to_yaml: (v, ...raw) => toYaml(v, { indent: Number(splitArgs(raw).kw.indent ?? 2), inlineLeaves: true }),
  to_nice_yaml: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    return toYaml(v, { indent: Number(kw.indent ?? pos[0] ?? 4) });
  },
  from_json: (v) => fromJson(v),
  from_yaml: (v) => fromYaml(v),
  combine: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    const dicts = [v, ...pos].flatMap((d) => (Array.isArray(d) ? d : [d]));
    for (const d of dicts)
      if (!isDict(reveal(d)))
        throw new TemplateFault(`combine expects dicts, got a ${typeName(d)}`, 'pass dicts to combine');
    return dicts.reduce<Dict>(
      (acc, d) => mergeDicts(acc, d as Dict, truthy(kw.recursive ?? false), String(kw.list_merge ?? 'replace')),
      {},
    );
  },
  dict2items: (v, ...raw) => {
    const { kw } = splitArgs(raw);
    if (!isDict(v)) throw new TemplateFault(`dict2items requires a dictionary, got ${typeName(v)} instead.`);
    const k = String(kw.key_name ?? 'key');
    const n = String(kw.value_name ?? 'value');
    return Object.keys(v).map((key) => ({ [k]: key, [n]: v[key] }));
  },
  items2dict: (v, ...raw) => {
    const { kw } = splitArgs(raw);
    const k = String(kw.key_name ?? 'key');
    const n = String(kw.value_name ?? 'value');
    return Object.fromEntries(
      toList(v).map((item) => {
        if (!isDict(item) || !(k in item) || !(n in item))
          throw new TemplateFault(
            `items2dict: each item needs '${k}' and '${n}' keys`,
            'set key_name/value_name to the keys your items use',
          );
        return [str(item[k]), item[n]];
      }),
    );
  },
  dict: (v) =>
    Object.fromEntries(
      toList(v).map((p) => {
        const pair = toList(p);
        return [str(pair[0]), pair[1]];
      }),
    ),
  list: (v) => [...toList(v)],
  map(this: unknown, v, ...raw) {
    const { pos, kw } = splitArgs(raw);
    const list = toList(v);
    if (kw.attribute !== undefined) return list.map((x) => attr(x, kw.attribute, kw.default));
    const name = String(pos[0]);
    const f = FILTERS[name];
    if (!f) throw new TemplateFault(`map: no filter named '${name}'`, "give map a filter name or attribute='...'");
    const rest = Object.keys(kw).length ? [...pos.slice(1), { ...kw, __keywords: true }] : pos.slice(1);
    return list.map((x) => f.call(this, x, ...rest));
  },
  select: selectWith(true, false),
  reject: selectWith(false, false),
  selectattr: selectWith(true, true),
  rejectattr: selectWith(false, true),
  first: (v) => {
    const l = toList(v);
    return l.length ? l[0] : new Undefined('first', 'the list is empty');
  },
  last: (v) => {
    const l = toList(v);
    return l.length ? l[l.length - 1] : new Undefined('last', 'the list is empty');
  },
  unique: (v) => uniq(toList(v)),
  sort: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    const reverse = truthy(kw.reverse ?? pos[0] ?? false);
    const key = sortKey(truthy(kw.case_sensitive ?? pos[1] ?? false), kw.attribute ?? pos[2]);
    const out = [...toList(v)].sort((a, b) => order(key(a), key(b), '<'));
    return reverse ? out.reverse() : out;
  },
  reverse: (v) => (typeof reveal(v) === 'string' ? [...str(v)].reverse().join('') : [...toList(v)].reverse()),
  length: (v) => toList(v).length,
  min: extreme(-1),
  max: extreme(1),
  sum: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    const a = kw.attribute ?? pos[0];
    return toList(v).reduce<number>(
      (acc, x) => acc + Number(reveal(a === undefined ? x : attr(x, a))),
      Number(kw.start ?? pos[1] ?? 0),
    );
  },
  abs: (v) => Math.abs(Number(reveal(v))),
  round: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    const p = Number(kw.precision ?? pos[0] ?? 0);
    const method = String(kw.method ?? pos[1] ?? 'common');
    const f = 10 ** p;
    const x = Number(reveal(v)) * f;
    // 'common' is Python's round(): halves go to the even neighbour (2.5 -> 2, 3.5 -> 4).
    const half = Math.abs(x - Math.trunc(x)) === 0.5;
    const r =
      method === 'ceil'
        ? Math.ceil(x)
        : method === 'floor'
          ? Math.floor(x)
          : half
            ? 2 * Math.round(x / 2)
            : Math.round(x);
    return r / f;
  },
  ternary: (v, t, f, none) => {
    if ((v === null || v === undefined) && none !== undefined) return none;
    return truthy(v) ? t : f;
  },
  b64encode: (v) => Buffer.from(str(v), 'utf8').toString('base64'),
  b64decode: (v) => b64decode(v),
  hash: (v, algo) => hashOf(algo, v),
  md5: (v) => hashOf('md5', v),
  sha1: (v) => hashOf('sha1', v),
  checksum: (v) => hashOf('sha1', v),
  quote: (v) => shellQuote(v),
  basename: (v) => posix.basename(str(v)),
  dirname: (v) => posix.dirname(str(v)),
  splitext: (v) => {
    const s = str(v);
    const ext = posix.extname(s);
    return [s.slice(0, s.length - ext.length), ext];
  },
  flatten: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    const levels = kw.levels ?? pos[0];
    return flatten(
      toList(v),
      levels === undefined || levels === null ? undefined : Number(levels),
      truthy(kw.skip_nulls ?? true),
    );
  },
  zip: (v, ...others) => {
    const lists = [toList(v), ...splitArgs(others).pos.map(toList)];
    const n = Math.min(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => lists.map((l) => l[i]));
  },
  zip_longest: (v, ...others) => {
    const { pos, kw } = splitArgs(others);
    const lists = [toList(v), ...pos.map(toList)];
    const n = Math.max(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => lists.map((l) => (i < l.length ? l[i] : (kw.fillvalue ?? null))));
  },
  difference: (a, b) => uniq(toList(a).filter((x) => !toList(b).some((y) => equal(x, y)))),
  union: (a, b) => uniq([...toList(a), ...toList(b)]),
  intersect: (a, b) => uniq(toList(a).filter((x) => toList(b).some((y) => equal(x, y)))),
  symmetric_difference: (a, b) => {
    const la = toList(a);
    const lb = toList(b);
    return uniq([...la.filter((x) => !lb.some((y) => equal(x, y))), ...lb.filter((x) => !la.some((y) => equal(x, y)))]);
  },
  indent: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    const w = kw.width ?? pos[0] ?? 4;
    const pad = typeof w === 'string' ? w : ' '.repeat(Number(w));
    const first = truthy(kw.first ?? pos[1] ?? false);
    const blank = truthy(kw.blank ?? pos[2] ?? false);
    const lines = str(v).split('\n');
    return lines.map((l, i) => ((i === 0 && !first) || (!blank && l.trim() === '') ? l : pad + l)).join('\n');
  },
  center: (v, width) => {
    const s = str(v);
    const w = Number(width ?? 80);
    const pad = w - s.length;
    if (pad <= 0) return s;
    // Python's str.center puts the odd space on the left when the width is odd.
    const left = Math.floor(pad / 2) + (pad & w & 1);
    return ' '.repeat(left) + s + ' '.repeat(pad - left);
  },
  format: (v, ...raw) => {
    const { pos, kw } = splitArgs(raw);
    return percentFormat(str(v), Object.keys(kw).length ? kw : pos);
  },
  type_debug: (v) => typeName(reveal(v)),
  extract: (key, container, morekeys) => {
    let cur = (container as Record<string, unknown>)?.[str(key)];
    if (cur === undefined) return new Undefined(`${repr(key)}`, `not found in the container given to extract`);
    for (const k of morekeys === undefined ? [] : Array.isArray(morekeys) ? morekeys : [morekeys]) {
      if (!isDict(cur) || !(str(k) in cur)) return new Undefined(`${str(key)}.${str(k)}`, 'not found by extract');
      cur = cur[str(k)];
    }
    return cur;
  },
  wordcount: (v) => str(v).split(/\s+/).filter(Boolean).length,
};
FILTERS.d = FILTERS.default!;
FILTERS.count = FILTERS.length!;

/** Filters that take undefined values on purpose; all others fail on them (StrictUndefined). */
export const UNDEFINED_SAFE_FILTERS = new Set(['default', 'd', 'mandatory']);
