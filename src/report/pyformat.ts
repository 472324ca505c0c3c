// ansible-playbook prints results with Python's json.dumps(sort_keys=True) and loop item labels
// with Python's str(); people grep and diff that output, so we print the same text.
import { pyQuote } from '../pyquote.js';
import { MASK } from './redact.js';
import { Secret } from '../secret.js';

/** Python's `json.dumps(value, sort_keys=True, indent=indent, ensure_ascii=False)`. */
export function pyJson(value: unknown, indent?: number): string {
  return dump(value, indent, 0);
}

function dump(value: unknown, indent: number | undefined, depth: number): string {
  if (value instanceof Secret) return JSON.stringify(MASK);
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value !== 'object') return JSON.stringify(String(value));
  const entries: Array<[string | undefined, unknown]> = Array.isArray(value)
    ? value.map((v) => [undefined, v])
    : Object.keys(value as object)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => [k, (value as Record<string, unknown>)[k]]);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return open + close;
  const parts = entries.map(([k, v]) => (k === undefined ? '' : `${JSON.stringify(k)}: `) + dump(v, indent, depth + 1));
  if (indent === undefined) return open + parts.join(', ') + close;
  const pad = ' '.repeat(indent * (depth + 1));
  return `${open}\n${pad}${parts.join(`,\n${pad}`)}\n${' '.repeat(indent * depth)}${close}`;
}

/** Python's `str()` of a loop item, as Ansible prints `(item=...)`. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

function pyRepr(value: unknown): string {
  if (value instanceof Secret) return `'${MASK}'`;
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return pyQuote(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const items = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyQuote(k)}: ${pyRepr(v)}`);
    return `{${items.join(', ')}}`;
  }
  return String(value);
}
