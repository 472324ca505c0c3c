// The "netns" host kind: a host is its own network, pid, mount, uts and ipc namespaces with an
// overlay root over the shared base, booted by lvsplay-boot -> tini -> lvsplay-init.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { LvsplayError, diag } from '../diagnostics.js';
import { hostPaths, type LabPaths } from './paths.js';
import type { LabHost } from './topology.js';
import { livePid, pidRecord, pidsInPidns, requestedReboot, signal, waitGone } from './procs.js';
import { run, sleep } from './sys.js';
import { BOOT_ENV } from './host-kinds.js';

export const BOOTED_MARKER = '/run/lvsplay-booted';
const BOOT_TIMEOUT_MS = 30_000;

/** Host-side pid of the host's init, when the host is running. */
export function initPid(h: LabHost, p: LabPaths): number | undefined {
  return livePid(hostPaths(h.name, p.stateDir).pidFile);
}

/** Powers the host on (its network must exist); resolves once its boot scripts have run. */
export async function bootHost(h: LabHost, p: LabPaths): Promise<number> {
  const hp = hostPaths(h.name, p.stateDir);
  const running = initPid(h, p);
  if (running) return running;
  mkdirSync(hp.upper, { recursive: true });
  mkdirSync(hp.work, { recursive: true });
  mkdirSync(hp.root, { recursive: true });
  const log = openSync(hp.bootLog, 'w');
  // nsenter joins the host's netns; unshare forks the host's init into new pid/mount/uts/ipc
  // namespaces and stays as its parent (--kill-child: if the parent dies, so does the host)
  const parent = spawn(
    'nsenter',
    [
      `--net=/run/netns/${h.netns}`,
      '--',
      'unshare',
      '--mount',
      '--pid',
      '--uts',
      '--ipc',
      '--fork',
      '--kill-child',
      '--propagation',
      'private',
      p.binDir + '/lvsplay-boot',
      h.name,
      p.stateDir,
    ],
    { detached: true, stdio: ['ignore', log, log], env: BOOT_ENV },
  );
  closeSync(log);
  parent.unref();
  const ppid = parent.pid;
  if (!ppid) throw new LvsplayError(diag(`lab: ${h.name}: could not start its boot`));
  writeFileSync(hp.parentPidFile, pidRecord(ppid));
  const init = await childOf(ppid, h);
  writeFileSync(hp.pidFile, pidRecord(init));
  await waitBooted(h, init, hp.bootLog);
  return init;
}

async function childOf(ppid: number, h: LabHost): Promise<number> {
  // The limit only matters while the boot lives (an exit is reported at once): generous, for a
  // loaded machine.
  const end = Date.now() + BOOT_TIMEOUT_MS;
  while (Date.now() < end) {
    try {
      const kids = readFileSync(`/proc/${ppid}/task/${ppid}/children`, 'utf8').trim();
      const first = Number(kids.split(/\s+/)[0]);
      // the parent is nsenter until it execs unshare; unshare's child is the host's init
      const comm = readFileSync(`/proc/${ppid}/comm`, 'utf8').trim();
      if (comm === 'unshare' && first > 0) return first;
    } catch {
      throw new LvsplayError(
        diag(`lab: ${h.name}: its boot exited at once`, undefined, `see its boot.log in the lab state directory`),
      );
    }
    await sleep(5);
  }
  throw new LvsplayError(diag(`lab: ${h.name}: its init did not start within ${BOOT_TIMEOUT_MS / 1000} s`));
}

async function waitBooted(h: LabHost, init: number, bootLog: string): Promise<void> {
  const end = Date.now() + BOOT_TIMEOUT_MS;
  while (Date.now() < end) {
    if (existsSync(`/proc/${init}/root${BOOTED_MARKER}`)) return;
    if (!existsSync(`/proc/${init}`)) break;
    await sleep(20);
  }
  const tail = existsSync(bootLog) ? readFileSync(bootLog, 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
  throw new LvsplayError(
    diag(`lab: ${h.name} did not finish booting${tail ? `: ${tail}` : ''}`, undefined, `see ${bootLog}`),
  );
}

/** Clean shutdown: TERM to init (its K scripts run, then everything gets TERM), SIGKILL after the grace. */
export async function stopHost(h: LabHost, p: LabPaths, graceMs: number): Promise<void> {
  const init = initPid(h, p);
  if (init) {
    signal(init, 'SIGTERM');
    if (!(await waitGone([init], graceMs))) signal(init, 'SIGKILL');
  }
  await reap(h, p, init);
}

/**
 * Clean reboot, asked from inside as `kill -USR1 1` (init's runlevel 6: the K scripts of rc6.d,
 * TERM to everything left, file systems synced), then the host's init exits; SIGKILL after the
 * grace. The caller powers it on again (a namespace host has no kernel to restart).
 */
export async function rebootHost(h: LabHost, p: LabPaths, graceMs: number): Promise<void> {
  const init = initPid(h, p);
  if (!init) return;
  requestedReboot(h, await run`${execArgv(init, ['kill', '-USR1', '1'])}`, init);
  if (!(await waitGone([init], graceMs))) signal(init, 'SIGKILL');
  await reap(h, p, init);
}

/** Power cut: SIGKILL to the host's init; the kernel kills everything else in its pid namespace. */
export async function crashHost(h: LabHost, p: LabPaths): Promise<void> {
  const init = initPid(h, p);
  if (init) signal(init, 'SIGKILL');
  await reap(h, p, init);
}

async function reap(h: LabHost, p: LabPaths, init: number | undefined): Promise<void> {
  const hp = hostPaths(h.name, p.stateDir);
  const rest = init ? pidsInPidns(init) : [];
  const parent = livePid(hp.parentPidFile);
  const all = [...(init ? [init] : []), ...rest, ...(parent ? [parent] : [])];
  if (!(await waitGone(all, 3_000))) for (const pid of all) signal(pid, 'SIGKILL');
  await waitGone(all, 2_000);
  rmSync(hp.pidFile, { force: true });
  rmSync(hp.parentPidFile, { force: true });
}

/** The host's public ed25519 host key (`ssh-ed25519 AAAA...`), read through its root. */
export function hostKey(h: LabHost, p: LabPaths): string | undefined {
  const init = initPid(h, p);
  const path = init
    ? `/proc/${init}/root/etc/ssh/ssh_host_ed25519_key.pub`
    : `${hostPaths(h.name, p.stateDir).upper}/etc/ssh/ssh_host_ed25519_key.pub`;
  try {
    return readFileSync(path, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  } catch {
    return undefined;
  }
}

/** argv that runs `argv` inside the running host, as root at /, with a clean environment (in its
 * cgroup namespace too with `cgroupns`, for a host that has one). */
export function execArgv(init: number, argv: string[], cgroupns = false): string[] {
  const env = [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'HOME=/root',
    'LANG=C.UTF-8',
    `TERM=${process.env.TERM ?? 'dumb'}`,
  ];
  const ns = ['-m', '-u', '-i', '-n', '-p', ...(cgroupns ? ['-C'] : [])];
  return ['nsenter', '-t', String(init), ...ns, '-r', '-w', '--', 'env', '-i', ...env, ...argv];
}
