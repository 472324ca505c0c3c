// The one place shell text is built. Every interpolated value becomes one POSIX single-quoted
// word ('...'\''...'), so `$(...)`, backticks, quotes, `;` and newlines reach the remote
// command literally under dash, busybox sh and bash alike. `$'...'` is never produced: it is a
// bash-ism the targets' /bin/sh may not understand.

import { Secret, SECRET_MASK } from '../secret.js';

/** A trusted fragment of shell text, inserted as is. Only for text written in our own code. */
export class RawShell {
  constructor(readonly text: string) {}
}

/** Marks a trusted fragment (an operator, a redirection) so `sh` inserts it unquoted. */
export function raw(text: string): RawShell {
  return new RawShell(text);
}

export type ShellValue =
  string | number | bigint | Secret | RawShell | ShellCommand | QuotedCommand | readonly ShellValue[];

/**
 * Shell text ready to send. `text` is what runs; `redacted` is the same text with every Secret
 * masked, for logs and errors. `toString()` gives the redacted form so a command that slips
 * into a message never leaks a secret.
 */
export class ShellCommand {
  readonly #secrets: readonly string[];
  constructor(
    readonly text: string,
    readonly redacted: string,
    secrets: readonly string[] = [],
  ) {
    this.#secrets = secrets;
  }
  /** True when the command carries a secret value. */
  get hasSecrets(): boolean {
    return this.#secrets.length > 0;
  }
  /** Masks the command's secret values in text the command produced (its stdout, stderr). */
  redact(output: string): string {
    let out = output;
    for (const s of this.#secrets) if (s.length > 0) out = out.split(s).join(SECRET_MASK);
    return out;
  }
  /** The secret values, for composing commands; never print them. */
  secretValues(): readonly string[] {
    return this.#secrets;
  }
  toString(): string {
    return this.redacted;
  }
  toJSON(): string {
    return this.redacted;
  }
}

/** A whole command interpolated as ONE quoted word, as `sh -c ${asWord(cmd)}` needs. */
export class QuotedCommand {
  constructor(readonly command: ShellCommand) {}
}

export function asWord(cmd: ShellCommand | string): QuotedCommand {
  return new QuotedCommand(typeof cmd === 'string' ? new ShellCommand(cmd, cmd) : cmd);
}

// Words made only of these characters mean the same quoted or not; leaving them bare keeps
// logged commands readable. `=` is excluded (a leading `a=b` word is an assignment) and so is
// `~` (tilde expansion).
const BARE_WORD = /^[A-Za-z0-9_/.,:@%+-]+$/;

/** Quotes one value as a single POSIX shell word. */
export function quote(value: string): string {
  if (value.includes('\0')) {
    throw new RangeError('a shell word cannot contain a NUL byte');
  }
  if (BARE_WORD.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

interface Piece {
  text: string;
  redacted: string;
  secrets: string[];
}

function piece(value: ShellValue): Piece {
  if (value instanceof RawShell) return { text: value.text, redacted: value.text, secrets: [] };
  if (value instanceof ShellCommand) {
    return { text: value.text, redacted: value.redacted, secrets: [...value.secretValues()] };
  }
  if (value instanceof QuotedCommand) {
    const c = value.command;
    return { text: quote(c.text), redacted: quote(c.redacted), secrets: [...c.secretValues()] };
  }
  if (value instanceof Secret) {
    const real = value.reveal();
    return { text: quote(real), redacted: quote(SECRET_MASK), secrets: [real] };
  }
  if (Array.isArray(value)) {
    const parts = (value as readonly ShellValue[]).map(piece);
    return {
      text: parts.map((p) => p.text).join(' '),
      redacted: parts.map((p) => p.redacted).join(' '),
      secrets: parts.flatMap((p) => p.secrets),
    };
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') {
    const q = quote(String(value));
    return { text: q, redacted: q, secrets: [] };
  }
  // undefined, null, objects: interpolating them is a bug in the caller, never a word.
  throw new TypeError(`cannot interpolate ${value === null ? 'null' : typeof value} into a shell command`);
}

/**
 * Tagged template building a ShellCommand: sh`rm -f ${path}` quotes `path`; arrays become
 * several words; raw() inserts trusted text; a Secret stays masked in `redacted`.
 */
export function sh(strings: TemplateStringsArray, ...values: ShellValue[]): ShellCommand {
  let text = strings[0] ?? '';
  let redacted = text;
  const secrets: string[] = [];
  values.forEach((v, i) => {
    const p = piece(v);
    const tail = strings[i + 1] ?? '';
    text += p.text + tail;
    redacted += p.redacted + tail;
    secrets.push(...p.secrets);
  });
  return new ShellCommand(text, redacted, secrets);
}

/** Joins commands with a separator (e.g. '\n' or ' && '), keeping their secrets. */
export function joinCommands(cmds: readonly ShellCommand[], separator = '\n'): ShellCommand {
  return new ShellCommand(
    cmds.map((c) => c.text).join(separator),
    cmds.map((c) => c.redacted).join(separator),
    cmds.flatMap((c) => [...c.secretValues()]),
  );
}

/** A plain string is trusted shell text written by the caller (a `shell:` task's script). */
export function toCommand(cmd: ShellCommand | string): ShellCommand {
  return typeof cmd === 'string' ? new ShellCommand(cmd, cmd) : cmd;
}
