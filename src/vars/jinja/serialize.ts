// to_json / to_yaml as Ansible prints them: Python's json.dumps layout (", " and ": "
// separators, ASCII escapes) and PyYAML-like block YAML with sorted keys.
import { parse, stringify } from 'yaml';
import { Secret } from '../../secret.js';
import { TemplateFault, Undefined } from './undefined.js';
import { isDict } from './python.js';
import { renderIsTainted, reveal } from './taint.js';

function jsonString(s: string, ensureAscii: boolean): string {
  const j = JSON.stringify(s);
  return ensureAscii ? j.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : j;
}

export interface JsonOptions {
  indent?: number;
  sortKeys?: boolean;
  ensureAscii?: boolean;
  itemSep?: string;
  keySep?: string;
}

export function pyJsonDumps(value: unknown, o: JsonOptions = {}, level = 0): string {
  const v = reveal(value);
  if (v instanceof Undefined) throw v.fault();
  const ensureAscii = o.ensureAscii ?? true;
  const itemSep = o.itemSep ?? (o.indent !== undefined ? ',' : ', ');
  const keySep = o.keySep ?? ': ';
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN';
  if (typeof v === 'string') return jsonString(v, ensureAscii);
  const nl = o.indent !== undefined ? `\n${' '.repeat(o.indent * (level + 1))}` : '';
  const end = o.indent !== undefined ? `\n${' '.repeat(o.indent * level)}` : '';
  if (Array.isArray(v)) {
    if (!v.length) return '[]';
    return `[${nl}${v.map((x) => pyJsonDumps(x, o, level + 1)).join(itemSep + nl)}${end}]`;
  }
  if (isDict(v)) {
    const keys = Object.keys(v);
    if (o.sortKeys) keys.sort();
    if (!keys.length) return '{}';
    return `{${nl}${keys.map((k) => jsonString(k, ensureAscii) + keySep + pyJsonDumps(v[k], o, level + 1)).join(itemSep + nl)}${end}}`;
  }
  throw new TemplateFault(`cannot convert a ${typeof v} to JSON`);
}

/** Deep copy with Secrets revealed and undefined values refused, ready for a YAML dumper. */
function plainData(v: unknown): unknown {
  const x = reveal(v);
  if (x instanceof Undefined) throw x.fault();
  if (x instanceof Secret) return x.reveal();
  if (Array.isArray(x)) return x.map(plainData);
  if (isDict(x)) return Object.fromEntries(Object.keys(x).map((k) => [k, plainData(x[k])]));
  return x;
}

function yamlScalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string' && v.includes('\n')) return JSON.stringify(v);
  return stringify(v, { version: '1.1', lineWidth: 0 }).replace(/\n$/, '');
}

const isCollection = (v: unknown): v is unknown[] | Record<string, unknown> => Array.isArray(v) || isDict(v);
const isEmpty = (v: unknown[] | Record<string, unknown>) =>
  Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;

function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (isDict(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${yamlScalar(k)}: ${flow(v[k])}`)
      .join(', ')}}`;
  return yamlScalar(v);
}

/**
 * PyYAML's dump as Ansible calls it: keys sorted, a list's dashes level with its key, nested
 * maps indented by `indent`. With `inlineLeaves` (to_yaml: PyYAML's default_flow_style=None) a
 * list or dict holding only scalars is written inline.
 */
function block(v: unknown, indent: number, inlineLeaves: boolean, pad: string): string[] {
  const inline = (x: unknown) =>
    !isCollection(x) ||
    isEmpty(x) ||
    (inlineLeaves && (Array.isArray(x) ? x : Object.values(x)).every((y) => !isCollection(y)));
  const lines: string[] = [];
  if (Array.isArray(v)) {
    for (const item of v) {
      if (inline(item)) lines.push(`${pad}- ${flow(item)}`);
      else {
        const inner = block(item, indent, inlineLeaves, pad + ' '.repeat(indent));
        const first = inner[0]!.slice(pad.length + indent);
        lines.push(`${pad}-${' '.repeat(indent - 1)}${first}`, ...inner.slice(1));
      }
    }
  } else if (isDict(v)) {
    for (const k of Object.keys(v).sort()) {
      const x = v[k];
      if (inline(x)) lines.push(`${pad}${yamlScalar(k)}: ${flow(x)}`);
      else
        lines.push(
          `${pad}${yamlScalar(k)}:`,
          ...block(x, indent, inlineLeaves, Array.isArray(x) ? pad : pad + ' '.repeat(indent)),
        );
    }
  }
  return lines;
}

export function toYaml(value: unknown, opts: { indent?: number; inlineLeaves?: boolean }): string {
  const data = plainData(value);
  const inlineTop =
    !isCollection(data) ||
    isEmpty(data) ||
    (opts.inlineLeaves && (Array.isArray(data) ? data : Object.values(data)).every((y) => !isCollection(y)));
  if (inlineTop) return `${flow(data)}\n`;
  return `${block(data, opts.indent ?? 2, opts.inlineLeaves ?? false, '').join('\n')}\n`;
}

/** A parser's complaint; only where it is when the text may be a secret (parsers quote their input). */
function parseFault(what: string, e: unknown): TemplateFault {
  const message = (e as Error).message.split('\n')[0]!;
  if (!renderIsTainted()) return new TemplateFault(`${what}: ${message}`);
  const at = /(?:at )?(?:position \d+|line \d+, column \d+)/.exec(message)?.[0];
  return new TemplateFault(
    `${what}${at ? ` (${at})` : ''}; the text is a secret, so the parser's message is not shown`,
    'check the value of the secret (ansible-vault view) and what it is filtered with',
  );
}

export function fromYaml(text: unknown): unknown {
  try {
    return parse(String(reveal(text)), { version: '1.1', merge: true });
  } catch (e) {
    throw parseFault('from_yaml: the text is not valid YAML', e);
  }
}

export function fromJson(text: unknown): unknown {
  try {
    return JSON.parse(String(reveal(text)));
  } catch (e) {
    throw parseFault('from_json: the text is not valid JSON', e);
  }
}
