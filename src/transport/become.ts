// Privilege escalation is the transport's job: a command is wrapped in sudo or su, and the
// wrapped command announces itself with a random marker on stderr before it runs. Until the
// marker shows up, stderr is sudo's (or su's) own: a prompt we answer once with the password,
// or a refusal. The prompt is random per run so no program output can fake it, and the
// password only ever travels on stdin, never in a command line or a log.

import { randomBytes } from 'node:crypto';
import type { Secret } from '../secret.js';
import { asWord, sh, type ShellCommand } from './quote.js';
import type { BecomeMethod } from './types.js';

export interface BecomeSpec {
  method: BecomeMethod;
  user: string;
  password?: Secret;
  timeoutMs: number;
  /** become_flags, split into words. */
  flags?: string[];
}

export interface WrappedCommand {
  command: ShellCommand;
  /** Printed on stderr (stdout under a pty) right before the real command starts. */
  marker: string;
  /** The exact prompt sudo prints; for su, any "Password:" prompt. */
  prompt: string | RegExp;
  /** su cannot read a password from a pipe: it needs a terminal. */
  pty: boolean;
}

const runToken = randomBytes(6).toString('hex');
export const SUDO_PROMPT = `[lvsplay-sudo-${runToken}]`;

export function wrapBecome(cmd: ShellCommand, spec: BecomeSpec): WrappedCommand {
  const marker = `LVSPLAY-BECOME-${randomBytes(8).toString('hex')}`;
  const inner = sh`printf '%s\n' ${marker} >&2; ${cmd}`;
  if (spec.method === 'su') {
    return {
      command: sh`su ${spec.flags ?? []} - ${spec.user} -c ${asWord(inner)}`,
      marker,
      prompt: /(?:^|\n)[^\n]*assword[^\n]*:\s*$/,
      pty: spec.password !== undefined,
    };
  }
  return {
    command: sh`sudo ${sudoFlags(spec)} -S -p ${SUDO_PROMPT} -u ${spec.user} -- sh -c ${asWord(inner)}`,
    marker,
    prompt: SUDO_PROMPT,
    pty: false,
  };
}

/**
 * become_flags replace sudo's default -H; -S and the prompt stay (the password goes on stdin).
 * With a password, -n (never prompt) is dropped, as Ansible's sudo plugin does.
 */
function sudoFlags(spec: BecomeSpec): string[] {
  if (!spec.flags) return ['-H'];
  if (!spec.password) return spec.flags;
  return spec.flags
    .filter((f) => f !== '-n' && f !== '--non-interactive')
    .map((f) => (f.startsWith('--') ? f : f.replace(/^(-\w*)n(\w*)$/, '$1$2')))
    .filter((f) => f !== '-');
}

export type BecomeEvent = { kind: 'wait' } | { kind: 'prompt' } | { kind: 'started'; rest: string };

/** Reads sudo/su's side of the conversation until the marker says the command has started. */
export class BecomeWatcher {
  #buf = '';
  constructor(private readonly wrapped: WrappedCommand) {}
  /** Feeds text; a prompt is reported once per occurrence, the buffer then restarts. */
  feed(chunk: string): BecomeEvent {
    this.#buf += chunk;
    const at = this.#buf.indexOf(this.wrapped.marker);
    if (at >= 0) {
      const after = this.#buf.slice(at + this.wrapped.marker.length).replace(/^\r?\n/, '');
      this.#buf = '';
      return { kind: 'started', rest: after };
    }
    const p = this.wrapped.prompt;
    if (typeof p === 'string' ? this.#buf.includes(p) : p.test(this.#buf)) {
      this.#buf = '';
      return { kind: 'prompt' };
    }
    return { kind: 'wait' };
  }
  /** What sudo/su said before giving up (for the error message). */
  get said(): string {
    return this.#buf;
  }
}

export type BecomeStep =
  | { kind: 'wait' }
  | { kind: 'started'; rest: string }
  /** Write this (the password and a newline) to the command's stdin. */
  | { kind: 'answer'; text: string }
  /** Stop the command: becoming failed, for this reason. */
  | { kind: 'fail'; why: string };

/**
 * The transport's side of sudo's (or su's) conversation, for a command and for a remote shell
 * alike: the first prompt is answered with the password, a prompt without one or a second
 * prompt is a failure; and the reasons given when it ends before the marker.
 */
export class BecomeConversation {
  readonly #watcher: BecomeWatcher;
  #prompts = 0;
  constructor(
    wrapped: WrappedCommand,
    private readonly spec: BecomeSpec,
  ) {
    this.#watcher = new BecomeWatcher(wrapped);
  }

  feed(chunk: string): BecomeStep {
    const ev = this.#watcher.feed(chunk);
    if (ev.kind !== 'prompt') return ev;
    const { method, user, password } = this.spec;
    if (!password)
      return {
        kind: 'fail',
        why: `${method} asks for a password to become ${user}; set ansible_become_password or use --ask-become-pass`,
      };
    if (++this.#prompts > 1) return { kind: 'fail', why: `incorrect ${method} password to become ${user}` };
    return { kind: 'answer', text: `${password.reveal()}\n` };
  }

  /** Why becoming failed when the command ended before it started, with what sudo or su said. */
  get endedBeforeStart(): string {
    const said = this.#watcher.said.replace(/\[lvsplay-sudo-[0-9a-f]+\]/g, '').trim();
    return `${this.spec.method} failed to become ${this.spec.user}${said ? `: ${said}` : ''}`;
  }

  get timedOut(): string {
    return `${this.spec.method} did not start the command within ${this.spec.timeoutMs / 1000}s`;
  }
}
