// The Transport over one ssh2 connection per host, reused for the whole run. Commands run on
// exec channels (bounded by ChannelLimiter) or, in 'session' mode, on long-lived remote shells;
// become wraps the command (in session mode, the remote shell: one sudo per shell) and answers
// the password prompt; put is one atomic script.

import { createHash } from 'node:crypto';
import type { Client, ClientChannel } from 'ssh2';
import { BecomeConversation, wrapBecome, type BecomeSpec, type WrappedCommand } from './become.js';
import { openClient, type OpenClient } from './connect.js';
import { ChannelLimiter } from './limiter.js';
import { putScript, readPutOutput } from './put.js';
import { sh, type ShellCommand } from './quote.js';
import { RemoteShell } from './session.js';
import type { ConnectTarget } from './target.js';
import {
  BecomeError,
  UnreachableError,
  type BecomeOpts,
  type ExecResult,
  type HeldCommand,
  type PutOpts,
  type PutResult,
  type RunOpts,
  type Transport,
} from './types.js';

export type TransportMode = 'exec' | 'session';

export interface ConnectOpts {
  /** 'session' (default) keeps remote shells open and feeds them scripts; 'exec' opens a
   * channel per command. Commands with stdin, and su with a password (it needs a terminal),
   * always use exec. */
  mode?: TransportMode;
  /** Channels open at once (OpenSSH MaxSessions default). */
  maxChannels?: number;
  /** Default per-command timeout, ms; none when absent. */
  commandTimeoutMs?: number;
}

interface ExecRequest {
  text: string;
  /** The command itself, before any become wrapper: what a become shell runs. */
  plain: string;
  redact: (s: string) => string;
  stdin?: string | Buffer;
  timeoutMs?: number;
  wrapped?: WrappedCommand;
  become?: BecomeSpec;
}

const BECOME_TIMEOUT_MS = 20_000;

class ChannelRefused extends Error {}

export class SshTransport implements Transport {
  readonly host: string;
  readonly warnings: string[];
  readonly #client: Client;
  readonly #limiter: ChannelLimiter;
  /** Each remote shell with whom it runs as: '' for the login user, else becomeKey(spec). */
  readonly #shells = new Map<RemoteShell, string>();
  readonly #held = new Map<ClientChannel, ((why: string) => void) | undefined>();
  #shellWaiters: (() => void)[] = [];
  #closed: string | undefined;

