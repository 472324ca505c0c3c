// The lab's API, used by the CLI, tests, the demo and the benchmark. Every operation is safe to
// repeat, and `up`/`down` repair what a killed lab command left behind.
import { copyFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { LvsplayError, diag } from '../diagnostics.js';
import {
  labPaths,
  hostPaths,
  systemdBaseDirs,
  systemdHostPaths,
  CONTROLLER_NS,
  SWITCH_NS,
  type LabPaths,
} from './paths.js';
import {
  defaultInventory,
  readTopology,
  hostsTable,
  RELEASES,
  type HostKindChoice,
  type LabHost,
  type LabTopology,
  type Release,
} from './topology.js';
import { baseIsCurrent, baseSpec, buildBase, ensureRepoPackages, systemdBaseSpec } from './base.js';
import { releaseOf, removeSystemdLeftovers } from './host-systemd.js';
import {
  applyPartitions,
  createSwitch,
  ensureControllerAddresses,
  deleteNetns,
  isPlugged,
  labNamespaces,
  netnsExists,
  partitions,
  setPlugged,
  switchIsWhole,
} from './network.js';
import { kindOf, stopAnyKind } from './host-kind.js';
import { ensureUmlImage, umlKernel } from './uml-image.js';
import { pidsInNetns, signal, waitGone } from './procs.js';
import { withLabLock } from './lock.js';
import { writeSshFiles } from './sshfiles.js';
import { applyDelay } from './delay.js';
import { everyHost, findHost, readRecord, writeRecord } from './record.js';
import { must, requireRootAndTools, run, sleep, sys, type CmdResult } from './sys.js';
import type { ProgressMode } from './progress.js';
import { BOOT_ENV } from './host-kinds.js';
import { Semaphore } from '../semaphore.js';
import { ADMIN_USER, inventoryFiles, loginUser, provisionAdmin, readAdminPolicies } from './admin.js';
import { runFromController } from './guard.js';

export { labPaths, type LabPaths } from './paths.js';
export { assertLabRoute, runFromController } from './guard.js';
export { parseDelay } from './delay.js';
export { macOf } from './network.js';
export { labStatus, type LabStatus, type HostStatus } from './status.js';
export { labTraffic, type TrafficOptions } from './traffic.js';
export type { LabHost, LabTopology } from './topology.js';
export type { CmdResult } from './sys.js';

const RUN_TOOLS = ['ip', 'unshare', 'nsenter', 'setpriv', 'ssh-keygen', 'socat', 'nft'];
const BUILD_TOOLS = ['debootstrap', 'dpkg-scanpackages'];
const UML_TOOLS = ['uml_mconsole', 'mkfs.ext4', 'cc'];
const SYSTEMD_TOOLS = ['systemd-nspawn'];
const ASSETS = ['lvsplay-boot', 'lvsplay-init', 'lvsplay-connect', 'lvsplay-uml-boot', 'lvsplay-nspawn'];
/** How long a clean `stop` waits for services before pulling the plug; `down` waits less. A
 * UML guest also syncs and unmounts its disk before powering off (~1-2 s when quiet). */
const STOP_GRACE_MS = 10_000;
const DOWN_GRACE_MS = 2_000;
const UML_STOP_GRACE_MS = 30_000;
const UML_DOWN_GRACE_MS = 4_000;

export interface LabUpOptions {
  /** Inventory file(s) (default: inventory/lab.ini of the project); several make one lab. */
  inventory?: string | string[];
  cwd?: string;
  progress?: ProgressMode;
  /** Kind of the hosts whose inventory sets no `lab_host_kind` (default `auto`). */
  kind?: HostKindChoice;
  /** Kind by group, e.g. `{ directors: 'uml' }`: before `kind`, after the host's `lab_host_kind`. */
  groupKinds?: Record<string, HostKindChoice>;
  /** Debian release of the hosts whose inventory sets no `lab_release` (default bookworm). */
  release?: Release;
  /** Round trip added to every connection to a host's ssh port, in ms (default 0: none). */
  delayMs?: number;
}

export interface LabUpResult {
  hosts: LabHost[];
  /** True when a base and repository had to be (re)built. */
  builtBase: boolean;
  ms: number;
}

export async function labUp(opts: LabUpOptions = {}): Promise<LabUpResult> {
  const t0 = Date.now();
  const p = labPaths();
  const topo = readTopology(opts.inventory, opts.cwd, {
    ...(opts.kind ? { kind: opts.kind } : {}),
    ...(opts.groupKinds ? { groupKinds: opts.groupKinds } : {}),
    ...(opts.release ? { release: opts.release } : {}),
  });
  const policies = readAdminPolicies(
    inventoryFiles(opts.inventory ?? defaultInventory(), opts.cwd ?? process.cwd()),
    opts.cwd ?? process.cwd(),
  );
  const umlHosts = topo.hosts.filter((h) => h.kind === 'uml');
  const sysvHosts = topo.hosts.filter((h) => h.kind !== 'systemd');
  const systemdReleases = RELEASES.filter((r) => topo.hosts.some((h) => h.kind === 'systemd' && releaseOf(h) === r));
  const stale = [
    ...(sysvHosts.length && !baseIsCurrent(p) ? ['sysv' as const] : []),
    ...systemdReleases.filter((r) => !baseIsCurrent(systemdBaseDirs(p, r), systemdBaseSpec(r))),
  ];
  requireRootAndTools([
    ...RUN_TOOLS,
    ...(stale.length ? BUILD_TOOLS : []),
    ...(umlHosts.length ? UML_TOOLS : []),
    ...(systemdReleases.length ? SYSTEMD_TOOLS : []),
  ]);
  return withLabLock(p, async () => {
    for (const b of stale) {
      // host disks are overlays of the old base: they cannot outlive it
      await teardown(p);
      if (b === 'sysv') {
        rmSync(p.hostsDir, { recursive: true, force: true });
        await buildBase(p, opts.progress ?? 'auto');
      } else {
        for (const h of everyHost(p))
          rmSync(systemdHostPaths(h.name, b, p.stateDir).dir, { recursive: true, force: true });
        await buildBase(systemdBaseDirs(p, b), opts.progress ?? 'auto', systemdBaseSpec(b));
      }
    }
    const builtBase = stale.length > 0;
    if (sysvHosts.length) await ensureRepoPackages(p, baseSpec(), opts.progress ?? 'auto');
    for (const r of systemdReleases)
      await ensureRepoPackages(systemdBaseDirs(p, r), systemdBaseSpec(r), opts.progress ?? 'auto');
    installAssets(p);
    await ensureKey(p);
    writeFileSync(p.hostsTable, hostsTable(topo.hosts));
    // hosts the inventory no longer lists are powered off (their disks stay)
    const wanted = new Set(topo.hosts.map((h) => h.name));
    await Promise.all(
      everyHost(p)
        .filter((h) => !wanted.has(h.name))
        .map(async (h) => {
          await stopAnyKind(h, p, DOWN_GRACE_MS, UML_DOWN_GRACE_MS);
          await deleteNetns(h.netns);
        }),
    );
    if (!(await switchIsWhole())) {
      await teardown(p);
      await createSwitch();
    } else await ensureControllerAddresses();
    if (umlHosts.length) {
      const k = umlKernel();
      if (!k)
        throw new LvsplayError(
          diag(
            `lab: ${umlHosts.map((h) => h.name).join(', ')} must be UML guests, but linux.uml is not installed`,
            undefined,
            'install user-mode-linux and uml-utilities (scripts/install-deps.sh), or set lab_host_kind=netns',
          ),
        );
      await ensureUmlImage(
        p,
        k,
        everyHost(p).map((h) => h.name),
      );
    }
    for (const h of topo.hosts) if (loginUser(h, policies.get(h.name)!) !== 'root') h.sshUser = ADMIN_USER;
    writeRecord(p, topo);
    // Boots at most a few per core at once: hundreds started together on a small machine each
    // wait their turn for the CPU, and every host's boot time limit would run out together.
    const boots = new Semaphore(Math.max(8, 4 * availableParallelism()));
    await Promise.all(topo.hosts.map((h) => boots.use(() => kindOf(h).powerOn(h, p))));
    await refreshSshFiles(p, topo);
    const pub = readFileSync(`${p.key}.pub`, 'utf8').trim();
    await Promise.all(topo.hosts.map((h) => provisionAdmin(h, p, policies.get(h.name)!, pub)));
    await applyDelay(p, topo.hosts, opts.delayMs ?? 0);
    return { hosts: topo.hosts, builtBase, ms: Date.now() - t0 };
  });
}

function installAssets(p: LabPaths): void {
  mkdirSync(p.binDir, { recursive: true });
  const dir = fileURLToPath(new URL('../../assets/lab/', import.meta.url));
  for (const a of ASSETS) {
    copyFileSync(dir + a, `${p.binDir}/${a}`);
    chmodSync(`${p.binDir}/${a}`, 0o755);
  }
}

async function ensureKey(p: LabPaths): Promise<void> {
  if (existsSync(p.key) && existsSync(`${p.key}.pub`)) return;
  mkdirSync(p.keysDir, { recursive: true, mode: 0o700 });
  rmSync(p.key, { force: true });
  rmSync(`${p.key}.pub`, { force: true });
  await must`ssh-keygen -q -t ed25519 -N ${''} -C lvsplay-lab -f ${p.key}`;
}

async function refreshSshFiles(p: LabPaths, topo: LabTopology): Promise<void> {
  const keys = topo.hosts.flatMap((h) => {
    const key = kindOf(h).hostKey(h, p);
    return key ? [{ host: h, key }] : [];
  });
  writeSshFiles(p, topo.hosts, keys);
}

/** Stops every lab process and removes every lvsplay- namespace; disks and keys stay. */
async function teardown(p: LabPaths): Promise<void> {
  await Promise.all(everyHost(p).map((h) => stopAnyKind(h, p, DOWN_GRACE_MS, UML_DOWN_GRACE_MS)));
  // whatever a killed command left: any process still living in a lab namespace
  const names = await labNamespaces();
  const strays = pidsInNetns(names);
  for (const pid of strays) signal(pid, 'SIGKILL');
  await waitGone(strays, 3_000);
  await Promise.all(names.map((n) => run`ip netns del ${n}`));
  await removeSystemdLeftovers();
  for (const h of everyHost(p)) {
    rmSync(hostPaths(h.name, p.stateDir).pidFile, { force: true });
    rmSync(hostPaths(h.name, p.stateDir).parentPidFile, { force: true });
  }
  rmSync(`${p.stateDir}/partitions.json`, { force: true });
}

export interface LabDownOptions {
  /** Also wipe the hosts' disks, the lab key and the ssh files (the base and repo stay). */
  purge?: boolean;
}

export async function labDown(opts: LabDownOptions = {}): Promise<{ ms: number }> {
  const t0 = Date.now();
  const p = labPaths();
  requireRootAndTools(['ip']);
  await withLabLock(p, async () => {
    await teardown(p);
    if (opts.purge) {
      for (const f of [p.hostsDir, p.keysDir, p.knownHosts, p.sshConfig, p.hostsTable, `${p.stateDir}/lab.json`]) {
        rmSync(f, { recursive: true, force: true });
      }
    }
  });
  return { ms: Date.now() - t0 };
}

/**
 * Wipes one host's disk back to the base (packages, files, keys it gained are gone; the next
 * boot is a fresh host). Only while the host is powered off (its overlay is in use while it
 * runs), or with `powerOff`, which cuts its power first. False when the lab never made the host.
 */
export async function labWipe(host: string, opts: { powerOff?: boolean } = {}): Promise<boolean> {
  const p = labPaths();
  return withLabLock(p, async () => {
    const h = everyHost(p).find((x) => x.name === host);
    if (!h) return false; // never made: nothing to wipe
    if (opts.powerOff) await kindOf(h).crash(h, p);
    if (kindOf(h).running(h, p))
      throw new LvsplayError(
        diag(
          `lab: ${host} is running: its disk cannot be wiped`,
          undefined,
          `stop it first (\`lvsplay lab stop ${host}\`), or bring the lab up without it`,
        ),
      );
    rmSync(hostPaths(h.name, p.stateDir).dir, { recursive: true, force: true });
    return true;
  });
}

function requireLabUp(): void {
  if (!netnsExists(SWITCH_NS) || !netnsExists(CONTROLLER_NS)) {
    throw new LvsplayError(diag('lab: the lab is not up', undefined, 'run `lvsplay lab up`'));
  }
}

function requireRunning(h: LabHost, p: LabPaths): void {
  if (!kindOf(h).running(h, p))
    throw new LvsplayError(
      diag(`lab: ${h.name} is not running`, undefined, `boot it with \`lvsplay lab boot ${h.name}\``),
    );
}

export interface LabExecOptions {
  input?: string | Buffer;
  /** 'inherit' passes the terminal through (the CLI); 'pipe' captures (the default). */
  stdio?: 'pipe' | 'inherit';
}

/**
 * Runs argv inside a lab host as root; a non-zero exit is a value. A namespace host is entered
 * with nsenter (no ssh); a UML guest, having its own kernel, is reached over ssh through the
 * controller (an ssh failure is exit 255).
 */
export async function labExec(host: string, argv: string[], opts: LabExecOptions = {}): Promise<CmdResult> {
  const p = labPaths();
  requireRootAndTools(['nsenter']);
  const h = findHost(p, host);
  requireRunning(h, p);
  const [cmd, ...args] = kindOf(h).execArgv(h, p, argv, opts.stdio === 'inherit');
  if (opts.stdio === 'inherit') {
    return new Promise((resolve) => {
      const term = process.env.TERM;
      const child = spawn(cmd!, args, { stdio: 'inherit', env: { ...BOOT_ENV, ...(term ? { TERM: term } : {}) } });
      child.on('close', (code, sig) => resolve({ code: code ?? (sig ? 128 + 9 : 1), stdout: '', stderr: '' }));
    });
  }
  // The host's environment, not the caller's (a service started here must not get our TMPDIR).
  return sys({ env: BOOT_ENV, ...(opts.input === undefined ? {} : { input: opts.input }) }).run`${cmd!} ${args}`;
}

/** Power cut: everything in the host dies at once; its disk and keys stay. */
export async function labCrash(host: string): Promise<void> {
  const p = labPaths();
  requireRootAndTools(['ip']);
  const h = findHost(p, host);
  await withLabLock(p, () => kindOf(h).crash(h, p));
}

/** Clean shutdown: the host's services get TERM (up to 10 s) before the power goes. */
export async function labStop(host: string): Promise<void> {
  const p = labPaths();
  requireRootAndTools(['ip']);
  const h = findHost(p, host);
  await withLabLock(p, () => kindOf(h).stop(h, p, h.kind === 'uml' ? UML_STOP_GRACE_MS : STOP_GRACE_MS));
}

export interface RebootResult {
  host: string;
  /** From the reboot request to sshd answering with the new boot id. */
  ms: number;
  bootIdBefore: string;
  bootIdAfter: string;
}

/** After its boot, how long a host may take until sshd answers and the new boot id reads. */
const BACK_TIMEOUT_MS = 60_000;
/** How long a reboot's shutdown may take before the host is killed: systemd stops units slowly. */
const REBOOT_GRACE_MS = { netns: STOP_GRACE_MS, uml: UML_STOP_GRACE_MS, systemd: 60_000 } as const;

/**
 * Clean reboot of each host, all at once: asked from inside the host (init's runlevel 6 on a SysV
 * host, `systemctl reboot` on a systemd host), services stopped by init, disks synced; resolves
 * when every host is back: sshd answers and the boot id is new. A namespace host, having no
 * kernel, boots again in fresh namespaces (network included); an unplugged host stays unplugged.
 */
export async function labReboot(hosts: string[]): Promise<RebootResult[]> {
  const p = labPaths();
  requireRootAndTools(RUN_TOOLS);
  const hs = hosts.map((x) => findHost(p, x));
  requireLabUp();
  for (const h of hs) requireRunning(h, p);
  return withLabLock(p, async () => {
    const results = await Promise.all(hs.map((h) => rebootOne(h, p)));
    const rec = readRecord(p);
    if (rec) await refreshSshFiles(p, rec);
    return results;
  });
}

async function bootIdOf(h: LabHost, p: LabPaths): Promise<string> {
  const [cmd, ...args] = kindOf(h).execArgv(h, p, ['cat', '/proc/sys/kernel/random/boot_id'], false);
  const r = await sys({ env: BOOT_ENV, timeoutMs: 20_000 }).run`${cmd!} ${args}`;
  return r.code === 0 ? r.stdout.trim() : '';
}

/** The first line sshd sends on a connection from the controller (`SSH-2.0-...`), or ''. */
async function sshBanner(h: LabHost): Promise<string> {
  const r = await runFromController(
    [h.address],
    [
      'timeout',
      '10',
      'bash',
      '-c',
      'exec 3<>"/dev/tcp/$1/22" && IFS= read -r -t 8 l <&3 && printf %s "$l"',
      'sh',
      h.address,
    ],
    15_000,
  );
  return r.stdout.trim();
}

async function rebootOne(h: LabHost, p: LabPaths): Promise<RebootResult> {
  const t0 = Date.now();
  const before = await bootIdOf(h, p);
  const plugged = await isPlugged(h);
  await kindOf(h).reboot(h, p, REBOOT_GRACE_MS[h.kind ?? 'netns']);
  if (!plugged) await setPlugged(h, false);
  // an unplugged UML guest is reached over ssh only: booted is all that can be known
  if (!plugged && h.kind === 'uml') return { host: h.name, ms: Date.now() - t0, bootIdBefore: before, bootIdAfter: '' };
  const end = Date.now() + BACK_TIMEOUT_MS;
  for (;;) {
    const after = kindOf(h).running(h, p) ? await bootIdOf(h, p) : '';
    const banner = plugged ? await sshBanner(h) : 'unplugged';
    if (after && after !== before && banner.startsWith(plugged ? 'SSH-2.0-' : 'unplugged'))
      return { host: h.name, ms: Date.now() - t0, bootIdBefore: before, bootIdAfter: after };
    if (Date.now() > end)
      throw new LvsplayError(
        diag(
          `lab: ${h.name} did not come back from its reboot within ${BACK_TIMEOUT_MS / 1000} s after its boot: ` +
            (!after
              ? 'its boot id cannot be read'
              : after === before
                ? 'its boot id did not change'
                : 'sshd does not answer'),
          undefined,
          `see \`lvsplay lab status\` and the host's boot log in ${p.stateDir}/hosts/${h.name}`,
        ),
      );
    await sleep(250);
  }
}

/** Power on with the disk kept (same host keys, same installed packages). */
export async function labBoot(host: string): Promise<void> {
  const p = labPaths();
  requireRootAndTools(RUN_TOOLS);
  const h = findHost(p, host);
  requireLabUp();
  await withLabLock(p, async () => {
    await kindOf(h).powerOn(h, p);
    const rec = readRecord(p);
    if (rec) await refreshSshFiles(p, rec);
  });
}

/** Pulls the host's cable out of the switch (the host keeps running, its link goes down). */
export async function labUnplug(host: string): Promise<void> {
  await plug(host, false);
}

export async function labPlug(host: string): Promise<void> {
  await plug(host, true);
}

async function plug(host: string, on: boolean): Promise<void> {
  const p = labPaths();
  requireRootAndTools(['ip']);
  const h = findHost(p, host);
  requireLabUp();
  if (!kindOf(h).running(h, p))
    throw new LvsplayError(
      diag(`lab: ${h.name} is powered off`, undefined, `boot it with \`lvsplay lab boot ${h.name}\``),
    );
  await setPlugged(h, on);
}

/** Drops all traffic between two hosts, both ways, in the switch; other paths stay. */
export async function labPartition(a: string, b: string): Promise<void> {
  const p = labPaths();
  requireRootAndTools(['ip', 'nft']);
  const ha = findHost(p, a);
  const hb = findHost(p, b);
  if (ha.name === hb.name)
    throw new LvsplayError(diag(`lab: cannot partition ${a} from itself`, undefined, 'name two different hosts'));
  requireLabUp();
  await withLabLock(p, async () => {
    const pairs = partitions(p).map(([x, y]) => [findHost(p, x), findHost(p, y)] as [LabHost, LabHost]);
    const known = pairs.some(
      ([x, y]) => (x.name === ha.name && y.name === hb.name) || (x.name === hb.name && y.name === ha.name),
    );
    await applyPartitions(p, known ? pairs : [...pairs, [ha, hb]]);
  });
}

/** Removes every partition. */
export async function labHeal(): Promise<void> {
  const p = labPaths();
  requireRootAndTools(['ip', 'nft']);
  if (!netnsExists(SWITCH_NS)) return;
  await withLabLock(p, () => applyPartitions(p, []));
}
