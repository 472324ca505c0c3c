// Vault values are Secrets. Templates need their real text (a password in my.cnf, a command
// argument), but whatever a template builds from a secret must print masked too. So revealing a
// secret inside a render marks that render as tainted, and the templar wraps the result in a
// Secret again. Renders are synchronous, so a stack of flags is enough.
import { Secret } from '../../secret.js';

const stack: boolean[] = [];

export function trackTaint<T>(fn: () => T): { value: T; tainted: boolean } {
  stack.push(false);
  try {
    const value = fn();
    return { value, tainted: stack[stack.length - 1]! };
  } finally {
    stack.pop();
  }
}

/** The real value of `v` for computing; marks the current render if `v` was a Secret. */
export function reveal(v: unknown): unknown {
  if (v instanceof Secret) {
    if (stack.length) stack[stack.length - 1] = true;
    return v.reveal();
  }
  return v;
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
