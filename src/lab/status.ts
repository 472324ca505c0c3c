// What `lab status` shows: each host's address, power and cable, memory, who holds the VIP,
// partitions, and whether this kernel has IPVS. Reads only; sends no traffic.
import { CONTROLLER_NS, SWITCH_NS, labPaths } from './paths.js';
import { readRecord } from './record.js';
import { isPlugged, netnsExists, partitions } from './network.js';
import { kindOf } from './host-kind.js';
import { ipvsSupport, type IpvsSupport } from './ipvs.js';
import { pssKb, rssKb } from './procs.js';
import type { HostKindName, Release } from './topology.js';
import { releaseOf } from './host-systemd.js';

export type { IpvsSupport } from './ipvs.js';

export interface HostStatus {
  name: string;
  address: string;
  groups: string[];
  /** netns: namespaces on the machine's kernel (SysV init); uml: a User-Mode Linux guest (its own
   * kernel); systemd: systemd-nspawn with systemd as PID 1 (the machine's kernel). */
  kind: HostKindName;
  release: Release;
  state: 'running' | 'off';
  plugged: boolean;
  pid?: number;
  processes: number;
  /** Sum of the processes' resident memory (shared libraries counted in each). */
  rssKb: number;
  /** Proportional memory: shared pages split between their users. */
  pssKb: number;
  holdsVip: boolean;
}

export interface LabStatus {
  stateDir: string;
  up: boolean;
  inventory?: string;
  ipvs: IpvsSupport;
  vip?: string;
  vipHolders: string[];
  partitions: [string, string][];
  hosts: HostStatus[];
}

export async function labStatus(): Promise<LabStatus> {
  const p = labPaths();
  const rec = readRecord(p);
  const up = netnsExists(SWITCH_NS) && netnsExists(CONTROLLER_NS);
  const hosts = await Promise.all(
    (rec?.hosts ?? []).map(async (h): Promise<HostStatus> => {
      const kind = kindOf(h);
      const pid = kind.running(h, p);
      const on = pid !== undefined && (h.kind === 'uml' || netnsExists(h.netns));
      const pids = pid ? kind.pids(h, p) : [];
      const addrs = on ? await kind.addresses(h, p) : [];
      const st: HostStatus = {
        name: h.name,
        address: h.address,
        groups: h.groups,
        kind: h.kind ?? 'netns',
        release: releaseOf(h),
        state: on ? 'running' : 'off',
        plugged: on && up ? await isPlugged(h) : false,
        processes: pids.length,
        rssKb: rssKb(pids),
        pssKb: pssKb(pids),
        holdsVip: rec?.vip !== undefined && addrs.includes(rec.vip),
      };
      if (pid) st.pid = pid;
      return st;
    }),
  );
  const status: LabStatus = {
    stateDir: p.stateDir,
    up,
    ipvs: ipvsSupport(),
    vipHolders: hosts.filter((h) => h.holdsVip).map((h) => h.name),
    partitions: up ? partitions(p) : [],
    hosts,
  };
  if (rec?.inventory) status.inventory = rec.inventory;
  if (rec?.vip) status.vip = rec.vip;
  return status;
}
