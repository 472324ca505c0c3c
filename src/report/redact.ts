// Redaction: become passwords, vault values and anything marked secret must never reach the
// screen, a log or a JSON document, errors included. Reporters scrub structured values before
// formatting (so escaping cannot hide a secret) and scrub the final text again (so a secret
// that slipped into a task name or a message is caught too).
import { Secret, SECRET_MASK } from '../secret.js';
import { UnsafeText, VaultText } from '../yaml/load.js';

export const MASK = SECRET_MASK;

/** Ansible's exact wording for a `no_log: true` result. */
export const CENSORED = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

/** Item label Ansible shows for a loop item of a `no_log` task. */
export const CENSORED_ITEM = '(censored due to no_log)';

/**
 * A list of secret strings, read each time text is scrubbed: a Set the runner keeps adding to
 * (vault values decrypted on first use) is honoured as it grows.
 */
export type SecretSource = Iterable<string | Secret>;

/**
 * The forms a secret can take in printed text: raw, escaped inside a JSON string, and, for one
 * of 4 characters or more, the usual transforms a host or a filter may print it in (upper and
 * lower case, reversed, base64).
 */
function needles(secrets: SecretSource): string[] {
  const out = new Set<string>();
  for (const s of secrets) {
    const raw = s instanceof Secret ? s.reveal() : s;
    if (!raw) continue;
    out.add(raw);
    const escaped = JSON.stringify(raw).slice(1, -1);
    if (escaped !== raw) out.add(escaped);
    if (raw.length >= 4) {
      const b64 = Buffer.from(raw, 'utf8').toString('base64');
      for (const form of [
        raw.toUpperCase(),
        raw.toLowerCase(),
        [...raw].reverse().join(''),
        b64,
        b64.replace(/=+$/, ''),
      ])
        out.add(form);
    }
    // A multi-line secret may be printed one line at a time (stdout_lines, diffs).
    for (const line of raw.split('\n')) if (line.trim().length >= 4) out.add(line);
  }
  // Longest first, so a secret containing another is masked whole.
  return [...out].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of every secret in `text` with the mask. */
export function redact(text: string, secrets: SecretSource = []): string {
  let result = text;
  for (const n of needles(secrets)) {
    if (result.includes(n)) result = result.split(n).join(MASK);
  }
  return result;
}

/**
 * Deep copy of a value with every string scrubbed and every `Secret` masked, ready to be
 * formatted by any reporter. Cycles are cut rather than followed.
 */
export function redactValue<T>(value: T, secrets: SecretSource = []): T {
  const list = needles(secrets);
  const scrub = (s: string): string => {
    let r = s;
    for (const n of list) if (r.includes(n)) r = r.split(n).join(MASK);
    return r;
  };
  const seen = new WeakSet<object>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub(v);
    if (v instanceof Secret || v instanceof VaultText) return MASK;
    if (v instanceof UnsafeText) return scrub(v.text);
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return '[circular]';
    seen.add(v);
    let out: unknown;
    if (Array.isArray(v)) out = v.map(walk);
    else if (v instanceof Date) out = v.toISOString();
    else {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = walk(x);
      out = o;
    }
    seen.delete(v);
    return out;
  };
  return walk(value) as T;
}

/**
 * The run's secrets plus every vault value decrypted so far, read afresh at each print (values
 * are decrypted as the run goes). Values under 4 characters are left out: masking every "1" or
 * "on" would garble the whole output.
 */
export function withRevealedVault(secrets: Iterable<string>, vault: { revealed?: Set<string> }): Iterable<string> {
  return {
    *[Symbol.iterator]() {
      yield* secrets;
      for (const v of vault.revealed ?? []) if (v.length >= 4) yield v;
    },
  };
}
