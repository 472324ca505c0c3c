// Vault values are Secrets. Templates need their real text (a password in my.cnf, a command
// argument), but whatever a template builds from a secret must print masked too. So revealing a
// secret inside a render marks that render as tainted, and the templar wraps the result in a
// Secret again. An error raised by a tainted render may quote what it was computing on (a
// from_json error quotes its input, a lookup its argument): its quoted parts that come from a
// revealed secret are masked before it leaves. Renders are synchronous, so a stack is enough.
import { diag, LvsplayError } from '../../diagnostics.js';
import { Secret, SECRET_MASK } from '../../secret.js';

const stack: Set<string>[] = [];

export function trackTaint<T>(fn: () => T): { value: T; tainted: boolean } {
  const revealed = new Set<string>();
  stack.push(revealed);
  try {
    const value = fn();
    return { value, tainted: revealed.size > 0 };
  } catch (e) {
    throw revealed.size && e instanceof LvsplayError ? maskedError(e, revealed) : e;
  } finally {
    stack.pop();
  }
}

/** The real value of `v` for computing; marks the current render if `v` was a Secret. */
export function reveal(v: unknown): unknown {
  if (v instanceof Secret) {
    stack.at(-1)?.add(v.reveal());
    return v.reveal();
  }
  return v;
}

/** Has the current render revealed a secret (so what it computes on may be one)? */
export function renderIsTainted(): boolean {
  return (stack.at(-1)?.size ?? 0) > 0;
}

/** Strings (deeply) become Secrets: the result of a render that read a secret. */
export function taintDeep(v: unknown): unknown {
  if (typeof v === 'string') return new Secret(v);
  if (Array.isArray(v)) return v.map(taintDeep);
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, taintDeep(x)]));
  }
  return v;
}

/**
 * `text` with every secret masked, and every quoted part ('...' or "...") that is a piece of a
 * secret (a prefix quoted by a parser, one character of it) or holds one masked whole.
 */
export function maskSecretsIn(text: string, secrets: Iterable<string>): string {
  const list = [...secrets].filter((s) => s !== '');
  const fromSecret = (q: string) => q !== '' && list.some((s) => s.includes(q) || q.includes(s));
  let out = text.replace(/'([^'\n]*)'|"([^"\n]*)"/g, (m, a?: string, b?: string) =>
    fromSecret(a ?? b ?? '') ? `${m[0]}${SECRET_MASK}${m[0]}` : m,
  );
  for (const s of list.sort((x, y) => y.length - x.length)) if (s.length >= 4) out = out.split(s).join(SECRET_MASK);
  return out;
}

function maskedError(e: LvsplayError, secrets: Set<string>): LvsplayError {
  return new LvsplayError(
    e.diagnostics.map((d) =>
      diag(
        maskSecretsIn(d.message, secrets),
        d.pos,
        d.hint === undefined ? undefined : maskSecretsIn(d.hint, secrets),
        d.severity,
      ),
    ),
    e.exitCode,
  );
}