  constructor(
    private readonly target: ConnectTarget,
    private readonly opened: OpenClient,
    private readonly opts: ConnectOpts,
  ) {
    this.host = target.name;
    this.warnings = opened.warnings;
    this.#client = opened.client;
    this.#limiter = new ChannelLimiter(opts.maxChannels ?? 10);
    this.#client.on('close', () => {
      this.#closed ??= 'the connection was closed';
    });
  }

  /** Channels the server has shown it accepts at once (drops after a refusal). */
  get channelLimit(): number {
    return this.#limiter.limit;
  }

  async run(cmd: ShellCommand, opts: RunOpts = {}): Promise<ExecResult> {
    const command = cmd;
    const become = this.#becomeSpec(opts.become);
    const wrapped = become ? wrapBecome(command, become) : undefined;
    const req: ExecRequest = {
      text: wrapped ? wrapped.command.text : command.text,
      plain: command.text,
      redact: (s) => command.redact(s),
    };
    if (opts.stdin !== undefined) req.stdin = opts.stdin;
    const timeoutMs = opts.timeoutMs ?? this.opts.commandTimeoutMs;
    if (timeoutMs !== undefined) req.timeoutMs = timeoutMs;
    if (wrapped) req.wrapped = wrapped;
    if (become) req.become = become;
    const useShell = (this.opts.mode ?? 'session') === 'session' && opts.stdin === undefined && !wrapped?.pty;
    return useShell ? this.#runInShell(req) : this.#exec(req);
  }

  async put(path: string, content: Buffer | string, opts: PutOpts = {}): Promise<PutResult> {
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const script = putScript(path, data.length, opts);
    const runOpts: RunOpts = { stdin: data };
    if (opts.become !== undefined) runOpts.become = opts.become;
    if (opts.timeoutMs !== undefined) runOpts.timeoutMs = opts.timeoutMs;
    const r = await this.run(script, runOpts);
    const outcome = readPutOutput(r.stdout, r.stderr);
    const result: PutResult = { ...r, stdout: outcome.stdout, stderr: outcome.stderr, ok: r.code === 0 };
    if (!result.ok) result.failedStep = outcome.failedStep ?? 'write';
    if (outcome.backupPath) result.backupPath = outcome.backupPath;
    return result;
  }

  async hold(
    cmd: ShellCommand,
    until: (stdout: string) => boolean,
    waitMs: number,
    onDropped?: (why: string) => void,
  ): Promise<HeldCommand> {
    this.#assertOpen();
    let ch: ClientChannel;
    try {
      ch = await new Promise<ClientChannel>((resolve, reject) =>
        this.#client.exec(cmd.text, (err, c) => (err ? reject(err) : resolve(c))),
      );
    } catch (e) {
      return { output: '', closed: true, error: (e as Error).message, release: () => undefined };
    }
    this.#held.set(ch, onDropped);
    ch.setEncoding('utf8');
    let output = '';
    let closed = false;
    const release = () => {
      this.#held.delete(ch);
      if (!closed) ch.close();
    };
    return new Promise<HeldCommand>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        ch.off('data', onData);
        resolve({ output: cmd.redact(output), closed, release });
      };
      const onData = (d: string) => {
        output += d;
        if (until(cmd.redact(output))) done();
      };
      const timer = setTimeout(done, waitMs);
      ch.on('data', onData);
      ch.stderr.resume();
      ch.once('close', () => {
        closed = true;
        this.#held.delete(ch);
        done();
      });
    });
  }

  async close(): Promise<void> {
    this.#closed ??= 'the transport was closed';
    for (const ch of this.#held.keys()) ch.close();
    this.#held.clear();
    for (const s of this.#shells.keys()) s.close();
    this.opened.close();
  }

  #becomeSpec(b: RunOpts['become']): BecomeSpec | undefined {
    const host = this.target.become;
    if (b === false || (b === undefined && !host.enabled)) return undefined;
    if (typeof b === 'object' && b.ifHost && !host.enabled) return undefined;
    const chosen: BecomeOpts = b === true || b === undefined ? host : b;
    const spec: BecomeSpec = {
      method: chosen.method ?? host.method ?? 'sudo',
      user: chosen.user ?? host.user ?? 'root',
      timeoutMs: chosen.timeoutMs ?? BECOME_TIMEOUT_MS,
    };
    // As in Ansible, the host's ansible_become_flags wins over the become_flags keyword.
    const flags = host.flags ?? chosen.flags;
    if (flags) spec.flags = flags;
    // Becoming the user we already log in as changes nothing: skip the wrapper (and the need
    // for sudo on hosts reached as root).
    if (spec.user === this.target.user) return undefined;
    const password = chosen.password ?? host.password;
    if (password) spec.password = password;
    return spec;
  }

  #assertOpen(): void {
    if (this.#closed) throw new UnreachableError(this.host, 'closed', this.#closed);
  }

  /** Opens a channel, waiting for a free slot and backing off when the server refuses one. */
  async #channel<T>(open: (cb: (err: Error | undefined, ch: T) => void) => void, slotHeld = false): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (!(slotHeld && attempt === 0)) {
        this.#assertOpen();
        if (this.#limiter.active >= this.#limiter.limit) {
          // An idle remote shell holds a channel; give it up rather than wait behind it.
          [...this.#shells.keys()].find((s) => !s.busy)?.close();
        }
        await this.#limiter.acquire();
      }
      try {
        return await new Promise<T>((resolve, reject) => {
          try {
            open((err, ch) => (err ? reject(err) : resolve(ch)));
          } catch (e) {
            reject(e as Error);
          }
        });
      } catch (e) {
        const refused = /Channel open failure/i.test((e as Error).message);
        if (refused && this.#limiter.active <= 1 && this.#held.size > 0) {
          // The server allows no second channel (MaxSessions 1): a held command must give way.
          for (const [ch, onDropped] of this.#held) {
            ch.close();
            onDropped?.('the server allows one channel at a time (sshd MaxSessions)');
          }
          this.#held.clear();
          this.#limiter.release();
          continue;
        }
        if (refused) this.#limiter.lower();
        this.#limiter.release();
        // A remote shell request waits for a busy shell instead of retrying for a slot.
        if (refused && slotHeld && this.#shells.size > 0) throw new ChannelRefused();
        if (!refused || attempt >= 50) {
          this.#closed ??= (e as Error).message;
          throw new UnreachableError(this.host, 'closed', `cannot open a channel: ${(e as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, Math.min(200, 5 * 2 ** Math.min(attempt, 6))));
      }
    }
  }

  async #exec(req: ExecRequest): Promise<ExecResult> {
    const pty = req.wrapped?.pty ?? false;
    if (pty && req.stdin !== undefined) {
      throw new BecomeError(
        this.host,
        'su with a password needs a terminal, which cannot carry file content; use become_method sudo for this task',
      );
    }
    const ch = await this.#channel<ClientChannel>((cb) =>
      this.#client.exec(req.text, pty ? { pty: { term: 'dumb' } } : {}, cb),
    );
    // The slot is held until the server has closed the channel, even after a timeout returned.
    ch.once('close', () => {
      this.#limiter.release();
      this.#wakeShellWaiters();
    });
    return this.#talk(ch, req, pty);
  }

  #talk(ch: ClientChannel, req: ExecRequest, pty: boolean): Promise<ExecResult> {
    const started = performance.now();
    ch.setEncoding('utf8');
    ch.stderr.setEncoding('utf8');
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let becomeFailure: string | undefined;
    const talk = req.wrapped && req.become ? new BecomeConversation(req.wrapped, req.become) : undefined;
    let started_ = !talk;
    const sendStdin = () => {
      if (req.stdin !== undefined) ch.end(req.stdin);
      else if (!pty) ch.end();
    };
    const stop = (why?: string) => {
      if (why) becomeFailure = why;
      ch.signal('KILL');
      ch.close();
    };
    const onBecomeText = (text: string): string => {
      const step = talk!.feed(text);
      if (step.kind === 'started') {
        started_ = true;
        clearTimeout(becomeTimer);
        sendStdin();
        return step.rest;
      }
      if (step.kind === 'answer') ch.write(step.text);
      else if (step.kind === 'fail') stop(step.why);
      return '';
    };
    const becomeTimer = talk ? setTimeout(() => stop(talk.timedOut), req.become!.timeoutMs) : undefined;
    // Under a pty stdout and stderr are one stream, and it is where su talks.
    const becomeStream = pty ? 'stdout' : 'stderr';
    ch.on('data', (d: string) => {
      const text = pty ? d.replace(/\r\n/g, '\n') : d;
      stdout += started_ || becomeStream !== 'stdout' ? text : onBecomeText(text);
    });
    ch.stderr.on('data', (d: string) => {
      stderr += started_ || becomeStream !== 'stderr' ? d : onBecomeText(d);
    });
    if (!talk) sendStdin();
    let onTimeout = () => {};
    const timer = req.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          stop();
          onTimeout();
        }, req.timeoutMs)
      : undefined;
    return new Promise((resolve, reject) => {
      // A command that ignores the kill keeps its channel open; the caller does not wait for it.
      onTimeout = () =>
        resolve({
          code: null,
          stdout: req.redact(stdout),
          stderr: req.redact(stderr),
          ms: performance.now() - started,
          timedOut: true,
        });
      ch.on('close', (code: number | null | undefined, signal?: string) => {
        clearTimeout(timer);
        clearTimeout(becomeTimer);
        if (becomeFailure || (talk && !started_ && !timedOut)) {
          reject(new BecomeError(this.host, req.redact(becomeFailure ?? talk!.endedBeforeStart)));
          return;
        }
        if (this.#closed && code == null && !timedOut) {
          reject(new UnreachableError(this.host, 'closed', `connection lost while running a command: ${this.#closed}`));
          return;
        }
        const r: ExecResult = {
          code: timedOut ? null : (code ?? null),
          stdout: req.redact(stdout),
          stderr: req.redact(stderr),
          ms: performance.now() - started,
        };
        if (signal) r.signal = signal;
        if (timedOut) r.timedOut = true;
        resolve(r);
      });
    });
  }

  /** Runs on an idle remote shell of the same user, a new one while channels are free, or the
   * next to finish. The shell is taken in the same tick it is found, so two callers never share
   * one. A become shell is one sudo (or su) per shell, not per command: sudo's fork, its
   * policy and password check and its log line are paid once per connection. */
  async #onIdleShell(script: string, timeoutMs?: number, become?: BecomeSpec): Promise<ExecResult> {
    const key = become ? becomeKey(become) : '';
    for (;;) {
      this.#assertOpen();
      const idle = [...this.#shells].find(([s, k]) => k === key && !s.busy && !s.dead)?.[0];
      if (idle) return idle.run(script, timeoutMs);
      const free = this.#limiter.tryAcquire();
      if (free) {
        const wrapped = become ? wrapBecome(sh`exec sh`, become) : undefined;
        let ch: ClientChannel;
        try {
          ch = await this.#channel<ClientChannel>(
            (cb) => this.#client.exec(wrapped ? wrapped.command.text : 'exec sh', cb),
            free,
          );
        } catch (e) {
          if (e instanceof ChannelRefused) continue;
          throw e;
        }
        if (wrapped && become) {
          try {
            await this.#becomeOnShell(ch, wrapped, become);
          } catch (e) {
            ch.close();
            this.#limiter.release();
            this.#wakeShellWaiters();
            throw e;
          }
        }
        const shell = new RemoteShell(ch, (s) => {
          this.#shells.delete(s);
          this.#limiter.release();
          this.#wakeShellWaiters();
        });
        this.#shells.set(shell, key);
        return shell.run(script, timeoutMs);
      }
      await new Promise<void>((resolve) => this.#shellWaiters.push(resolve));
    }
  }

  /** Talks sudo (or su) through its start on a new shell's channel: answers one prompt with the
   * password, and resolves when the wrapped shell announces itself. */
  #becomeOnShell(ch: ClientChannel, wrapped: WrappedCommand, spec: BecomeSpec): Promise<void> {
    const talk = new BecomeConversation(wrapped, spec);
    ch.stderr.setEncoding('utf8');
    return new Promise<void>((resolve, reject) => {
      const end = (why?: string) => {
        clearTimeout(timer);
        ch.stderr.off('data', onStderr);
        ch.off('close', onClose);
        if (why === undefined) return resolve();
        ch.signal('KILL');
        reject(new BecomeError(this.host, why));
      };
      const onStderr = (d: string) => {
        const step = talk.feed(d);
        if (step.kind === 'started') end();
        else if (step.kind === 'answer') ch.write(step.text);
        else if (step.kind === 'fail') end(step.why);
      };
      const onClose = () => end(talk.endedBeforeStart);
      const timer = setTimeout(() => end(talk.timedOut), spec.timeoutMs);
      ch.stderr.on('data', onStderr);
      ch.on('close', onClose);
    });
  }

  #wakeShellWaiters(): void {
    const waiters = this.#shellWaiters.splice(0);
    for (const w of waiters) w();
  }

  async #runInShell(req: ExecRequest): Promise<ExecResult> {
    const r = await this.#onIdleShell(req.plain, req.timeoutMs, req.become).finally(() => this.#wakeShellWaiters());
    if (this.#closed && r.code === null && !r.timedOut) {
      throw new UnreachableError(this.host, 'closed', `connection lost while running a command: ${this.#closed}`);
    }
    return { ...r, stdout: req.redact(r.stdout), stderr: req.redact(r.stderr) };
  }
}

/** Which become shell a command may share: same method, user, flags and password. The password
 * enters only as a digest, so the key holds nothing worth reading. */
function becomeKey(spec: BecomeSpec): string {
  const pw = spec.password ? createHash('sha256').update(spec.password.reveal()).digest('hex') : '';
  return JSON.stringify([spec.method, spec.user, spec.flags ?? null, pw]);
}

/** Connects to one host; throws UnreachableError when it cannot. */
export async function connect(target: ConnectTarget, opts: ConnectOpts = {}): Promise<SshTransport> {
  const opened = await openClient(target);
  return new SshTransport(target, opened, opts);
}
