// One ssh connection per host (and login: a task with another remote_user or port gets its own)
// for the whole run, opened on first use. A host that cannot be reached is remembered as such,
// so later tasks fail fast instead of retrying the handshake.
import { connect, targetFromVars, UnreachableError, type Transport, type TargetOpts } from '../transport/index.js';
import type { ConnectOpts } from '../transport/index.js';
import { LvsplayError, formatDiagnostic } from '../diagnostics.js';
import { LOCALHOST_NAMES } from '../inventory/index.js';
import { LocalTransport } from '../transport/local.js';
import { DEFAULT_LOCK_PATH, takeRunLock, type RunLockOptions } from './run-lock.js';
import { availableParallelism } from 'node:os';
import { Semaphore } from '../semaphore.js';

/**
 * Handshakes in progress at once, whatever forks says. A handshake costs CPU on both ends (key
 * exchange, signatures; sshd forks and re-executes itself for each): hundreds begun together on
 * a small controller each wait for the CPU, and their ConnectTimeout runs out while they wait
 * behind the others (500 lab hosts at forks 500 on 2 cores: some unreachable in every run). In
 * turn, each finishes in milliseconds. The same reason as OpenSSH's MaxStartups on the server.
 */
const HANDSHAKES_AT_ONCE = Math.max(16, 8 * availableParallelism());

export interface PoolOptions {
  /** Take each remote host's run lock on connecting (runs that change hosts). */
  runLock?: RunLockOptions;
  /** Told what the operator should know about a host: its run lock (waiting for it, none taken)
   * and the transport's notes (a host key recorded or accepted unchecked, an unusable identity). */
  onNote?: (host: string, message: string) => void;
}

export class ConnectionPool {
  readonly #open = new Map<string, Promise<Transport>>();
  /** host \0 note: each is told once per run, as ssh tells it once per connection. */
  readonly #told = new Set<string>();
  readonly #handshakes = new Semaphore(HANDSHAKES_AT_ONCE);

  constructor(
    private readonly targetOpts: TargetOpts = {},
    private readonly connectOpts: ConnectOpts = {},
    private readonly poolOpts: PoolOptions = {},
  ) {}

  /** The host's transport; `vars` are its (rendered) connection variables. */
  get(host: string, vars: Record<string, unknown>): Promise<Transport> {
    const key = loginKey(host, vars);
    let p = this.#open.get(key);
    if (!p) {
      p = this.#connect(host, vars);
      this.#open.set(key, p);
      // Keep the rejection handled here; callers await the same promise.
      p.catch(() => undefined);
    }
    return p;
  }

  async #connect(host: string, vars: Record<string, unknown>): Promise<Transport> {
    // Ansible's implicit localhost, and any host set to the local connection, run here.
    const conn = vars.ansible_connection;
    if (conn === 'local' || (conn === undefined && LOCALHOST_NAMES.includes(host) && vars.ansible_host === undefined))
      return new LocalTransport(host);
    let target;
    try {
      target = targetFromVars(host, vars, this.targetOpts);
    } catch (e) {
      if (e instanceof LvsplayError)
        throw new UnreachableError(host, 'proxy-failed', e.diagnostics.map(formatDiagnostic).join('; '));
      throw e;
    }
    const t = await this.#handshakes.use(() => connect(target!, this.connectOpts));
    for (const w of t.warnings) this.#note(host, w);
    const lock = this.poolOpts.runLock;
    const path = lockPath(vars.lvsplay_run_lock);
    if (lock && path) {
      try {
        await takeRunLock(t, path, lock, (message) => this.#note(host, message));
      } catch (e) {
        await t.close();
        throw e;
      }
    }
    return t;
  }

  #note(host: string, message: string): void {
    const key = `${host}\0${message}`;
    if (this.#told.has(key)) return;
    this.#told.add(key);
    this.poolOpts.onNote?.(host, message);
  }

  /** Drops a host's connection (after it died), so the next use reconnects. */
  forget(host: string): void {
    for (const [key, p] of this.#open)
      if (key === host || key.startsWith(`${host}\0`)) {
        this.#open.delete(key);
        p.then((t) => t.close()).catch(() => undefined);
      }
  }

  async closeAll(): Promise<void> {
    const all = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(all.map((p) => p.then((t) => t.close()).catch(() => undefined)));
  }
}

/** The host's `lvsplay_run_lock`: a path, or false/'' for no lock; the default path when unset. */
function lockPath(v: unknown): string | undefined {
  if (v === undefined || v === null || v === true) return DEFAULT_LOCK_PATH;
  if (v === false || v === '' || (typeof v === 'string' && /^(false|no|off|0)$/i.test(v))) return undefined;
  return String(v);
}

/** The host plus what makes a different login: the same host as another user is another connection. */
function loginKey(host: string, vars: Record<string, unknown>): string {
  const parts = ['ansible_connection', 'ansible_host', 'ansible_user', 'ansible_port'].map((k) =>
    vars[k] === undefined || vars[k] === null ? '' : String(vars[k]),
  );
  return parts.every((p) => p === '') ? host : [host, ...parts].join('\0');
}
