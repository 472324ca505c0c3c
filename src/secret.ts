// A value that must never reach output or logs: it prints masked wherever it is turned into
// text (template output, JSON, util.inspect), and only `reveal()` gives the real value.

const MASK = '********';
const inspect = Symbol.for('nodejs.util.inspect.custom');

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return MASK;
  }
  toJSON(): string {
    return MASK;
  }
  [inspect](): string {
    return MASK;
  }
}

export function isSecret(v: unknown): v is Secret {
  return v instanceof Secret;
}

export function revealIfSecret(v: unknown): unknown {
  return v instanceof Secret ? v.reveal() : v;
}

export const SECRET_MASK = MASK;

/** A module's text argument: plain, or a secret that only the command builder reveals. */
export type Text = string | Secret;

/** The real text of a text argument (for controller-side code, which keeps Secrets). */
export function textOf(t: Text): string {
  return t instanceof Secret ? t.reveal() : t;
}

/** A value with every Secret in it replaced by its text: module arguments as a module reads them. */
export type Revealed<T> = T extends Secret
  ? string
  : T extends readonly (infer U)[]
    ? Revealed<U>[]
    : T extends Record<string, unknown>
      ? { [K in keyof T]: Revealed<T[K]> }
      : T;

/**
 * Deep copy of `v` (arrays and plain objects) with every Secret replaced by its text; `found` is
 * told each text revealed and the top-level key it was under.
 */
export function revealDeep<T>(v: T, found: (text: string, key: string | undefined) => void): Revealed<T> {
  const walk = (x: unknown, key: string | undefined): unknown => {
    if (x instanceof Secret) {
      found(x.reveal(), key);
      return x.reveal();
    }
    if (Array.isArray(x)) return x.map((y) => walk(y, key));
    if (x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype)
      return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, walk(y, key ?? k)]));
    return x;
  };
  return walk(v, undefined) as Revealed<T>;
}
