// The run lock: while a run changes a host, it holds an flock(2) on a file of that host, so a
// second run (another operator, CI) cannot interleave its changes. The lock is held by one
// `cat` on a channel of its own, reading that channel's stdin: it ends, and the kernel drops the
// lock, when the run closes the channel, when the run's connection closes, or when the controller
// dies and sshd tears the session down. Nothing needs cleaning after a crash; the file only says
// who took the lock last. Check mode changes nothing and takes no lock.
//
// One case the kernel cannot see: a controller whose link to the host dropped and which then
// ended. The host's sshd keeps the session (and the `cat`) until its TCP gives up, minutes or
// hours later. The file's second line names the controller (its host, boot and pid namespace)
// and the holder's pid on the host, so a rerun from that same controller, finding the holder's
// controller process gone, ends that orphaned holder and takes the lock, with a warning.
import { readFileSync, readlinkSync } from 'node:fs';
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
  /** This controller: host name, boot and pid namespace (see controllerId), and this run's pid. */
  controller: string;
  pid: number;
}

/**
 * Names this controller so that a later run can tell whether a pid it reads in a lock file is
 * one of its own processes: the host name alone is not enough (containers share a kernel, or
 * reuse a name), the boot id and the pid namespace make the pid meaningful.
 */
export function controllerId(): string {
  let boot = '';
  let pidns = '';
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // not Linux: the host name alone, so no lock is ever judged stale wrongly across machines
  }
  try {
    pidns = readlinkSync('/proc/self/ns/pid').replace(/\D/g, '');
  } catch {
    // as above
  }
  return [hostname(), boot || 'noboot', pidns || 'nopidns'].join('/').replace(/\s/g, '_');
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
    controller: controllerId(),
    pid: process.pid,
    owner: `run ${runId} of ${user || 'unknown'}@${hostname()} (pid ${process.pid}, playbook ${playbook}, since ${since})`,
  };
}

const MARK = 'lvsplay-lock';

/** A holder found stale: its owner line, and the pid on the host that holds the lock for it. */
export interface StaleHolder {
  owner: string;
  hostPid: number;
}

/**
 * The remote script. It opens the file read-only (an flock needs no write access, and opening
 * an existing file without O_CREAT is allowed by fs.protected_regular whoever created it),
 * creates it world-writable when missing, tries the lock, reports who holds it when busy, and
 * waits up to `waitSec`. Once held it records the owner and becomes `cat`, the only process
 * that inherits the locked descriptor: its pid ($$, kept by exec) goes on the file's second line.
 * Given a stale holder, it ends that holder first, but only while the file still names it and
 * that pid really holds the file open (the lock may have changed hands since it was read).
 */
export function lockScript(path: string, o: RunLockOptions, stale?: StaleHolder): ShellCommand {
  const breakStale = stale
    ? sh`if ! flock -n 9; then
  if [ "$(head -n 1 "$f")" = ${stale.owner} ] && [ "$(readlink /proc/${String(stale.hostPid)}/fd/9)" = "$(readlink -f "$f")" ]; then
    kill ${String(stale.hostPid)} 2>/dev/null && flock -w 10 9 && echo ${MARK}-broken
  fi
fi
`
    : sh``;
  return sh`f=${path}
d=\${f%/*}
[ -d "$d" ] || mkdir -p "$d" 2>/dev/null
command -v flock >/dev/null 2>&1 || { echo ${MARK}-unsupported no flock command on the host; exit 0; }
[ -r "$f" ] || (umask 0; : >>"$f") 2>/dev/null
[ -r "$f" ] || { echo ${MARK}-unsupported cannot open "$f"; exit 0; }
exec 9<"$f"
${breakStale}if ! flock -n 9; then
  echo ${MARK}-busy; cat "$f" 2>/dev/null; echo; echo ${MARK}-end
  [ ${String(o.waitSec)} -gt 0 ] || exit 0
  flock -w ${String(o.waitSec)} 9 || { echo ${MARK}-timeout; exit 0; }
fi
{ printf '%s\\n%s %s\\n' ${o.owner} ${`${MARK}-controller ${o.controller} ${o.pid}`} "$$" >"$f"; } 2>/dev/null
echo ${MARK}-held
exec cat >/dev/null`;
}

/** Who holds a lock, as its file says: the owner line, and the controller line when there is one. */
export interface LockHolder {
  text: string;
  controller?: string;
  pid?: number;
  hostPid?: number;
}

export type LockReply =
  | { kind: 'held'; broke: boolean }
  | { kind: 'busy'; holder: LockHolder; waiting: boolean }
  | { kind: 'timeout'; holder: LockHolder }
  | { kind: 'unsupported'; why: string }
  | { kind: 'pending' };

