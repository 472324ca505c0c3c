// Processes the lab started, found by pid file (checked against the process start time, so a
// reused pid is never mistaken for a host) or by namespace (for what a killed command left).
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { LvsplayError, diag } from '../diagnostics.js';

/** Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat). */
export function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** `PID STARTTIME` as written in pid files. */
export function pidRecord(pid: number): string {
  return `${pid} ${startTime(pid) ?? '?'}\n`;
}

/** The pid in a pid file, when that very process still runs (an exited one not yet reaped does not:
 * a detached host process outlives the lab command that started it, and where the machine's PID 1
 * is no init that reaps orphans it stays a zombie). */
export function livePid(file: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const [p, st] = text.trim().split(/\s+/);
  const pid = Number(p);
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  const now = startTime(pid);
  return now !== undefined && now === st && !isZombie(pid) ? pid : undefined;
}

export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

function nsInode(pid: number, ns: 'net' | 'pid'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/${ns}`);
  } catch {
    return undefined;
  }
}

/** Processes living in any of the given named network namespaces (/run/netns/NAME). */
export function pidsInNetns(names: string[]): number[] {
  const wanted = new Set<string>();
  for (const n of names) {
    try {
      wanted.add(`net:[${statSync(`/run/netns/${n}`).ino}]`);
    } catch {
      /* gone already */
    }
  }
  if (wanted.size === 0) return [];
  return allPids().filter((p) => p !== process.pid && wanted.has(nsInode(p, 'net') ?? ''));
}

/** Processes in the pid namespace whose init is `initPid` (the init included). */
export function pidsInPidns(initPid: number): number[] {
  const ns = nsInode(initPid, 'pid');
  if (!ns) return [];
  return allPids().filter((p) => nsInode(p, 'pid') === ns);
}

/** Resident memory in kB of the given processes. */
export function rssKb(pids: number[]): number {
  let kb = 0;
  for (const p of pids) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      /* exited meanwhile */
    }
  }
  return kb;
}

/**
 * Proportional memory in kB (shared pages split between their users): what a host really costs.
 * Processes sharing one address space (a UML kernel's helpers are clones of it with CLONE_VM)
 * each report that whole space: it is counted once. They are recognised by their mapping list
 * (/proc/PID/maps), which is the address space's own and changes only when a mapping does; not
 * by their memory figures, which move between two reads while the guest works (a busy guest
 * was counted two or three times). A forked child with its parent's very mappings, before it
 * maps anything of its own, is counted with the parent: what they share is split in the figure
 * already, and only its own writes since the fork (of a few pages) go uncounted.
 */
export function pssKb(pids: number[]): number {
  let kb = 0;
  const seen = new Set<string>();
  for (const p of pids) {
    try {
      const space = readFileSync(`/proc/${p}/maps`, 'utf8');
      if (seen.has(space)) continue;
      const m = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'));
      seen.add(space);
      if (m) kb += Number(m[1]);
    } catch {
      /* exited meanwhile */
    }
  }
  return kb;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

export async function waitGone(pids: number[], ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (pids.every((p) => !alive(p) || isZombie(p))) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** A reboot request that failed while the host still runs is an error naming the host (no silent power cut). */
export function requestedReboot(h: { name: string }, r: { code: number; stderr: string }, pid: number): void {
  if (r.code === 0 || !alive(pid) || isZombie(pid)) return;
  throw new LvsplayError(
    diag(
      `lab: ${h.name}: its reboot request failed (exit ${r.code}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').pop()}` : ''})`,
      undefined,
      `see \`lvsplay lab status\`; \`lvsplay lab stop ${h.name}\` and \`lab boot\` power-cycle it cleanly`,
    ),
  );
}
