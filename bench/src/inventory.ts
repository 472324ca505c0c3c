// Bench inventories of N lab hosts. The hosts are the bench's own (bench01, bench02, ... at
// 10.0.7.101 and up, then in the lab's wide subnet 10.0.8.0/22), so converging them never
// touches the cluster's six hosts; the connection
// settings are copied from inventory/lab.ini, so both tools reach the hosts with the same user,
// key and known_hosts as everything else. Two ways in:
// - direct (the primary configuration): both tools run inside the lab's controller namespace
//   and open TCP to the hosts themselves; the ProxyCommand is left out of the copied lines;
// - proxy: the lines verbatim, one `ip netns exec` + route guard + socat ProxyCommand per host.

import { fromInt } from '../../src/lab/subnets.js';

export const BENCH_GROUP = 'bench';
/** 10.0.7.101-199: clear of the cluster's addresses (.11 .12 .29 .41 .42 .211) and the VIP (.247). */
const FIRST_OCTET = 101;
const IN_CLUSTER_SUBNET = 99;
/** Beyond 99 hosts: the lab's wide subnet, 10.0.8.2 and up (10.0.8.1 is the controller). */
const WIDE_FIRST = (10 << 24) + (8 << 8) + 2;
export const MAX_BENCH_HOSTS = 1000;

export interface BenchHost {
  name: string;
  address: string;
}

export function benchHosts(n: number): BenchHost[] {
  if (!Number.isInteger(n) || n < 1 || n > MAX_BENCH_HOSTS) {
    throw new RangeError(`host count must be a whole number from 1 to ${MAX_BENCH_HOSTS}, not ${n}`);
  }
  return Array.from({ length: n }, (_, i) => ({
    name: `bench${String(i + 1).padStart(2, '0')}`,
    address: i < IN_CLUSTER_SUBNET ? `10.0.7.${FIRST_OCTET + i}` : fromInt(WIDE_FIRST + i - IN_CLUSTER_SUBNET),
  }));
}

/** The `ansible_*` lines of lab.ini's [all:vars] section, verbatim. */
export function connectionLines(labIni: string): string[] {
  const out: string[] = [];
  let section = '';
  for (const raw of labIni.split('\n')) {
    const line = raw.trim();
    const head = /^\[(.+)\]$/.exec(line);
    if (head) {
      section = head[1]!;
      continue;
    }
    if (section === 'all:vars' && /^ansible_[a-z_]+\s*=/.test(line)) out.push(line);
  }
  if (out.length === 0) throw new Error('inventory/lab.ini has no ansible_* connection settings under [all:vars]');
  return out;
}

export const CONNECTIONS = ['direct', 'proxy'] as const;
export type Connection = (typeof CONNECTIONS)[number];

/** lab.ini's connection lines without the ProxyCommand option (for runs inside the controller namespace). */
export function directConnectionLines(labIni: string): string[] {
  return connectionLines(labIni).map((l) =>
    l.startsWith('ansible_ssh_common_args=')
      ? l.replace(/-o\s*ProxyCommand=("[^"]*"|\S+)\s*/, '').replace(/=' /, "='")
      : l,
  );
}

export function benchInventoryText(
  hosts: readonly BenchHost[],
  labIni: string,
  connection: Connection = 'proxy',
): string {
  return [
    `# ${hosts.length} benchmark hosts in the lab; connection settings copied from inventory/lab.ini` +
      (connection === 'direct' ? ' without the ProxyCommand (run inside the controller namespace)' : ''),
    `[${BENCH_GROUP}]`,
    ...hosts.map((h) => `${h.name} ansible_host=${h.address}`),
    '',
    '[all:vars]',
    ...(connection === 'direct' ? directConnectionLines(labIni) : connectionLines(labIni)),
    '',
  ].join('\n');
}

/**
 * What `lab up` is given: the bench hosts alone (the cluster's hosts are powered off while the
 * bench runs, so they do not load the machine), or with the cluster's hosts kept running (the
 * smoke test, which must leave the six-host lab as it found it).
 */
export function labInventoryText(hosts: readonly BenchHost[], labIni: string, keepClusterHosts: boolean): string {
  if (!keepClusterHosts) return benchInventoryText(hosts, labIni);
  return `${labIni.trimEnd()}\n\n[${BENCH_GROUP}]\n${hosts.map((h) => `${h.name} ansible_host=${h.address}`).join('\n')}\n`;
}
