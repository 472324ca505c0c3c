// What `lab status` shows: each host's address, power and cable, memory, who holds the VIP,
// partitions, and whether this kernel has IPVS. Reads only; sends no traffic.
import { existsSync, readFileSync } from 'node:fs';
import { CONTROLLER_NS, SWITCH_NS, labPaths } from './paths.js';
import { readRecord } from './record.js';
import { addressesOf, isPlugged, netnsExists, partitions } from './network.js';
import { initPid } from './host-netns.js';
import { pidsInPidns, pssKb, rssKb } from './procs.js';

export type IpvsSupport = 'loaded' | 'module-available' | 'absent';

export interface HostStatus {
  name: string;
  address: string;
  groups: string[];
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

/**
 * IPVS as lab hosts see it: hosts share the machine's kernel, so a host's /proc/net/ip_vs
 * exists only when the machine has ip_vs loaded. Nothing is loaded or faked here.
 */
export function ipvsSupport(): IpvsSupport {
  if (existsSync('/proc/net/ip_vs')) return 'loaded';
  try {
    const release = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
    const dep = `/lib/modules/${release}/modules.dep`;
    if (existsSync(dep) && /\/ip_vs\.ko/.test(readFileSync(dep, 'utf8'))) return 'module-available';
  } catch {
    /* no modules tree */
  }
  return 'absent';
}

export async function labStatus(): Promise<LabStatus> {
  const p = labPaths();
  const rec = readRecord(p);
  const up = netnsExists(SWITCH_NS) && netnsExists(CONTROLLER_NS);
  const hosts = await Promise.all(
    (rec?.hosts ?? []).map(async (h): Promise<HostStatus> => {
      const pid = initPid(h, p);
      const on = pid !== undefined && netnsExists(h.netns);
      const pids = pid ? pidsInPidns(pid) : [];
      const addrs = on ? await addressesOf(h) : [];
      const st: HostStatus = {
        name: h.name,
        address: h.address,
        groups: h.groups,
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
