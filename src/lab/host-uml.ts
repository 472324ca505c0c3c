// The "uml" host kind: a User-Mode Linux guest (its own kernel, so its own IPVS) booted from a
// copy-on-write disk over the shared root image. Its eth0 is a tap device that is the host's
// port on the lab bridge, so unplug, plug and partition act on it exactly as on a namespace
// host's port. The UML process runs in the switch namespace (where the tap lives), in a mount
// namespace of its own; its only window on the machine's files is its exchange directory.
import { spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { LvsplayError, diag } from '../diagnostics.js';
import { BRIDGE, SWITCH_NS, hostPaths, type LabPaths } from './paths.js';
import { hostSubnetOf } from './subnets.js';
import type { LabHost } from './topology.js';
import { macOf } from './network.js';
import { allPids, livePid, pidRecord, requestedReboot, signal, waitGone } from './procs.js';
import { GUEST_STUB_PATH, umlKernel } from './uml-image.js';
import { umlXstateShim } from './uml-xstate.js';
import { must, run, sleep } from './sys.js';
import { BOOT_ENV } from './host-kinds.js';

/** Guest RAM (the kernel's `mem=`); a file in /dev/shm of which only the touched pages cost
 * memory. apt and dpkg need more than the 64 MB the idle services do. */
export const GUEST_MEM_MB = 128;
const GUEST_MEM = `${GUEST_MEM_MB}M`;
/** Boot: ~4 s on a quiet machine (first boot, with host key generation), 20-80 s when loaded. */
const BOOT_TIMEOUT_MS = 150_000;

const umid = (h: LabHost) => `lvsplay-${h.name}`;
const mconsoleSocket = (h: LabHost, p: LabPaths) => join(hostPaths(h.name, p.stateDir).uml.run, umid(h), 'mconsole');

/** Host-side pid of the guest's kernel (the main linux.uml process), when it runs. */
export function umlPid(h: LabHost, p: LabPaths): number | undefined {
  return livePid(hostPaths(h.name, p.stateDir).uml.pidFile);
}

/** Every host process of the guest: the kernel started in its own process group (setsid), and
 * its helpers and guest address spaces stay in it. */
export function umlPids(h: LabHost, p: LabPaths): number[] {
  const pid = umlPid(h, p);
  return pid ? processGroup(pid) : [];
}

function processGroup(pgid: number): number[] {
  return allPids().filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid;
    } catch {
      return false;
    }
  });
}

/** The guest's port: a tap on the lab bridge. A namespace host's veth of the same name (the host
 * switched kinds) is replaced. */
export async function ensureUmlPort(h: LabHost): Promise<void> {
  if (await isUmlPort(h)) return;
  // a veth left by a namespace host; it may be going away already with its namespace
  await run`ip -n ${SWITCH_NS} link del ${h.port}`;
  const end = Date.now() + 3_000;
  while ((await run`ip -n ${SWITCH_NS} link show dev ${h.port}`).code === 0 && Date.now() < end) await sleep(20);
  await must`ip -n ${SWITCH_NS} tuntap add dev ${h.port} mode tap`;
  await must`ip -n ${SWITCH_NS} link set ${h.port} master ${BRIDGE} up`;
}

/** Whether the port is a UML guest's tap (not a namespace host's veth). */
export async function isUmlPort(h: LabHost): Promise<boolean> {
  const r = await run`ip -d -n ${SWITCH_NS} -o link show dev ${h.port}`;
  return r.code === 0 && / tun /.test(r.stdout);
}

/** What the guest reads at boot from its exchange directory (fresh at every boot). */
function prepareExchange(h: LabHost, p: LabPaths): void {
  const u = hostPaths(h.name, p.stateDir).uml;
  mkdirSync(u.out, { recursive: true });
  mkdirSync(join(u.xchg, 'repo'), { recursive: true });
  mkdirSync(u.run, { recursive: true });
  for (const f of ['lvsplay-uml-boot', 'lvsplay-init']) copyFileSync(join(p.binDir, f), join(u.xchg, f));
  copyFileSync(`${p.key}.pub`, join(u.xchg, 'authorized_key'));
  copyFileSync(p.hostsTable, join(u.xchg, 'hosts.table'));
  for (const f of readdirSync(u.out)) rmSync(join(u.out, f), { force: true });
}

