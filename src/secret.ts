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
