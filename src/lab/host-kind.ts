// One face for the host kinds: the lab's commands ask the host's kind to power it on, stop,
// crash, run a command in it, read its host key and addresses. A host that switched kinds since
// it last ran is found and powered off in its old kind first (the disks of both kinds are kept
// apart, so switching back finds the old disk).
import { statSync } from 'node:fs';
import { quote } from '../transport/quote.js';
import { type LabPaths } from './paths.js';
import type { HostKindName, LabHost } from './topology.js';
import { addressesOf, deleteNetns, ensureHostNet } from './network.js';
import { bootHost, crashHost, execArgv, hostKey, initPid, rebootHost, stopHost } from './host-netns.js';
import {
  bootUml,
  crashUml,
  ensureUmlPort,
  isUmlPort,
  rebootUml,
  stopUml,
  umlAddresses,
  umlHostKey,
  umlPid,
  umlPids,
} from './host-uml.js';
import {
  bootSystemd,
  containerInit,
  crashSystemd,
  execSystemdArgv,
  nspawnDriverPid,
  rebootSystemd,
  stopSystemd,
  systemdHostKey,
  systemdPids,
} from './host-systemd.js';
import { RELEASES } from './host-kinds.js';
import { pidsInPidns } from './procs.js';
import { run } from './sys.js';
import { SWITCH_NS } from './paths.js';

export interface HostKind {
  /** Host-side pid that stands for the running host (its init, or its UML kernel). */
  running(h: LabHost, p: LabPaths): number | undefined;
  /** Every machine process of the host (for its memory). */
  pids(h: LabHost, p: LabPaths): number[];
  powerOn(h: LabHost, p: LabPaths): Promise<void>;
  stop(h: LabHost, p: LabPaths, graceMs: number): Promise<void>;
  crash(h: LabHost, p: LabPaths): Promise<void>;
  /** Clean reboot asked from inside the host, through to the host booted again (the caller
   * checks that sshd answers with a new boot id). */
  reboot(h: LabHost, p: LabPaths, graceMs: number): Promise<void>;
  hostKey(h: LabHost, p: LabPaths): string | undefined;
  addresses(h: LabHost, p: LabPaths): Promise<string[]>;
  /** argv running `argv` in the host as root; a login shell when empty. */
  execArgv(h: LabHost, p: LabPaths, argv: string[], interactive: boolean): string[];
}

const netnsKind: HostKind = {
  running: (h, p) => initPid(h, p),
  pids: (h, p) => {
    const init = initPid(h, p);
    return init ? pidsInPidns(init) : [];
  },
  async powerOn(h, p) {
    await leaveUml(h, p);
    if (runsSystemd(h, p)) await systemdKind.stop(h, p, 2_000);
    const init = initPid(h, p);
    // a host whose namespace was deleted under it is off the wire for good: power-cycle it
    if (init && !sameNetns(init, h.netns)) await crashHost(h, p);
    await ensureHostNet(h);
    await bootHost(h, p);
  },
  async stop(h, p, graceMs) {
    await stopHost(h, p, graceMs);
    await deleteNetns(h.netns);
  },
  async crash(h, p) {
    await crashHost(h, p);
    await deleteNetns(h.netns);
  },
  // no kernel to restart: init runs runlevel 6 and exits, and the host boots again in fresh
  // namespaces (network included: addresses, routes and net.* sysctls start from nothing)
  async reboot(h, p, graceMs) {
    await rebootHost(h, p, graceMs);
    await deleteNetns(h.netns);
    await ensureHostNet(h);
    await bootHost(h, p);
  },
  hostKey,
  addresses: (h) => addressesOf(h),
  execArgv(h, p, argv) {
    const init = initPid(h, p);
    return execArgv(init ?? 0, argv.length ? argv : ['/bin/bash', '-l']);
  },
};

const umlKind: HostKind = {
  running: (h, p) => umlPid(h, p),
  pids: (h, p) => umlPids(h, p),
  async powerOn(h, p) {
    if (initPid(h, p)) await netnsKind.stop(h, p, 2_000);
    if (runsSystemd(h, p)) await systemdKind.stop(h, p, 2_000);
    await deleteNetns(h.netns);
    await ensureUmlPort(h);
    await bootUml(h, p);
  },
  stop: (h, p, graceMs) => stopUml(h, p, graceMs),
  crash: (h, p) => crashUml(h, p),
  async reboot(h, p, graceMs) {
    await rebootUml(h, p, graceMs, umlKind.execArgv(h, p, ['kill', '-USR1', '1'], false));
    await bootUml(h, p);
  },
  hostKey: (h, p) => umlHostKey(h, p),
  addresses: (h, p) => Promise.resolve(umlAddresses(h, p)),
  // no nsenter into another kernel: over ssh through the controller, like every client
  execArgv(h, p, argv, interactive) {
    return [
      'ssh',
      '-F',
      p.sshConfig,
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=30',
      interactive ? '-t' : '-T',
      h.name,
      ...(argv.length ? ['--', argv.map(quote).join(' ')] : []),
    ];
  },
};

/** The host runs as a systemd host, in any release. */
const runsSystemd = (h: LabHost, p: LabPaths) => RELEASES.some((r) => nspawnDriverPid(h, p, r) !== undefined);

async function leaveUml(h: LabHost, p: LabPaths): Promise<void> {
  if (umlPid(h, p) || (await isUmlPort(h))) await umlKind.stop(h, p, 2_000);
  if (await isUmlPort(h)) await run`ip -n ${SWITCH_NS} link del ${h.port}`;
}

const systemdKind: HostKind = {
  running: (h, p) => nspawnDriverPid(h, p),
  pids: (h, p) => systemdPids(h, p),
  async powerOn(h, p) {
    await leaveUml(h, p);
    if (initPid(h, p)) await netnsKind.stop(h, p, 2_000);
    // a host of another release is powered off first (each release has its own disk)
    if (RELEASES.some((r) => r !== (h.release ?? 'bookworm') && nspawnDriverPid(h, p, r)))
      await systemdKind.stop(h, p, 2_000);
    const init = containerInit(h, p);
    if (init && !sameNetns(init, h.netns)) await crashSystemd(h, p);
    await ensureHostNet(h);
    await bootSystemd(h, p, p.binDir);
  },
  async stop(h, p, graceMs) {
    await stopSystemd(h, p, graceMs);
    await deleteNetns(h.netns);
  },
  async crash(h, p) {
    await crashSystemd(h, p);
    await deleteNetns(h.netns);
  },
  async reboot(h, p, graceMs) {
    await rebootSystemd(h, p, graceMs);
    await deleteNetns(h.netns);
    await ensureHostNet(h);
    await bootSystemd(h, p, p.binDir);
  },
  hostKey: (h, p) => systemdHostKey(h, p),
  addresses: (h) => addressesOf(h),
  execArgv(h, p, argv) {
    return execSystemdArgv(containerInit(h, p) ?? 0, argv.length ? argv : ['/bin/bash', '-l']);
  },
};

export const HOST_KIND_IMPL: Record<HostKindName, HostKind> = { netns: netnsKind, uml: umlKind, systemd: systemdKind };

export const kindOf = (h: LabHost): HostKind => HOST_KIND_IMPL[h.kind ?? 'netns'];

/** Powers the host off in whichever kind it runs (both, after a half-done switch). */
export async function stopAnyKind(h: LabHost, p: LabPaths, graceMs: number, umlGraceMs: number): Promise<void> {
  await Promise.all([stopHost(h, p, graceMs), stopUml(h, p, umlGraceMs), stopSystemd(h, p, graceMs)]);
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
