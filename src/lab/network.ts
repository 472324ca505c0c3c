// The lab's wiring: a switch namespace holding a bridge, a controller namespace on it with no
// default route, and one bridge port per host. Faults on the wire (unplug, partition) are
// made here, in the switch, as a cable pull or a firewall between two ports would be.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  BRIDGE,
  CONTROLLER_ADDRESS,
  CONTROLLER_NS,
  CONTROLLER_PORT,
  NAME_PREFIX,
  SWITCH_NS,
  type LabPaths,
} from './paths.js';
import type { LabHost } from './topology.js';
import { must, run, sleep, sys } from './sys.js';
import { LAB_SUBNETS, hostSubnetOf } from './subnets.js';

/**
 * A host's MAC, fixed by its name like a NIC's burned-in address: a rebooted host comes back
 * with the same MAC, so the neighbours' ARP caches stay right (a fresh random MAC left peers
 * sending to the old one until their cache expired). Locally administered, unicast.
 */
export function macOf(name: string): string {
  const h = createHash('sha256').update(name).digest();
  return ['02', '6c', ...[...h.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

export const netnsExists = (ns: string): boolean => existsSync(`/run/netns/${ns}`);

export async function labNamespaces(): Promise<string[]> {
  const r = await run`ip netns list`;
  return r.stdout
    .split('\n')
    .map((l) => l.split(/\s+/)[0] ?? '')
    .filter((n) => n.startsWith(NAME_PREFIX));
}

async function linkExists(ns: string, dev: string): Promise<boolean> {
  return (await run`ip -n ${ns} link show dev ${dev}`).code === 0;
}

async function hasAddress(ns: string, dev: string, addr: string): Promise<boolean> {
  const r = await run`ip -n ${ns} -o -4 addr show dev ${dev}`;
  return r.code === 0 && r.stdout.includes(` ${addr}/`);
}

/** The switch and the controller; whole or rebuilt. Returns false when it had to rebuild. */
export async function switchIsWhole(): Promise<boolean> {
  return (
    netnsExists(SWITCH_NS) &&
    netnsExists(CONTROLLER_NS) &&
    (await linkExists(SWITCH_NS, BRIDGE)) &&
    (await linkExists(SWITCH_NS, CONTROLLER_PORT)) &&
    (await hasAddress(CONTROLLER_NS, 'eth0', CONTROLLER_ADDRESS))
  );
}

export async function createSwitch(): Promise<void> {
  await must`ip netns add ${SWITCH_NS}`;
  await must`ip -n ${SWITCH_NS} link set lo up`;
  await must`ip -n ${SWITCH_NS} link add ${BRIDGE} type bridge`;
  await must`ip -n ${SWITCH_NS} link set ${BRIDGE} up`;
  await must`ip netns add ${CONTROLLER_NS}`;
  await must`ip -n ${SWITCH_NS} link add ${CONTROLLER_PORT} type veth peer name eth0 netns ${CONTROLLER_NS}`;
  await must`ip -n ${SWITCH_NS} link set ${CONTROLLER_PORT} master ${BRIDGE} up`;
  await must`ip -n ${CONTROLLER_NS} link set lo up`;
  await ensureControllerAddresses();
  await must`ip -n ${CONTROLLER_NS} link set eth0 up`;
}

/**
 * The controller's address in each lab subnet; each gives eth0 an on-link route, and those are
 * its only routes: there is no default route to leak by. Added where missing, so a lab made
 * before a subnet was added gets it on its next `lab up` without a restart.
 */
export async function ensureControllerAddresses(): Promise<void> {
  for (const s of LAB_SUBNETS)
    if (!(await hasAddress(CONTROLLER_NS, 'eth0', s.controller)))
      await must`ip -n ${CONTROLLER_NS} addr add ${s.controller}/${s.prefix} dev eth0`;
}

/** The host's namespace, its cable to the switch and its address; repairs whatever is missing. */
export async function ensureHostNet(h: LabHost): Promise<void> {
  const fresh = !netnsExists(h.netns);
  if (fresh) await must`ip netns add ${h.netns}`;
  // A namespace deleted moments ago (the host powered off) loses its veth asynchronously: the
  // switch port may still be there, cabled to nothing. A fresh namespace always gets a new cable.
  if (fresh || !(await linkExists(SWITCH_NS, h.port)) || !(await linkExists(h.netns, 'eth0'))) {
    await run`ip -n ${SWITCH_NS} link del ${h.port}`;
    await run`ip -n ${h.netns} link del eth0`;
    await must`ip -n ${SWITCH_NS} link add ${h.port} type veth peer name eth0 address ${macOf(h.name)} netns ${h.netns}`;
    await must`ip -n ${SWITCH_NS} link set ${h.port} master ${BRIDGE} up`;
  }
  await must`ip -n ${h.netns} link set lo up`;
  if (!(await hasAddress(h.netns, 'eth0', h.address))) {
    await must`ip -n ${h.netns} addr add ${h.address}/${hostSubnetOf(h.address)?.prefix ?? 24} dev eth0`;
  }
  await must`ip -n ${h.netns} link set eth0 up`;
}

/** Deleting the namespace drops the host's addresses, routes and sysctls, as a power cycle does. */
export async function deleteNetns(ns: string): Promise<void> {
  if (netnsExists(ns)) await run`ip netns del ${ns}`;
}

export async function setPlugged(h: LabHost, plugged: boolean): Promise<void> {
  await must`ip -n ${SWITCH_NS} link set ${h.port} ${plugged ? 'up' : 'down'}`;
  if (!plugged) return;
  // a cable is back when both ends see the carrier: return only then, so the next packet passes
  const end = Date.now() + 3_000;
  while (Date.now() < end) {
    const port = await run`ip -n ${SWITCH_NS} -o link show dev ${h.port}`;
    // a UML guest's end is inside its own kernel: its tap shows UP once the guest holds it
    const nic = h.kind === 'uml' ? port : await run`ip -n ${h.netns} -o link show dev eth0`;
    if (/ state UP /.test(port.stdout) && / state UP /.test(nic.stdout)) return;
    await sleep(20);
  }
}

export async function isPlugged(h: LabHost): Promise<boolean> {
  const r = await run`ip -n ${SWITCH_NS} -o link show dev ${h.port}`;
  return r.code === 0 && /<[^>]*\bUP\b[^>]*>/.test(r.stdout);
}

/** IPv4 addresses on a host's eth0 (read over netlink; sends nothing). */
export async function addressesOf(h: LabHost): Promise<string[]> {
  const r = await run`ip -n ${h.netns} -o -4 addr show dev eth0`;
  return [...r.stdout.matchAll(/ inet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]!);
}

// Partitions: one nft table in the switch drops frames between listed pairs of ports, both ways.
const PARTITION_TABLE = 'lvsplay-partition';
const partitionsFile = (p: LabPaths) => join(p.stateDir, 'partitions.json');

export function partitions(p: LabPaths): [string, string][] {
  try {
    return JSON.parse(readFileSync(partitionsFile(p), 'utf8')) as [string, string][];
  } catch {
    return [];
  }
}

export async function applyPartitions(p: LabPaths, pairs: [LabHost, LabHost][]): Promise<void> {
  const rules = pairs.flatMap(([a, b]) => [
    `    iifname "${a.port}" oifname "${b.port}" drop`,
    `    iifname "${b.port}" oifname "${a.port}" drop`,
  ]);
  // add-then-delete makes the delete safe when the table does not exist yet
  const script = [
    `add table bridge ${PARTITION_TABLE}`,
    `delete table bridge ${PARTITION_TABLE}`,
    ...(pairs.length
      ? [
          `table bridge ${PARTITION_TABLE} {`,
          '  chain forward {',
          '    type filter hook forward priority 0; policy accept;',
          ...rules,
          '  }',
          '}',
        ]
      : []),
    '',
  ].join('\n');
  await sys({ input: script }).must`ip netns exec ${SWITCH_NS} nft -f -`;
  if (pairs.length) writeFileSync(partitionsFile(p), JSON.stringify(pairs.map(([a, b]) => [a.name, b.name])));
  else rmSync(partitionsFile(p), { force: true });
}
