// The "systemd" host kind: systemd-nspawn boots a Debian release's systemd as PID 1 over an
// overlay of the host's own disk, inside the host's network namespace (the same veth on the
// switch as a netns host). The driver (assets/lab/lvsplay-nspawn) holds the overlay in a mount
// namespace of its own and the container in cgroups of its own, and boots it again after a
// `systemctl reboot` (nspawn's exit 133).
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { LvsplayError, diag } from '../diagnostics.js';
import { NAME_PREFIX, systemdBaseDirs, systemdHostPaths, type LabPaths } from './paths.js';
import { BOOT_ENV, DEFAULT_RELEASE, RELEASES, type Release } from './host-kinds.js';
import type { LabHost } from './topology.js';
import { execArgv } from './host-netns.js';
import { livePid, pidRecord, pidsInPidns, requestedReboot, signal, waitGone } from './procs.js';
import { run, sleep } from './sys.js';

/** Boot to sshd listening; a first boot under load takes a few seconds. */
const BOOT_TIMEOUT_MS = 90_000;
/** After sshd listens, how long the boot's remaining jobs may take before the host counts as up. */
const SETTLE_TIMEOUT_S = 60;
const PROPAGATE_DIR = '/run/systemd/nspawn/propagate';

export const releaseOf = (h: LabHost): Release => h.release ?? DEFAULT_RELEASE;

/** The machine name nspawn knows the host by (also its propagate directory's name). */
export const machineName = (h: LabHost): string => `${NAME_PREFIX}${h.name}`;

/** The cgroup directories the host's driver and container live in, one per mounted hierarchy
 * nspawn uses: cgroup2 alone, or (hybrid, as on a machine whose PID 1 is no systemd) the v1
 * name=systemd hierarchy and the unified one. */
export function cgroupDirs(name: string): string[] {
  return cgroupRoots().map((r) => join(r, `${NAME_PREFIX}${name}`));
}

function cgroupRoots(root = '/sys/fs/cgroup'): string[] {
  if (existsSync(join(root, 'cgroup.controllers'))) return [root];
  return ['systemd', 'unified'].map((h) => join(root, h)).filter((d) => existsSync(join(d, 'cgroup.procs')));
}

