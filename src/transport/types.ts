// The transport's contract with the executor: run a command, put a file, close. A non-zero exit
// is a value in ExecResult; only a host we cannot reach (or a become that cannot start) throws.

import type { Secret } from '../secret.js';
import type { ShellCommand } from './quote.js';

export type BecomeMethod = 'sudo' | 'su';

export interface BecomeOpts {
  method?: BecomeMethod; // default sudo
  user?: string; // default root
  password?: Secret;
  /** How long to wait for sudo/su to start the command (prompt answered or not). */
  timeoutMs?: number;
  /** become_flags: words put before the user, instead of sudo's -H (or, for su, none). */
  flags?: string[];
  /** Become only where the host does (ansible_become), with these settings on top. */
  ifHost?: boolean;
}

export interface RunOpts {
  /** true: the host's become settings (ansible_become_*); false: never; object: these. */
  become?: BecomeOpts | boolean;
  stdin?: string | Buffer;
  timeoutMs?: number;
}

export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut?: boolean;
}

export interface PutOpts {
  mode?: number;
  owner?: string;
  group?: string;
  become?: BecomeOpts | boolean;
  /** A command with %s, run on the temp file before it replaces the target. */
  validate?: string;
  /** Keep the old file as PATH.<epoch>.<pid>@... (Ansible's naming: PATH.YYYY-MM-DD@HH:MM:SS~). */
  backup?: boolean;
  timeoutMs?: number;
}

/** Where a put stopped; absent when the file is in place. */
export type PutStep = 'write' | 'verify' | 'owner' | 'mode' | 'validate' | 'backup' | 'rename';

export interface PutResult extends ExecResult {
  ok: boolean;
  failedStep?: PutStep;
  /** Path of the backup copy when one was made. */
  backupPath?: string;
}

/** A command left running on a channel of its own (the run lock's holder). */
export interface HeldCommand {
  /** What it printed on stdout until `until` was satisfied, it ended, or the wait ran out. */
  readonly output: string;
  /** True when the command had already ended. */
  readonly closed: boolean;
  /** Why the channel could not be opened or ended, when it did. */
  readonly error?: string;
  /** Ends the command by closing its channel. */
  release(): void;
}

export interface Transport {
  readonly host: string;
  /** Notes for the operator (a new host key recorded, a missing identity file). */
  readonly warnings: string[];
  run(cmd: ShellCommand, opts?: RunOpts): Promise<ExecResult>;
  /** Starts `cmd` on a channel of its own, outside the channel bound, and resolves once its
   * output satisfies `until`, it ends, or `waitMs` passes; the command runs on until released.
   * `onDropped` is told if the transport ends it first (a server that allows one channel only). */
  hold?(
    cmd: ShellCommand,
    until: (stdout: string) => boolean,
    waitMs: number,
    onDropped?: (why: string) => void,
  ): Promise<HeldCommand>;
  put(path: string, content: Buffer | string, opts?: PutOpts): Promise<PutResult>;
  close(): Promise<void>;
}

export type UnreachableReason =
  | 'refused'
  | 'timeout'
  | 'auth'
  | 'hostkey-changed'
  | 'hostkey-unknown'
  | 'hostkey-revoked'
  | 'dns'
  | 'proxy-failed'
  | 'closed'
  | 'locked';

/** A host that cannot be reached: the executor marks it unreachable and goes on. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
  constructor(
    readonly host: string,
    readonly reason: UnreachableReason,
    message: string,
  ) {
    super(`${host}: ${message}`);
  }
}

/** sudo/su could not start the command: wrong or missing password, or no prompt answer. */
export class BecomeError extends Error {
  override readonly name = 'BecomeError';
  constructor(
    readonly host: string,
    message: string,
  ) {
    super(`${host}: ${message}`);
  }
}