function readHolder(lines: string[]): LockHolder {
  const holder: LockHolder = { text: '' };
  const text: string[] = [];
  for (const raw of lines) {
    const l = raw.trim();
    const m = /^lvsplay-lock-controller (\S+) (\d+) (\d+)$/.exec(l);
    if (m) {
      holder.controller = m[1]!;
      holder.pid = Number(m[2]);
      holder.hostPid = Number(m[3]);
    } else if (l) text.push(l);
  }
  holder.text = text.join(' ') || 'a run that has not said who it is yet';
  return holder;
}

/** Reads what the script has printed so far: the outcome once it is known. */
export function readLockReply(out: string, waitSec: number): LockReply {
  const lines = out.split('\n');
  const unsupported = lines.find((l) => l.startsWith(`${MARK}-unsupported `));
  if (unsupported) return { kind: 'unsupported', why: unsupported.slice(`${MARK}-unsupported `.length) };
  const busyAt = lines.indexOf(`${MARK}-busy`);
  const endAt = lines.indexOf(`${MARK}-end`);
  const holder = busyAt >= 0 && endAt > busyAt ? readHolder(lines.slice(busyAt + 1, endAt)) : { text: '' };
  if (lines.includes(`${MARK}-held`)) return { kind: 'held', broke: lines.includes(`${MARK}-broken`) };
  if (lines.includes(`${MARK}-timeout`)) return { kind: 'timeout', holder };
  if (endAt > busyAt && busyAt >= 0) return { kind: 'busy', holder, waiting: waitSec > 0 };
  return { kind: 'pending' };
}

/**
 * A holder is stale when it is a run of this very controller whose process is gone: nothing
 * will ever release its lock but the host's TCP timeout. A live pid (even a reused one) or
 * another controller is never judged stale.
 */
export function staleHolder(
  h: LockHolder,
  self: Pick<RunLockOptions, 'controller' | 'pid'>,
  alive: (pid: number) => boolean = pidAlive,
): StaleHolder | undefined {
  if (h.controller !== self.controller || h.pid === undefined || h.hostPid === undefined) return undefined;
  if (h.pid === self.pid || alive(h.pid)) return undefined;
  return { owner: h.text, hostPid: h.hostPid };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
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
  let held = await attempt(t, path, o, warn);
  let r = readLockReply(held.output, o.waitSec);
  const stale = r.kind === 'busy' || r.kind === 'timeout' ? staleHolder(r.holder, o) : undefined;
  if (stale) {
    held.release();
    held = await attempt(t, path, o, warn, stale);
    r = readLockReply(held.output, o.waitSec);
  }
  if (r.kind === 'held') {
    if (r.broke && stale)
      warn(
        `the run lock was held by ${stale.owner}, which has ended without releasing it (its connection to this host was lost); its holder (pid ${stale.hostPid} on the host) was ended and the lock taken`,
      );
    return held;
  }
  held.release();
  if (r.kind === 'unsupported') {
    warn(`no run lock on this host (${r.why}): another run could change it at the same time`);
    return undefined;
  }
  if ((r.kind === 'busy' || r.kind === 'timeout') && r.holder.text.includes(`run ${o.runId} `)) {
    // this run holds it already: by another login to the same host (a task's remote_user), or
    // by an earlier connection its sshd has not torn down yet
    return undefined;
  }
  if (r.kind === 'busy' || r.kind === 'timeout') {
    const waited = r.kind === 'timeout' ? ` (waited ${o.waitSec} s)` : '';
    throw new UnreachableError(
      t.host,
      'locked',
      `another run is changing this host${waited}: ${r.holder.text}. Wait for it to end (its lock goes when it ends or its controller dies), or give --lock-wait SECONDS`,
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

/** One run of the lock script; it stops waiting early for a holder that is stale. */
async function attempt(
  t: Transport,
  path: string,
  o: RunLockOptions,
  warn: (message: string) => void,
  stale?: StaleHolder,
): Promise<HeldCommand> {
  let told = false;
  return t.hold!(
    lockScript(path, o, stale),
    (out) => {
      const r = readLockReply(out, o.waitSec);
      if (r.kind === 'busy' && r.waiting && !stale && staleHolder(r.holder, o)) return true;
      if (r.kind === 'busy' && r.waiting && !told) {
        told = true;
        warn(`waiting for the run lock, held by ${r.holder.text}`);
      }
      return r.kind !== 'pending' && !(r.kind === 'busy' && r.waiting);
    },
    ANSWER_MS + o.waitSec * 1000,
    (why) => warn(`${why}: the run lock was given up on this host; another run could change it at the same time`),
  );
}