/** Pid of the host's driver, while it runs (in the host's current release). */
export function nspawnDriverPid(h: LabHost, p: LabPaths, release = releaseOf(h)): number | undefined {
  return livePid(systemdHostPaths(h.name, release, p.stateDir).pidFile);
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const comm = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

/** systemd-nspawn, the driver's child (absent between a reboot's exit and the next boot). */
function nspawnPid(driver: number): number | undefined {
  return children(driver).find((c) => comm(c) === 'systemd-nspawn');
}

/** The container's PID 1 (systemd), host-side: the child of nspawn that is init of its pid namespace. */
export function containerInit(h: LabHost, p: LabPaths): number | undefined {
  const driver = nspawnDriverPid(h, p);
  const nspawn = driver ? nspawnPid(driver) : undefined;
  if (!nspawn) return undefined;
  return children(nspawn).find((c) => {
    try {
      const m = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${c}/status`, 'utf8'));
      return m !== null && m[1]!.trim().split(/\s+/).pop() === '1';
    } catch {
      return false;
    }
  });
}

/** Every process of the host: driver, nspawn and the container's. */
export function systemdPids(h: LabHost, p: LabPaths): number[] {
  const driver = nspawnDriverPid(h, p);
  if (!driver) return [];
  const nspawn = nspawnPid(driver);
  const init = containerInit(h, p);
  return [driver, ...(nspawn ? [nspawn] : []), ...(init ? pidsInPidns(init) : [])];
}

/** Powers the host on (its network namespace must exist); resolves once sshd listens and boot is done. */
export async function bootSystemd(h: LabHost, p: LabPaths, binDir: string): Promise<void> {
  if (nspawnDriverPid(h, p)) return;
  const release = releaseOf(h);
  const sp = systemdHostPaths(h.name, release, p.stateDir);
  const dirs = systemdBaseDirs(p, release);
  mkdirSync(sp.dir, { recursive: true });
  rmSync(powerOffAtReboot(sp.dir), { force: true });
  const log = openSync(sp.console, 'w');
  // unshare execs the driver: its pid is the driver's
  const child = spawn(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      '--',
      'sh',
      join(binDir, 'lvsplay-nspawn'),
      h.name,
      p.stateDir,
      dirs.base,
      dirs.repo,
      sp.dir,
      h.netns,
      ...cgroupDirs(h.name),
    ],
    { detached: true, stdio: ['ignore', log, log], env: BOOT_ENV },
  );
  closeSync(log);
  child.unref();
  if (!child.pid) throw new LvsplayError(diag(`lab: ${h.name}: could not start systemd-nspawn`));
  writeFileSync(sp.pidFile, pidRecord(child.pid));
  await waitSystemdBooted(h, p, sp.console);
}

/** sshd listens on port 22 in the host's network namespace (read from /proc; sends nothing). */
function sshdListens(init: number): boolean {
  try {
    return readFileSync(`/proc/${init}/net/tcp`, 'utf8')
      .split('\n')
      .some((l) => / [0-9A-F]{8}:0016 [0-9A-F]{8}:0000 0A /.test(l));
  } catch {
    return false;
  }
}

async function waitSystemdBooted(h: LabHost, p: LabPaths, console: string): Promise<void> {
  const end = Date.now() + BOOT_TIMEOUT_MS;
  let init: number | undefined;
  while (Date.now() < end) {
    init = containerInit(h, p);
    if (init && sshdListens(init)) break;
    if (!nspawnDriverPid(h, p)) break;
    await sleep(50);
  }
  if (init && sshdListens(init)) {
    // the boot's last jobs (a service that a playbook enabled) may still run: wait for them
    const r =
      await run`timeout ${SETTLE_TIMEOUT_S} ${execSystemdArgv(init, ['systemctl', 'is-system-running', '--wait'])}`;
    if (/^(running|degraded)$/m.test(r.stdout)) return;
  }
  const tail = existsSync(console) ? readFileSync(console, 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
  throw new LvsplayError(
    diag(`lab: ${h.name} (systemd) did not finish booting${tail ? `: ${tail}` : ''}`, undefined, `see ${console}`),
  );
}

/** argv that runs `argv` inside the container, as root at /, with a clean environment. */
export const execSystemdArgv = (init: number, argv: string[]): string[] => execArgv(init, argv, true);

/** Clean shutdown: SIGTERM to nspawn powers the container off (systemd stops its units); SIGKILL after the grace. */
export async function stopSystemd(h: LabHost, p: LabPaths, graceMs: number): Promise<void> {
  for (const release of RELEASES) {
    const driver = nspawnDriverPid(h, p, release);
    if (!driver) continue;
    const nspawn = nspawnPid(driver);
    if (nspawn) signal(nspawn, 'SIGTERM');
    if (!(await waitGone([driver], graceMs))) await killHost(h, p, release);
  }
  await reapSystemd(h, p);
}

/** While this file exists, the driver powers the host off at its next reboot instead of booting it again. */
const powerOffAtReboot = (dir: string) => join(dir, 'power-off-at-reboot');

/**
 * Clean reboot asked from inside (`systemctl reboot`: systemd stops its units and syncs), with the
 * host powered off at its end instead of booted again in the same network namespace; killed
 * after the grace. The caller powers it on again.
 */
export async function rebootSystemd(h: LabHost, p: LabPaths, graceMs: number): Promise<void> {
  const driver = nspawnDriverPid(h, p);
  const init = containerInit(h, p);
  if (!driver || !init) return;
  const flag = powerOffAtReboot(systemdHostPaths(h.name, releaseOf(h), p.stateDir).dir);
  writeFileSync(flag, '');
  try {
    requestedReboot(h, await run`${execSystemdArgv(init, ['systemctl', 'reboot'])}`, driver);
    if (!(await waitGone([driver], graceMs))) await killHost(h, p, releaseOf(h));
  } finally {
    rmSync(flag, { force: true });
  }
  await reapSystemd(h, p);
}

/** Power cut: SIGKILL to the driver first (no reboot loop), then the container's PID 1 and nspawn. */
export async function crashSystemd(h: LabHost, p: LabPaths): Promise<void> {
  for (const release of RELEASES) await killHost(h, p, release);
  await reapSystemd(h, p);
}

async function killHost(h: LabHost, p: LabPaths, release: Release): Promise<void> {
  const driver = nspawnDriverPid(h, p, release);
  if (!driver) return;
  const nspawn = nspawnPid(driver);
  signal(driver, 'SIGKILL');
  const init = nspawn ? children(nspawn)[0] : undefined;
  const rest = init ? pidsInPidns(init) : [];
  if (init) signal(init, 'SIGKILL');
  if (nspawn) signal(nspawn, 'SIGKILL');
  await waitGone([driver, ...(nspawn ? [nspawn] : []), ...rest], 5_000);
}

/** What a stopped host leaves on the machine: pid files, its cgroups, nspawn's propagate directory. */
async function reapSystemd(h: LabHost, p: LabPaths): Promise<void> {
  for (const release of RELEASES) {
    if (nspawnDriverPid(h, p, release)) continue;
    rmSync(systemdHostPaths(h.name, release, p.stateDir).pidFile, { force: true });
  }
  await removeCgroups(cgroupDirs(h.name));
  rmSync(join(PROPAGATE_DIR, machineName(h)), { recursive: true, force: true });
}

/** Kills what still lives in the cgroups (a killed lab command's leftovers), then removes them depth-first. */
export async function removeCgroups(dirs: string[]): Promise<void> {
  const procsIn = (d: string): number[] => {
    const out: number[] = [];
    try {
      out.push(...readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number));
      for (const e of readdirSync(d, { withFileTypes: true }))
        if (e.isDirectory()) out.push(...procsIn(join(d, e.name)));
    } catch {
      /* gone */
    }
    return out;
  };
  const left = dirs.flatMap(procsIn).filter((x) => x !== process.pid);
  for (const pid of left) signal(pid, 'SIGKILL');
  await waitGone(left, 3_000);
  const rmTree = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) rmTree(join(d, e.name));
    try {
      rmdirSync(d);
    } catch {
      /* a process still in it: the next down retries */
    }
  };
  for (const d of dirs) rmTree(d);
}

/** The lab's cgroups and nspawn directories on the machine, whichever hosts made them. */
export async function removeSystemdLeftovers(): Promise<void> {
  const ours: string[] = [];
  for (const r of cgroupRoots()) {
    try {
      for (const e of readdirSync(r)) if (e.startsWith(NAME_PREFIX)) ours.push(join(r, e));
    } catch {
      /* no such hierarchy */
    }
  }
  await removeCgroups(ours);
  try {
    for (const e of readdirSync(PROPAGATE_DIR))
      if (e.startsWith(NAME_PREFIX)) rmSync(join(PROPAGATE_DIR, e), { recursive: true, force: true });
  } catch {
    /* nspawn never ran */
  }
}

/** The host's public ed25519 host key, from its disk (written there at its first boot). */
export function systemdHostKey(h: LabHost, p: LabPaths): string | undefined {
  const sp = systemdHostPaths(h.name, releaseOf(h), p.stateDir);
  try {
    return readFileSync(join(sp.upper, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8')
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .join(' ');
  } catch {
    return undefined;
  }
}
