// The lab's API, used by the CLI, tests, the demo and the benchmark. Every operation is safe to
// repeat, and `up`/`down` repair what a killed lab command left behind.
import { copyFileSync, chmodSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LvsplayError, diag } from '../diagnostics.js';
import { labPaths, hostPaths, CONTROLLER_NS, SWITCH_NS, type LabPaths } from './paths.js';
import { readTopology, hostsTable, type LabHost, type LabTopology } from './topology.js';
import { baseIsCurrent, buildBase } from './base.js';
import {
  applyPartitions, createSwitch, deleteNetns, ensureHostNet, labNamespaces, netnsExists, partitions, setPlugged, switchIsWhole,
} from './network.js';
import { bootHost, crashHost, execArgv, hostKey, initPid, stopHost } from './host-netns.js';
import { pidsInNetns, signal, waitGone } from './procs.js';
import { withLabLock } from './lock.js';
import { writeSshFiles } from './sshfiles.js';
import { everyHost, findHost, readRecord, writeRecord } from './record.js';
import { must, requireRootAndTools, run, type CmdResult } from './sys.js';
import type { ProgressMode } from './progress.js';

export { labPaths, type LabPaths } from './paths.js';
export { assertLabRoute, runFromController } from './guard.js';
export { macOf } from './network.js';
export { labStatus, type LabStatus, type HostStatus } from './status.js';
export type { LabHost, LabTopology } from './topology.js';
export type { CmdResult } from './sys.js';

const RUN_TOOLS = ['ip', 'unshare', 'nsenter', 'setpriv', 'ssh-keygen', 'socat', 'nft'];
const BUILD_TOOLS = ['debootstrap', 'dpkg-scanpackages'];
const ASSETS = ['lvsplay-boot', 'lvsplay-init', 'lvsplay-connect'];
/** How long a clean `stop` waits for services before pulling the plug; `down` waits less. */
const STOP_GRACE_MS = 10_000;
const DOWN_GRACE_MS = 2_000;

export interface LabUpOptions {
  /** Inventory file (default: inventory/lab.ini of the project). */
  inventory?: string;
  cwd?: string;
  progress?: ProgressMode;
}

export interface LabUpResult {
  hosts: LabHost[];
  /** True when the base and repository had to be (re)built. */
  builtBase: boolean;
  ms: number;
}

export async function labUp(opts: LabUpOptions = {}): Promise<LabUpResult> {
  const t0 = Date.now();
  const p = labPaths();
  requireRootAndTools(baseIsCurrent(p) ? RUN_TOOLS : [...RUN_TOOLS, ...BUILD_TOOLS]);
  const topo = readTopology(opts.inventory, opts.cwd);
  return withLabLock(p, async () => {
    let builtBase = false;
    if (!baseIsCurrent(p)) {
      // host disks are overlays of the old base: they cannot outlive it
      await teardown(p);
      rmSync(p.hostsDir, { recursive: true, force: true });
      await buildBase(p, opts.progress ?? 'auto');
      builtBase = true;
    }
    installAssets(p);
    await ensureKey(p);
    writeFileSync(p.hostsTable, hostsTable(topo.hosts));
    // hosts the inventory no longer lists are powered off (their disks stay)
    const wanted = new Set(topo.hosts.map((h) => h.name));
    await Promise.all(everyHost(p).filter((h) => !wanted.has(h.name)).map(async (h) => {
      await stopHost(h, p, DOWN_GRACE_MS);
      await deleteNetns(h.netns);
    }));
    if (!(await switchIsWhole())) {
      await teardown(p);
      await createSwitch();
    }
    writeRecord(p, topo);
    await Promise.all(topo.hosts.map((h) => powerOn(h, p)));
    await refreshSshFiles(p, topo);
    return { hosts: topo.hosts, builtBase, ms: Date.now() - t0 };
  });
}

async function powerOn(h: LabHost, p: LabPaths): Promise<void> {
  const init = initPid(h, p);
  // a host whose namespace was deleted under it is off the wire for good: power-cycle it
  if (init && !sameNetns(init, h.netns)) await crashHost(h, p);
  await ensureHostNet(h);
  await bootHost(h, p);
}

function sameNetns(pid: number, ns: string): boolean {
  const r = (f: string) => {
    try {
      return String(statSync(f).ino);
    } catch {
      return '';
    }
  };
  return r(`/proc/${pid}/ns/net`) !== '' && r(`/proc/${pid}/ns/net`) === r(`/run/netns/${ns}`);
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
  await must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'lvsplay-lab', '-f', p.key]);
}

async function refreshSshFiles(p: LabPaths, topo: LabTopology): Promise<void> {
  const keys = topo.hosts.flatMap((h) => {
    const key = hostKey(h, p);
    return key ? [{ host: h, key }] : [];
  });
  writeSshFiles(p, topo.hosts, keys);
}

