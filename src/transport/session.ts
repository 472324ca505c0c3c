// A long-lived remote `sh` fed one framed script at a time, so a command costs a round trip
// instead of a channel open plus sshd's fork and exec of a shell. Each script runs in a
// subshell (so `exit`, `cd` and `set -e` cannot touch the session) with stdin from /dev/null
// (so it cannot eat the next script), and is followed by a random end token on stdout carrying
// the exit code and one on stderr: output cannot fake a token it never saw.

import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import { quote } from './quote.js';
import type { ExecResult } from './types.js';

interface Pending {
  token: string;
  stdout: string;
  stderr: string;
  code?: number;
  stderrDone: boolean;
  started: number;
  resolve(r: ExecResult): void;
  timer?: NodeJS.Timeout;
}

export class RemoteShell {
  #pending: Pending | undefined;
  #dead = false;
  constructor(
    private readonly channel: ClientChannel,
    private readonly onDead: (shell: RemoteShell) => void,
  ) {
    // setEncoding keeps a UTF-8 character split across packets whole.
    channel.setEncoding('utf8');
    channel.stderr.setEncoding('utf8');
    channel.on('data', (d: string) => this.#onStdout(d));
    channel.stderr.on('data', (d: string) => this.#onStderr(d));
    channel.on('close', () => this.#die('the remote shell ended'));
  }

  get busy(): boolean {
    return this.#pending !== undefined;
  }
  get dead(): boolean {
    return this.#dead;
  }

  run(script: string, timeoutMs?: number): Promise<ExecResult> {
    if (this.#pending || this.#dead) throw new Error('remote shell is busy or closed');
    const token = `LVSPLAY-END-${randomBytes(12).toString('hex')}`;
    return new Promise((resolve) => {
      const p: Pending = { token, stdout: '', stderr: '', stderrDone: false, started: performance.now(), resolve };
      this.#pending = p;
      if (timeoutMs) {
        p.timer = setTimeout(() => {
          // The script may still be running: the only way to stop it is to end the shell.
          this.#finish({ code: null, stdout: p.stdout, stderr: p.stderr, ms: 0, timedOut: true });
          this.close();
        }, timeoutMs);
      }
      this.channel.write(
        `( eval ${quote(script)}\n) </dev/null; lvsplay_rc=$?; printf '%s:%d\\n' ${token} "$lvsplay_rc"; printf '%s\\n' ${token} >&2\n`,
      );
    });
  }

  #onStdout(text: string): void {
    const p = this.#pending;
    if (!p) return;
    p.stdout += text;
    const at = p.stdout.indexOf(`${p.token}:`);
    if (at < 0) return;
    const m = /^(\d+)\n/.exec(p.stdout.slice(at + p.token.length + 1));
    if (!m) return;
    p.code = Number(m[1]);
    p.stdout = p.stdout.slice(0, at);
    this.#maybeDone();
  }

  #onStderr(text: string): void {
    const p = this.#pending;
    if (!p) return;
    p.stderr += text;
    const at = p.stderr.indexOf(`${p.token}\n`);
    if (at < 0) return;
    p.stderr = p.stderr.slice(0, at);
    p.stderrDone = true;
    this.#maybeDone();
  }

  #maybeDone(): void {
    const p = this.#pending;
    if (p && p.code !== undefined && p.stderrDone) {
      this.#finish({ code: p.code, stdout: p.stdout, stderr: p.stderr, ms: 0 });
    }
  }

  #finish(r: ExecResult): void {
    const p = this.#pending;
    if (!p) return;
    clearTimeout(p.timer);
    this.#pending = undefined;
    p.resolve({ ...r, ms: performance.now() - p.started });
  }

  #die(why: string): void {
    if (this.#dead) return;
    this.#dead = true;
    const p = this.#pending;
    if (p) this.#finish({ code: null, stdout: p.stdout, stderr: p.stderr + (p.stderr ? '\n' : '') + why, ms: 0 });
    this.onDead(this);
  }

  close(): void {
    if (this.#dead) return;
    this.channel.signal('KILL');
    this.channel.close();
    this.#die('the remote shell was closed');
  }
}