export async function bootUml(h: LabHost, p: LabPaths): Promise<number> {
  const running = umlPid(h, p);
  if (running) return running;
  const k = umlKernel();
  if (!k)
    throw new LvsplayError(
      diag(
        `lab: ${h.name} is a UML host, but linux.uml is not installed`,
        undefined,
        'install user-mode-linux (scripts/install-deps.sh), or set lab_host_kind=netns',
      ),
    );
  const u = hostPaths(h.name, p.stateDir).uml;
  const shim = await umlXstateShim(p);
  prepareExchange(h, p);
  rmSync(join(u.run, umid(h)), { recursive: true, force: true });
  const kernelArgs = [
    `mem=${GUEST_MEM}`,
    `umid=${umid(h)}`,
    `uml_dir=${u.run}`,
    `ubd0=${u.cow},${p.umlImage}`,
    'root=/dev/ubda',
    'rw',
    `init=${GUEST_STUB_PATH}`,
    // hostfs mounts in the guest reach this directory and nothing else of the machine
    `hostfs=${u.xchg}`,
    `eth0=tuntap,${h.port},${macOf(h.name)}`,
    // the console goes to the log; no other console or serial line opens anything
    'con=null',
    'con0=null,fd:1',
    'ssl=null',
    'quiet',
    'zswap.enabled=0',
    // unknown name=value words become the environment of the guest's init
    `LVSPLAY_NAME=${h.name}`,
    `LVSPLAY_ADDR=${h.address}/${hostSubnetOf(h.address)?.prefix ?? 24}`,
  ];
  const log = openSync(u.console, 'w');
  // in the switch namespace (where the tap is), in a private mount namespace whose read-only
  // bind of the offline repository into the exchange directory no one else sees
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      SWITCH_NS,
      'unshare',
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-euc',
      'mount --bind -o ro "$1" "$2"; shift 2; exec "$@"',
      'sh',
      p.repo,
      join(u.xchg, 'repo'),
      'env',
      'TMPDIR=/dev/shm',
      // on the kernel alone: the programs before it in this chain never call ptrace
      `LD_PRELOAD=${shim}`,
      k.binary,
      ...kernelArgs,
    ],
    { detached: true, stdio: ['ignore', log, log], env: BOOT_ENV },
  );
  closeSync(log);
  child.unref();
  const pid = child.pid;
  if (!pid) throw new LvsplayError(diag(`lab: ${h.name}: could not start its UML kernel`));
  // every program of the chain execs the next: this pid is the guest's kernel
  writeFileSync(u.pidFile, pidRecord(pid));
  await waitBooted(h, p, pid);
  return pid;
}

async function waitBooted(h: LabHost, p: LabPaths, pid: number): Promise<void> {
  const u = hostPaths(h.name, p.stateDir).uml;
  const end = Date.now() + BOOT_TIMEOUT_MS;
  while (Date.now() < end) {
    if (existsSync(join(u.out, 'booted'))) return;
    if (!umlPid(h, p)) break;
    await sleep(50);
  }
  const tail = existsSync(u.console)
    ? readFileSync(u.console, 'utf8')
        .trim()
        .split('\n')
        .filter((l) => !/epollctl/.test(l))
        .slice(-3)
        .join(' | ')
    : '';
  if (umlPid(h, p)) await crashUml(h, p);
  void pid;
  throw new LvsplayError(
    diag(
      `lab: ${h.name} (UML) did not finish booting within ${BOOT_TIMEOUT_MS / 1000} s${tail ? `: ${tail}` : ''}`,
      undefined,
      `see ${u.console}`,
    ),
  );
}

/**
 * Clean shutdown: Ctrl-Alt-Del through the guest's mconsole (its init runs the K scripts, then
 * powers the guest off); killed when it is not gone after the grace. `uml_mconsole halt` is not
 * used: it never returns.
 */
export async function stopUml(h: LabHost, p: LabPaths, graceMs: number): Promise<void> {
  const pid = umlPid(h, p);
  if (pid) {
    // uml_mconsole may wait for a reply the powering-off guest never sends: never awaited, ended by pid
    const mc = spawn('uml_mconsole', [mconsoleSocket(h, p), 'cad'], { stdio: 'ignore' });
    mc.on('error', () => {});
    const gone = await waitGone([pid], graceMs);
    if (mc.pid) signal(mc.pid, 'SIGKILL');
    if (!gone) signal(-pid, 'SIGKILL');
  }
  await reapUml(h, p, pid);
}

/**
 * Clean reboot asked from inside over ssh (`kill -USR1 1`: init's runlevel 6, then the guest
 * syncs its disk and powers off); killed after the grace. The caller boots it again: a fresh
 * kernel, hence a new boot id.
 */
export async function rebootUml(h: LabHost, p: LabPaths, graceMs: number, ssh: string[]): Promise<void> {
  const pid = umlPid(h, p);
  if (!pid) return;
  requestedReboot(h, await run`${ssh}`, pid);
  if (!(await waitGone([pid], graceMs))) signal(-pid, 'SIGKILL');
  await reapUml(h, p, pid);
}

/** Power cut: SIGKILL to every process of the guest at once. */
export async function crashUml(h: LabHost, p: LabPaths): Promise<void> {
  const pid = umlPid(h, p);
  if (pid) signal(-pid, 'SIGKILL');
  await reapUml(h, p, pid);
}

async function reapUml(h: LabHost, p: LabPaths, pid: number | undefined): Promise<void> {
  const u = hostPaths(h.name, p.stateDir).uml;
  if (pid) {
    const group = processGroup(pid);
    if (!(await waitGone(group, 3_000))) for (const q of group) signal(q, 'SIGKILL');
    await waitGone(group, 2_000);
  }
  rmSync(u.pidFile, { force: true });
  rmSync(join(u.out, 'booted'), { force: true });
  rmSync(join(u.out, 'addresses'), { force: true });
  rmSync(join(u.run, umid(h)), { recursive: true, force: true });
}

/** The guest's public host key, as it reported it at boot (the lab cannot read its disk). */
export function umlHostKey(h: LabHost, p: LabPaths): string | undefined {
  try {
    return readFileSync(join(hostPaths(h.name, p.stateDir).uml.out, 'ssh_host_ed25519_key.pub'), 'utf8')
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .join(' ');
  } catch {
    return undefined;
  }
}

/** The IPv4 addresses on the guest's eth0, as the guest reports them whenever they change. */
export function umlAddresses(h: LabHost, p: LabPaths): string[] {
  try {
    const text = readFileSync(join(hostPaths(h.name, p.stateDir).uml.out, 'addresses'), 'utf8');
    return [...text.matchAll(/ inet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]!);
  } catch {
    return [];
  }
}