/** Stops every lab process and removes every lvsplay- namespace; disks and keys stay. */
async function teardown(p: LabPaths): Promise<void> {
  await Promise.all(everyHost(p).map((h) => stopHost(h, p, DOWN_GRACE_MS)));
  // whatever a killed command left: any process still living in a lab namespace
  const names = await labNamespaces();
  const strays = pidsInNetns(names);
  for (const pid of strays) signal(pid, 'SIGKILL');
  await waitGone(strays, 3_000);
  await Promise.all(names.map((n) => run('ip', ['netns', 'del', n])));
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
    if (opts.powerOff) {
      await crashHost(h, p);
      await deleteNetns(h.netns);
    }
    if (initPid(h, p)) throw new LvsplayError(diag(`lab: ${host} is running: its disk cannot be wiped`, undefined, `stop it first (\`lvsplay lab stop ${host}\`), or bring the lab up without it`));
    rmSync(hostPaths(h.name, p.stateDir).dir, { recursive: true, force: true });
    return true;
  });
}

function requireLabUp(): void {
  if (!netnsExists(SWITCH_NS) || !netnsExists(CONTROLLER_NS)) {
    throw new LvsplayError(diag('lab: the lab is not up', undefined, 'run `lvsplay lab up`'));
  }
}

function runningInit(h: LabHost, p: LabPaths): number {
  const init = initPid(h, p);
  if (!init) throw new LvsplayError(diag(`lab: ${h.name} is not running`, undefined, `boot it with \`lvsplay lab boot ${h.name}\``));
  return init;
}

export interface LabExecOptions {
  input?: string | Buffer;
  /** 'inherit' passes the terminal through (the CLI); 'pipe' captures (the default). */
  stdio?: 'pipe' | 'inherit';
}

/** Runs argv inside a lab host (no ssh: nsenter into its namespaces); a non-zero exit is a value. */
export async function labExec(host: string, argv: string[], opts: LabExecOptions = {}): Promise<CmdResult> {
  const p = labPaths();
  requireRootAndTools(['nsenter']);
  const init = runningInit(findHost(p, host), p);
  const [cmd, ...args] = execArgv(init, argv.length ? argv : ['/bin/bash', '-l']);
  if (opts.stdio === 'inherit') {
    return new Promise((resolve) => {
      const child = spawn(cmd!, args, { stdio: 'inherit' });
      child.on('close', (code, sig) => resolve({ code: code ?? (sig ? 128 + 9 : 1), stdout: '', stderr: '' }));
    });
  }
  return run(cmd!, args, opts.input === undefined ? {} : { input: opts.input });
}

/** Power cut: everything in the host dies at once; its disk and keys stay. */
export async function labCrash(host: string): Promise<void> {
  const p = labPaths();
  requireRootAndTools(['ip']);
  const h = findHost(p, host);
  await withLabLock(p, async () => {
    await crashHost(h, p);
    await deleteNetns(h.netns);
  });
}

/** Clean shutdown: the host's services get TERM (up to 10 s) before the power goes. */
export async function labStop(host: string): Promise<void> {
  const p = labPaths();
  requireRootAndTools(['ip']);
  const h = findHost(p, host);
  await withLabLock(p, async () => {
    await stopHost(h, p, STOP_GRACE_MS);
    await deleteNetns(h.netns);
  });
}

/** Power on with the disk kept (same host keys, same installed packages). */
export async function labBoot(host: string): Promise<void> {
  const p = labPaths();
  requireRootAndTools(RUN_TOOLS);
  const h = findHost(p, host);
  requireLabUp();
  await withLabLock(p, async () => {
    await powerOn(h, p);
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
  if (!netnsExists(h.netns)) throw new LvsplayError(diag(`lab: ${h.name} is powered off`, undefined, `boot it with \`lvsplay lab boot ${h.name}\``));
  await setPlugged(h, on);
}

/** Drops all traffic between two hosts, both ways, in the switch; other paths stay. */
export async function labPartition(a: string, b: string): Promise<void> {
  const p = labPaths();
  requireRootAndTools(['ip', 'nft']);
  const ha = findHost(p, a);
  const hb = findHost(p, b);
  if (ha.name === hb.name) throw new LvsplayError(diag(`lab: cannot partition ${a} from itself`, undefined, 'name two different hosts'));
  requireLabUp();
  await withLabLock(p, async () => {
    const pairs = partitions(p).map(([x, y]) => [findHost(p, x), findHost(p, y)] as [LabHost, LabHost]);
    const known = pairs.some(([x, y]) => (x.name === ha.name && y.name === hb.name) || (x.name === hb.name && y.name === ha.name));
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
