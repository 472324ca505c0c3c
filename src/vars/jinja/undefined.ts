// Jinja2's StrictUndefined, as Ansible uses it: a missing variable or attribute is a value that
// remembers its name and fails as soon as it is used for anything but `default` or `is defined`.

/** A template failure with the place inside the template; the templar adds the file. */
export class TemplateFault extends Error {
  /** 1-based line/column inside the template text, when known. */
  lineno: number | undefined;
  colno: number | undefined;
  constructor(
    message: string,
    readonly hint?: string,
    line?: number,
    col?: number,
  ) {
    super(message);
    this.lineno = line;
    this.colno = col;
  }
  /** nunjucks calls this to add the template name; we keep it out of the message. */
  Update(): this {
    return this;
  }
}

export class Undefined {
  constructor(
    /** How the template spelled it: `foo`, `hostvars['web1'].foo`. */
    readonly path: string,
    /** Why it is undefined, when more than "not set" (e.g. "'dict object' has no attribute 'x'"). */
    readonly reason?: string,
    readonly line?: number,
    readonly col?: number,
  ) {}

  fault(): TemplateFault {
    const simple = /^\w+$/.test(this.path);
    return new TemplateFault(
      `${simple ? `'${this.path}'` : this.path} is undefined${this.reason ? ` (${this.reason})` : ''}`,
      simple
        ? `define ${this.path} (inventory, group_vars, vars, -e) or give a fallback with "| default(...)"`
        : 'check the name of the key, or give a fallback with "| default(...)"',
      this.line,
      this.col,
    );
  }

  // Any implicit conversion (arithmetic, `~`, string building) fails like StrictUndefined does.
  [Symbol.toPrimitive](): never {
    throw this.fault();
  }
  toString(): never {
    throw this.fault();
  }
  toJSON(): never {
    throw this.fault();
  }
}

export function isUndefined(v: unknown): v is Undefined {
  return v instanceof Undefined;
}

/** Throws the undefined-variable fault if `v` is undefined; returns `v` otherwise. */
export function defined<T>(v: T): Exclude<T, Undefined> {
  if (v instanceof Undefined) throw v.fault();
  return v as Exclude<T, Undefined>;
}
