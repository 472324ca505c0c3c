// Which hosts the lab builds: read from an inventory (hosts, `ansible_host` addresses, groups),
// so the same file drives the lab and the runner. An inventory with eight hosts gives eight.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { LvsplayError, diag, hasErrors, type Diagnostic } from '../diagnostics.js';
import { hostVarsOf, loadInventory } from '../inventory/index.js';
import { CONTROLLER_ADDRESS, hostNetns, hostPort } from './paths.js';
import { LAB_SUBNETS, hostSubnetOf, subnetsText } from './subnets.js';
import { ipvsSupport } from './ipvs.js';
import { umlKernel } from './uml-image.js';
import {
  DEFAULT_RELEASE,
  HOST_KIND_CHOICES,
  RELEASES,
  type HostKindChoice,
  type HostKindName,
  type Release,
} from './host-kinds.js';

function machineContext(): KindContext {
  // a guest's eth0 is a tap: without /dev/net/tun (some containers) UML cannot join the lab
  return {
    machineIpvs: ipvsSupport() !== 'absent',
    umlAvailable: umlKernel() !== undefined && existsSync('/dev/net/tun'),
  };
}

export { HOST_KIND_CHOICES, RELEASES, type HostKindChoice, type HostKindName, type Release } from './host-kinds.js';

/** What `auto` needs to know about the machine. */
export interface KindContext {
  /** The machine's kernel has IPVS (loaded or as a module). */
  machineIpvs: boolean;
  /** linux.uml and its modules are installed. */
  umlAvailable: boolean;
}

/**
 * `auto`: the directors become UML guests when the machine's kernel cannot balance connections
 * and UML can (UML guests are Debian 12, whatever the host's release); every other host is a
 * namespace host on Debian 12 (SysV init) and a systemd host on Debian 13.
 */
export function kindFor(
  choice: HostKindChoice,
  groups: readonly string[],
  ctx: KindContext,
  release: Release = DEFAULT_RELEASE,
): HostKindName {
  if (choice !== 'auto') return choice;
  if (groups.includes('directors') && !ctx.machineIpvs && ctx.umlAvailable) return 'uml';
  return release === 'bookworm' ? 'netns' : 'systemd';
}

export interface LabHost {
  name: string;
  address: string;
  groups: string[];
  kind: HostKindName;
  /** Debian release (absent in a record written before releases: bookworm). */
  release?: Release;
  /** The host's network namespace on the machine. */
  netns: string;
  /** The host's port on the lab bridge (in the switch namespace). */
  port: string;
  /** Who `ssh -F <state>/ssh_config HOST` logs in as, where not root (a host whose sshd refuses root). */
  sshUser?: string;
}

export interface LabTopology {
  inventory: string;
  hosts: LabHost[];
  /** The cluster VIP (`lvs_vip`), when the inventory names one. */
  vip?: string;
}

export function projectRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url));
}

export function defaultInventory(): string {
  return resolve(projectRoot(), 'inventory/lab.ini');
}

const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export interface TopologyOptions {
  /** Kind of the hosts whose inventory sets no `lab_host_kind` (default `auto`). */
  kind?: HostKindChoice;
  /** Kind by group (`directors: 'uml'`), before `kind`; the host's own `lab_host_kind` wins. */
  groupKinds?: Record<string, HostKindChoice>;
  /** Release of the hosts whose inventory sets no `lab_release` (default bookworm). */
  release?: Release;
  /** The machine, for `auto` (default: looked up). */
  context?: KindContext;
}

