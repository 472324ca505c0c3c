// Argument types with Ansible's loose typing, shared by every module's schema. A value that is
// still a template (`{{ x }}`) cannot be typed at load time: it passes now and the executor
// parses the rendered arguments against the same schema again.
import * as z from 'zod';
import { UnsafeText, VaultText } from '../yaml/load.js';
import { Secret, type Text } from '../secret.js';

export function isTemplated(v: unknown): v is string {
  return typeof v === 'string' && /\{\{|\{%/.test(v);
}

const show = (v: unknown): string => {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'a mapping';
  return String(v);
};

// Ansible's boolean conversion (module_utils/parsing/convert_bool.py).
const TRUE = new Set(['yes', 'on', '1', 'true', 'y', 't']);
const FALSE = new Set(['no', 'off', '0', 'false', 'n', 'f']);

/** A typed argument: converts what Ansible converts, and says what it wanted otherwise. */
function loose<T>(want: string, convert: (v: unknown) => T | undefined) {
  return z.unknown().transform((v, ctx): T => {
    if (v === undefined) {
      ctx.addIssue({ code: 'custom', message: 'is required' });
      return z.NEVER;
    }
    if (isTemplated(v)) return v as unknown as T;
    const out = convert(v);
    if (out === undefined) {
      ctx.addIssue({ code: 'custom', message: `must be ${want}, got ${show(v)}` });
      return z.NEVER;
    }
    return out;
  });
}

export const bool = () =>
  loose<boolean>('a boolean (yes/no, true/false)', (v) => {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
    if (typeof v === 'string') {
      const s = v.trim().toLowerCase();
      return TRUE.has(s) ? true : FALSE.has(s) ? false : undefined;
    }
    return undefined;
  });

/**
 * Text: Ansible turns numbers and booleans given for a string into their text; a secret stays a
 * Secret (the executor reveals it for a module in one place, see moduleInput). An inline vault
 * value is still encrypted at load time: like a template, it passes now and is typed after decryption.
 */
export const str = () =>
  loose<Text>('a string', (v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (v instanceof UnsafeText) return v.text;
    if (v instanceof Secret) return v;
    if (v instanceof VaultText) return v as unknown as Text;
    return undefined;
  });

/**
 * Text as Ansible's `type: str` makes it from another YAML type (Python's str()): `yes` read as a
 * boolean becomes 'True', as a module that writes the value into a file (ini_file) writes it.
 */
export const pyStr = () =>
  z.unknown().pipe(z.preprocess((v) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : v), str()));

export const int = () =>
  loose<number>('an integer', (v) => {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
    return undefined;
  });

export const float = () =>
  loose<number>('a number', (v) => {
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
    return undefined;
  });

/** A list; a string is split on commas as Ansible does for `type: list`. */
export const list = () =>
  loose<unknown[]>('a list', (v) => {
    if (Array.isArray(v)) return v;
    if (typeof v === 'string')
      return v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    if (typeof v === 'number') return [String(v)];
    return undefined;
  });

export const dict = () =>
  loose<Record<string, unknown>>('a mapping', (v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof VaultText)
      ? (v as Record<string, unknown>)
      : undefined,
  );

/** Any value: used where Ansible's type is `raw`. */
export const raw = () => z.unknown();

export function choice<const C extends readonly string[]>(...choices: C) {
  return z.unknown().transform((v, ctx): C[number] => {
    if (v === undefined) {
      ctx.addIssue({ code: 'custom', message: 'is required' });
      return z.NEVER;
    }
    if (isTemplated(v)) return v as C[number];
    const s = typeof v === 'boolean' || typeof v === 'number' ? String(v) : v;
    if (typeof s === 'string' && (choices as readonly string[]).includes(s)) return s as C[number];
    ctx.addIssue({ code: 'custom', message: `must be one of ${choices.join(', ')}; got ${show(v)}` });
    return z.NEVER;
  });
}

/**
 * File mode as Ansible takes it: a number (YAML 1.1 reads `0644` as octal already), an octal
 * string ('0644', '644'), a symbolic mode ('u=rw,g=r') or 'preserve'. Kept as text of octal digits
 * or the symbolic form so the executor never has to guess the base.
 */
export const mode = () =>
  loose<string>("a file mode (0644, '0644', 'u=rw,g=r' or 'preserve')", (v) => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0o7777) return v.toString(8).padStart(4, '0');
    if (typeof v !== 'string') return undefined;
    const s = v.trim();
    if (/^0?[0-7]{3,4}$/.test(s)) return s.padStart(4, '0').slice(-4);
    if (s === 'preserve') return s;
    if (/^([ugoa]*[-+=]([rwxXstugo]*)[,]?)+$/.test(s)) return s;
    return undefined;
  });

/**
 * A module's argument object: Ansible's aliases are renamed to the canonical argument first, so
 * the executor only ever sees canonical names, and any key left unknown is an error.
 */
export function moduleArgs<S extends z.ZodRawShape>(shape: S, aliases: Record<string, keyof S & string> = {}) {
  return z.preprocess((input, ctx) => {
    if (input === null || input === undefined) return {};
    if (typeof input !== 'object' || Array.isArray(input)) return input;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
      const canonical = aliases[k] ?? k;
      if (canonical !== k && Object.hasOwn(input as object, canonical)) {
        ctx.addIssue({ code: 'custom', path: [k], message: `is an alias of '${canonical}', which is also given` });
        continue;
      }
      // `name:` with nothing after it means "not given" to Ansible.
      if (v !== null) out[canonical] = v;
    }
    return out;
  }, z.strictObject(shape));
}

/** Which of a module's arguments are given (refinements use it for required/exclusive rules). */
export const given = (o: Record<string, unknown>, k: string): boolean => o[k] !== undefined && o[k] !== null;
