// The run lock: while a run changes a host, it holds an flock(2) on a file of that host, so a
// second run (another operator, CI) cannot interleave its changes. The lock is held by one
// `cat` on a channel of its own, reading that channel's stdin: it ends, and the kernel drops the
// lock, when the run closes the channel, when the run's connection closes, or when the controller
// dies and sshd tears the session down. Nothing needs cleaning after a crash; the file only says
// who took the lock last. Check mode changes nothing and takes no lock.
import { hostname, userInfo } from 'node:os';
import { randomBytes } from 'node:crypto';
import { sh, type ShellCommand } from '../transport/quote.js';
import { UnreachableError, type HeldCommand, type Transport } from '../transport/types.js';

/** Where the lock lives unless the host sets `lvsplay_run_lock` (a path, or false for none). */
export const DEFAULT_LOCK_PATH = '/run/lock/lvsplay.lock';

export interface RunLockOptions {
  /** Seconds to wait for a lock another run holds; 0 refuses at once. */
  waitSec: number;
  /** Who holds it, shown to a run that finds the host locked. */
  owner: string;
  /** Tells this run's own earlier connection to a host from another run's. */
  runId: string;
}

/** The owner line of this controller's run: user@host, pid, playbook, start time. */
export function runLockOptions(playbook: string, waitSec: number): RunLockOptions {
  let user = process.env.USER ?? '';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry for the uid: keep $USER
  }
  const runId = randomBytes(6).toString('hex');
  const since = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    waitSec,
    runId,
    owner: `run ${runId} of ${user || 'unknown'}@${hostname()} (pid ${process.pid}, playbook ${playbook}, since ${since})`,
  };
}

const MARK = 'lvsplay-lock';

/**
 * The remote script. It opens the file read-only (an flock needs no write access, and opening
 * an existing file without O_CREAT is allowed by fs.protected_regular whoever created it),
 * creates it world-writable when missing, tries the lock, reports who holds it when busy, and
 * waits up to `waitSec`. Once held it records the owner and becomes `cat`, the only process
 * that inherits the locked descriptor.
 */
export function lockScript(path: string, o: RunLockOptions): ShellCommand {
  return sh`f=${path}
d=\${f%/*}
[ -d "$d" ] || mkdir -p "$d" 2>/dev/null
command -v flock >/dev/null 2>&1 || { echo ${MARK}-unsupported no flock command on the host; exit 0; }
[ -r "$f" ] || (umask 0; : >>"$f") 2>/dev/null
[ -r "$f" ] || { echo ${MARK}-unsupported cannot open "$f"; exit 0; }
exec 9<"$f"
if ! flock -n 9; then
  echo ${MARK}-busy; cat "$f" 2>/dev/null; echo; echo ${MARK}-end
  [ ${String(o.waitSec)} -gt 0 ] || exit 0
  flock -w ${String(o.waitSec)} 9 || { echo ${MARK}-timeout; exit 0; }
fi
{ printf '%s\\n' ${o.owner} >"$f"; } 2>/dev/null
echo ${MARK}-held
exec cat >/dev/null`;
}

export type LockReply =
  | { kind: 'held' }
  | { kind: 'busy'; holder: string; waiting: boolean }
  | { kind: 'timeout'; holder: string }
  | { kind: 'unsupported'; why: string }
  | { kind: 'pending' };

/** Reads what the script has printed so far: the outcome once it is known. */
export function readLockReply(out: string, waitSec: number): LockReply {
  const lines = out.split('\n');
  const unsupported = lines.find((l) => l.startsWith(`${MARK}-unsupported `));
  if (unsupported) return { kind: 'unsupported', why: unsupported.slice(`${MARK}-unsupported `.length) };
  const busyAt = lines.indexOf(`${MARK}-busy`);
  const endAt = lines.indexOf(`${MARK}-end`);
  const holder =
    busyAt >= 0 && endAt > busyAt
      ? lines
          .slice(busyAt + 1, endAt)
          .map((l) => l.trim())
          .filter(Boolean)
          .join(' ') || 'a run that has not said who it is yet'
      : '';
  if (lines.includes(`${MARK}-held`)) return { kind: 'held' };
  if (lines.includes(`${MARK}-timeout`)) return { kind: 'timeout', holder };
  if (endAt > busyAt && busyAt >= 0) return { kind: 'busy', holder, waiting: waitSec > 0 };
  return { kind: 'pending' };
}

/** How long the script may take to answer at all (ssh channel, a loaded host). */
const ANSWER_MS = 20_000;

/**
 * Takes the host's run lock, or throws an UnreachableError('locked') naming the run that holds
 * it. Resolves to the held command (closing it releases the lock), or undefined when the host
 * cannot hold one (no flock): that is a warning on the transport, and the run goes on.
 */
export async function takeRunLock(
  t: Transport,
  path: string,
  o: RunLockOptions,
  warn: (message: string) => void,
): Promise<HeldCommand | undefined> {
  if (!t.hold) return undefined;
  let told = false;
  const held = await t.hold(
    lockScript(path, o),
    (out) => {
      const r = readLockReply(out, o.waitSec);
      if (r.kind === 'busy' && r.waiting && !told) {
        told = true;
        warn(`waiting for the run lock, held by ${r.holder}`);
      }
      return r.kind !== 'pending' && !(r.kind === 'busy' && r.waiting);
    },
    ANSWER_MS + o.waitSec * 1000,
    (why) => warn(`${why}: the run lock was given up on this host; another run could change it at the same time`),
  );
  const r = readLockReply(held.output, o.waitSec);
  if (r.kind === 'held') return held;
  held.release();
  if (r.kind === 'unsupported') {
    warn(`no run lock on this host (${r.why}): another run could change it at the same time`);
    return undefined;
  }
  if ((r.kind === 'busy' || r.kind === 'timeout') && r.holder.includes(`run ${o.runId} `)) {
    // this run holds it already: by another login to the same host (a task's remote_user), or
    // by an earlier connection its sshd has not torn down yet
    return undefined;
  }
  if (r.kind === 'busy' || r.kind === 'timeout') {
    const waited = r.kind === 'timeout' ? ` (waited ${o.waitSec} s)` : '';
    throw new UnreachableError(
      t.host,
      'locked',
      `another run is changing this host${waited}: ${r.holder}. Wait for it to end (its lock goes when it ends or its controller dies), or give --lock-wait SECONDS`,
    );
  }
  throw new UnreachableError(
    t.host,
    'locked',
    held.closed
      ? `the run lock command ended without an answer${held.error ? `: ${held.error}` : ''}`
      : `the run lock command did not answer within ${(ANSWER_MS + o.waitSec * 1000) / 1000} s`,
  );
}