export function readTopology(
  inventory: string | string[] = defaultInventory(),
  cwd = process.cwd(),
  opts: TopologyOptions = {},
): LabTopology {
  // several inventories make one lab, as `lvsplay run -i A -i B` makes one inventory
  const files = (Array.isArray(inventory) ? inventory : [inventory]).map((i) => resolve(cwd, i));
  for (const f of files)
    if (!existsSync(f))
      throw new LvsplayError(diag(`lab: inventory ${f} not found`, undefined, 'give one with -i FILE'));
  const file = files.join(', ');
  const { inventory: inv, diagnostics } = loadInventory(files, { cwd });
  if (hasErrors(diagnostics)) throw new LvsplayError(diagnostics);
  const problems: Diagnostic[] = [];
  const hosts: LabHost[] = [];
  const seen = new Map<string, string>();
  let vip: string | undefined;
  for (const h of inv.hosts.values()) {
    const vars = hostVarsOf(inv, h.name);
    const address = String(vars.ansible_host ?? h.name);
    if (!HOST_NAME.test(h.name)) {
      problems.push(
        diag(
          `lab: host name "${h.name}" cannot name a lab host`,
          h.pos,
          'use letters, digits, "-", "_" or "." (at most 63)',
        ),
      );
      continue;
    }
    if (!hostSubnetOf(address)) {
      problems.push(
        diag(
          `lab: ${h.name}: address ${address} is not a host address of the lab network ${subnetsText()}`,
          h.pos,
          `set ansible_host to a free address in ${subnetsText()} other than ${LAB_SUBNETS.map((s) => s.controller).join(' and ')} (the controller)`,
        ),
      );
      continue;
    }
    const twin = seen.get(address);
    if (twin) {
      problems.push(
        diag(`lab: ${h.name} and ${twin} share the address ${address}`, h.pos, 'give each host its own ansible_host'),
      );
      continue;
    }
    seen.set(address, h.name);
    const byGroup = Object.entries(opts.groupKinds ?? {}).find(([g]) => h.groups.has(g))?.[1];
    const choice = String(vars.lab_host_kind ?? byGroup ?? opts.kind ?? 'auto');
    if (!(HOST_KIND_CHOICES as readonly string[]).includes(choice)) {
      problems.push(
        diag(`lab: ${h.name}: unknown lab_host_kind "${choice}"`, h.pos, `use one of ${HOST_KIND_CHOICES.join(', ')}`),
      );
      continue;
    }
    let release = String(vars.lab_release ?? opts.release ?? DEFAULT_RELEASE);
    if (!(RELEASES as readonly string[]).includes(release)) {
      problems.push(
        diag(`lab: ${h.name}: unknown lab_release "${release}"`, h.pos, `use one of ${RELEASES.join(', ')}`),
      );
      continue;
    }
    const groups = [...h.groups].sort();
    const kind = kindFor(choice as HostKindChoice, groups, opts.context ?? machineContext(), release as Release);
    // a director that auto made a UML guest for its IPVS runs the guests' Debian 12
    if (choice === 'auto' && kind === 'uml') release = 'bookworm';
    if (kind !== 'systemd' && release !== 'bookworm') {
      problems.push(
        diag(
          `lab: ${h.name}: a ${kind} host is Debian 12 (bookworm), not ${release}`,
          h.pos,
          `make it a systemd host (lab_host_kind=systemd), or set lab_release=bookworm`,
        ),
      );
      continue;
    }
    if (vip === undefined && typeof vars.lvs_vip === 'string') vip = vars.lvs_vip;
    hosts.push({
      name: h.name,
      address,
      groups,
      kind,
      release: release as Release,
      netns: hostNetns(h.name),
      port: hostPort(h.name),
    });
  }
  if (problems.length) throw new LvsplayError(problems);
  if (hosts.length === 0)
    throw new LvsplayError(diag(`lab: inventory ${file} has no hosts`, undefined, 'list the lab hosts in it'));
  return vip === undefined ? { inventory: file, hosts } : { inventory: file, hosts, vip };
}

/** `/etc/hosts` of every lab host, also the name table of the connect helper. */
export function hostsTable(hosts: LabHost[]): string {
  return [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    `${CONTROLLER_ADDRESS}\tlvsplay-ctl`,
    ...hosts.map((h) => `${h.address}\t${h.name}`),
    '',
  ].join('\n');
}
