// setup / gather_facts: one round trip reading OS, distribution, addresses, init system, package
// manager and IPVS. The host prints labelled sections of plain command output; `parseFacts` is
// a pure parser of that text, so it is tested on output captured from real hosts.
import type { z } from 'zod';
import { sh, raw } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { bool, int, list, moduleArgs, str } from './args.js';
import type { StateModule } from './runtime.js';

const setupArgs = moduleArgs({
  gather_subset: list().optional(),
  gather_timeout: int().optional(),
  filter: list().optional(),
  fact_path: str().optional(),
  parallel: bool().optional(),
});

export type Facts = Record<string, unknown>;

// Each section starts with a `@@name` line; command failures print nothing, so a missing tool
// (no `ip`, no /etc/os-release) only leaves its section empty.
// One script, and as few processes as the facts allow: a fork costs tens of milliseconds on a
// small, emulated or loaded host, and this runs first on every host of every run. Files are read
// with the shell's own `read` (f), the kernel's names from /proc/sys/kernel, the user from
// /proc/self/status and /etc/passwd; what only a program knows (the machine, the FQDN, the
// addresses and routes, the CPUs this process may use, the time) costs one process each.
const SCRIPT = raw(`LC_ALL=C; export LC_ALL
f() { [ -r "$1" ] || return 1; while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done < "$1"; }
echo @@os; f /etc/os-release || f /usr/lib/os-release
echo @@debian_version; f /etc/debian_version
echo @@redhat_release; f /etc/redhat-release
echo @@uname; f /proc/sys/kernel/ostype || uname -s; f /proc/sys/kernel/osrelease || uname -r
f /proc/sys/kernel/version || uname -v; uname -m; f /proc/sys/kernel/hostname || uname -n
echo @@fqdn; hostname -f 2>/dev/null || hostname 2>/dev/null
echo @@addr; ip -o addr 2>/dev/null
echo @@link; ip -o link 2>/dev/null
echo @@route4; ip -4 route show default 2>/dev/null
echo @@route6; ip -6 route show default 2>/dev/null
echo @@init; if [ -d /run/systemd/system ]; then echo systemd; elif [ -x /sbin/openrc-run ] || [ -x /sbin/openrc ]; then echo openrc; else echo sysvinit; fi
echo @@pkg; for m in apt-get dnf yum apk zypper pacman; do command -v $m 2>/dev/null; done
echo @@ipvs; if [ -e /proc/net/ip_vs ]; then echo yes; else echo no; fi
echo @@mem; while IFS= read -r l; do case $l in MemTotal:*|MemFree:*|SwapTotal:*|SwapFree:*) printf '%s\\n' "$l";; esac; done < /proc/meminfo
echo @@cpu; nproc 2>/dev/null || grep -c ^processor /proc/cpuinfo
echo @@user; u=; while IFS= read -r l; do case $l in Uid:*) set -- $l; u=$2; break;; esac; done < /proc/self/status
n=; [ -n "$u" ] && while IFS=: read -r a b c rest; do [ "$c" = "$u" ] && { n=$a; break; }; done < /etc/passwd
if [ -n "$n" ]; then echo "$n"; echo "$u"; else id -un 2>/dev/null; id -u 2>/dev/null; fi
echo @@epoch; date +%s
echo @@end`);

export function factsProbeCommand() {
  return sh`${SCRIPT}`;
}

function sections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] | undefined;
  for (const line of text.split('\n')) {
    const m = /^@@(\w+)$/.exec(line);
    if (m) out.set(m[1]!, (cur = []));
    else if (cur && line !== '') cur.push(line);
  }
  return out;
}

function osRelease(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of lines) {
    const m = /^([A-Z_]+)=(.*)$/.exec(l);
    if (m) out[m[1]!] = m[2]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

// Ansible's names for a distribution ID and its family.
const DISTRO: Record<string, string> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  centos: 'CentOS',
  rhel: 'RedHat',
  fedora: 'Fedora',
  rocky: 'Rocky',
  almalinux: 'AlmaLinux',
  alpine: 'Alpine',
  arch: 'Archlinux',
  opensuse: 'openSUSE',
  sles: 'SLES',
  ol: 'OracleLinux',
  amzn: 'Amazon',
};
const FAMILY: Record<string, string> = {
  debian: 'Debian',
  ubuntu: 'Debian',
  rhel: 'RedHat',
  centos: 'RedHat',
  fedora: 'RedHat',
  rocky: 'RedHat',
  almalinux: 'RedHat',
  ol: 'RedHat',
  amzn: 'RedHat',
  alpine: 'Alpine',
  arch: 'Archlinux',
  opensuse: 'Suse',
  sles: 'Suse',
  suse: 'Suse',
};

function distributionFacts(s: Map<string, string[]>): Facts {
  const os = osRelease(s.get('os') ?? []);
  const id = (os.ID ?? '').toLowerCase();
  const like = (os.ID_LIKE ?? '').toLowerCase().split(/\s+/);
  const family = FAMILY[id] ?? like.map((l) => FAMILY[l]).find(Boolean) ?? (id ? id : 'Linux');
  // Debian keeps its point release in /etc/debian_version (12.5); os-release says only 12.
  const debianVersion = s.get('debian_version')?.[0]?.trim();
  const version = id === 'debian' && debianVersion && /^\d/.test(debianVersion) ? debianVersion : (os.VERSION_ID ?? '');
  const [major = '', minor] = version.split('.');
  return {
    distribution: DISTRO[id] ?? (os.NAME || 'Linux'),
    distribution_release: os.VERSION_CODENAME ?? '',
    distribution_version: version,
    distribution_major_version: major,
    ...(minor !== undefined ? { distribution_minor_version: minor } : {}),
    os_family: family,
  };
}

interface Iface {
  device: string;
  active?: boolean;
  mtu?: number;
  macaddress?: string;
  type?: string;
  ipv4?: Record<string, string>;
  ipv4_secondaries?: Record<string, string>[];
  ipv6?: Array<Record<string, string>>;
}

function prefixToNetmask(prefix: number): string {
  const n = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((sh) => (n >>> sh) & 255).join('.');
}

function networkOf(addr: string, prefix: number): string {
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  const n = addr.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0) & mask;
  return [24, 16, 8, 0].map((sh) => (n >>> sh) & 255).join('.');
}

// `ip -o` names a veth `eth0@if7`; the interface is `eth0`.
const devName = (s: string) => s.replace(/:$/, '').replace(/@.*$/, '');

function interfaceFacts(s: Map<string, string[]>): Map<string, Iface> {
  const ifaces = new Map<string, Iface>();
  const get = (name: string) => {
    let i = ifaces.get(name);
    if (!i) ifaces.set(name, (i = { device: name }));
    return i;
  };
  for (const l of s.get('link') ?? []) {
    const m = /^\d+:\s+(\S+)\s+<([^>]*)>(.*)$/.exec(l);
    if (!m) continue;
    const i = get(devName(m[1]!));
    const flags = m[2]!.split(',');
    i.active = flags.includes('UP');
    const mtu = /\bmtu (\d+)/.exec(m[3]!);
    if (mtu) i.mtu = Number(mtu[1]);
    const ether = /link\/(\w+) ([0-9a-f:]+)/.exec(m[3]!);
    if (ether) {
      i.type = ether[1] === 'loopback' ? 'loopback' : ether[1] === 'ether' ? 'ether' : ether[1]!;
      i.macaddress = ether[2]!;
    }
  }
  for (const l of s.get('addr') ?? []) {
    const m = /^\d+:\s+(\S+)\s+(inet6?)\s+([0-9a-fA-F.:]+)\/(\d+)(.*)$/.exec(l);
    if (!m) continue;
    const i = get(devName(m[1]!));
    const [, , fam, address, p, rest] = m as unknown as [string, string, string, string, string, string];
    const prefix = Number(p);
    if (fam === 'inet') {
      const brd = /\bbrd ([\d.]+)/.exec(rest)?.[1];
      const v4 = {
        address,
        netmask: prefixToNetmask(prefix),
        network: networkOf(address, prefix),
        prefix: p,
        ...(brd ? { broadcast: brd } : {}),
      };
      if (!i.ipv4) i.ipv4 = v4;
      else (i.ipv4_secondaries ??= []).push(v4);
    } else {
      const scope = /\bscope (\w+)/.exec(rest)?.[1] ?? 'global';
      (i.ipv6 ??= []).push({ address, prefix: p, scope });
    }
  }
  return ifaces;
}

function defaultRoute(lines: string[]): { gateway?: string; interface?: string } | undefined {
  const l = lines.find((x) => x.startsWith('default'));
  if (!l) return undefined;
  const gw = /\bvia (\S+)/.exec(l)?.[1];
  const dev = /\bdev (\S+)/.exec(l)?.[1];
  return { ...(gw ? { gateway: gw } : {}), ...(dev ? { interface: dev } : {}) };
}

function networkFacts(s: Map<string, string[]>): Facts {
  const ifaces = interfaceFacts(s);
  const all4: string[] = [];
  const all6: string[] = [];
  const out: Facts = { interfaces: [...ifaces.keys()] };
  for (const [name, i] of ifaces) {
    out[name.replace(/[^A-Za-z0-9_]/g, '_')] = i;
    for (const a of [i.ipv4, ...(i.ipv4_secondaries ?? [])])
      if (a && !a.address!.startsWith('127.')) all4.push(a.address!);
    for (const a of i.ipv6 ?? []) if (a.address !== '::1') all6.push(a.address!);
  }
  out.all_ipv4_addresses = all4;
  out.all_ipv6_addresses = all6;
  const describe = (dev: string | undefined, gateway: string | undefined, v6: boolean): Facts => {
    const i = dev ? ifaces.get(dev) : undefined;
    if (!i) return {};
    const a = v6 ? i.ipv6?.find((x) => x.scope === 'global') : i.ipv4;
    return {
      interface: dev,
      ...(gateway ? { gateway } : {}),
      ...(a ?? {}),
      ...(i.macaddress ? { macaddress: i.macaddress } : {}),
      ...(i.mtu ? { mtu: i.mtu } : {}),
      ...(i.type ? { type: i.type } : {}),
    };
  };
  const r4 = defaultRoute(s.get('route4') ?? []);
  // A host without a default route (an isolated lab network) still has a main address: Ansible
  // leaves default_ipv4 empty there; the first global, non-loopback address is more useful.
  const fallback = [...ifaces.values()].find(
    (i) => i.type !== 'loopback' && i.ipv4 && !i.ipv4.address!.startsWith('127.'),
  );
  out.default_ipv4 = r4 ? describe(r4.interface, r4.gateway, false) : describe(fallback?.device, undefined, false);
  const r6 = defaultRoute(s.get('route6') ?? []);
  out.default_ipv6 = r6 ? describe(r6.interface, r6.gateway, true) : {};
  return out;
}

const PKG: Record<string, string> = {
  'apt-get': 'apt',
  dnf: 'dnf',
  yum: 'yum',
  apk: 'apk',
  zypper: 'zypper',
  pacman: 'pacman',
};

function memFacts(lines: string[]): Facts {
  const kb: Record<string, number> = {};
  for (const l of lines) {
    const m = /^(\w+):\s+(\d+)/.exec(l);
    if (m) kb[m[1]!] = Number(m[2]);
  }
  const mb = (k: string) =>
    kb[k] !== undefined
      ? {
          [k.replace(
            /^(Mem|Swap)(Total|Free)$/,
            (_, a: string, b: string) => `${a.toLowerCase()}${b.toLowerCase()}_mb`,
          )]: Math.floor(kb[k]! / 1024),
        }
      : {};
  return { ...mb('MemTotal'), ...mb('MemFree'), ...mb('SwapTotal'), ...mb('SwapFree') };
}

/** Ansible-named facts (without the `ansible_` prefix, as in `ansible_facts`) from the probe's output. */
export function parseFacts(stdout: string): Facts {
  const s = sections(stdout);
  if (!s.has('end')) throw new Error('the facts probe did not finish');
  const [system = 'Linux', kernel = '', kernelVersion = '', machine = '', nodename = ''] = s.get('uname') ?? [];
  const fqdn = s.get('fqdn')?.[0] ?? nodename;
  const pkgPath = (s.get('pkg') ?? [])[0];
  const pkgMgr = pkgPath ? (PKG[pkgPath.split('/').pop()!] ?? 'unknown') : 'unknown';
  const ipvs = s.get('ipvs')?.[0] === 'yes';
  const cpus = Number(s.get('cpu')?.[0] ?? 0);
  const [userId, uid] = s.get('user') ?? [];
  return {
    ...distributionFacts(s),
    system,
    kernel,
    kernel_version: kernelVersion,
    architecture: machine,
    machine,
    nodename,
    hostname: nodename.split('.')[0],
    fqdn,
    domain: fqdn.includes('.') ? fqdn.slice(fqdn.indexOf('.') + 1) : '',
    ...networkFacts(s),
    service_mgr: s.get('init')?.[0] ?? 'sysvinit',
    pkg_mgr: pkgMgr,
    lvsplay_ipvs: ipvs,
    ipvs,
    ...memFacts(s.get('mem') ?? []),
    processor_vcpus: cpus,
    processor_nproc: cpus,
    ...(userId ? { user_id: userId, user_uid: Number(uid) } : {}),
    date_time: { epoch: s.get('epoch')?.[0] ?? '' },
  };
}

/** The subset each fact belongs to; lvsplay's own (ipvs) is always kept. */
function subsetOf(name: string, facts: Facts): string | undefined {
  if (name === 'ipvs' || name === 'lvsplay_ipvs') return undefined;
  if (/^(mem|swap)\w*_mb$|^processor_/.test(name)) return 'hardware';
  const ifaces = Array.isArray(facts.interfaces) ? (facts.interfaces as string[]) : [];
  if (/^(interfaces|default_ipv[46]|all_ipv[46]_addresses)$/.test(name) || ifaces.includes(name)) return 'network';
  if (/^(distribution|os_family)/.test(name)) return 'distribution';
  if (/^(user_)/.test(name)) return 'user';
  if (['pkg_mgr', 'service_mgr', 'date_time'].includes(name)) return name;
  return 'platform';
}

/** The parts of Ansible's `min` subset that lvsplay reads. */
const MIN_PARTS = ['distribution', 'platform', 'user', 'pkg_mgr', 'service_mgr', 'date_time'];
/** Names Ansible 2.14 accepts in gather_subset besides those above (lvsplay reads none of their facts). */
const OTHER_SUBSETS = [
  'virtual',
  'ohai',
  'facter',
  'apparmor',
  'caps',
  'cmdline',
  'dns',
  'env',
  'fips',
  'local',
  'lsb',
  'python',
  'selinux',
  'ssh_pub_keys',
  'devices',
  'interfaces',
  'system',
  'chroot',
  'iscsi',
  'nvme',
  'fibre_channel_wwn',
  'systemd',
  'loadavg',
  'dmi',
  'mounts',
];

/**
 * gather_subset as ansible-core 2.14 reads it (module_utils/facts/collector.py): the minimal
 * subset always, then `all` or named subsets, less `!name` (`!all` leaves the minimal subset,
 * `!min` removes it too); a subset named explicitly is kept even if excluded.
 */
export function subsetFacts(facts: Facts, subsets: string[]): Facts {
  const valid = new Set([...MIN_PARTS, 'hardware', 'network', ...OTHER_SUBSETS]);
  const names = subsets
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean);
  const add = new Set<string>();
  const exclude = new Set<string>();
  const explicit = new Set<string>();
  for (const n of ['min', ...(names.length ? names : ['all'])]) {
    if (n === 'min') MIN_PARTS.forEach((g) => add.add(g));
    else if (n === 'all') valid.forEach((g) => add.add(g));
    else if (n === '!min') MIN_PARTS.forEach((g) => exclude.add(g));
    else if (n === '!all') [...valid].filter((g) => !MIN_PARTS.includes(g)).forEach((g) => exclude.add(g));
    else if (n.startsWith('!')) exclude.add(n.slice(1));
    else if (!valid.has(n))
      throw new Error(
        `Bad subset '${n}' given to gather_subset; options allowed: all, min, ${[...valid].sort().join(', ')}`,
      );
    else {
      explicit.add(n);
      add.add(n);
    }
  }
  for (const g of exclude) if (!explicit.has(g)) add.delete(g);
  const out: Facts = {};
  for (const [k, v] of Object.entries(facts)) {
    const g = subsetOf(k, facts);
    if (g === undefined || add.has(g)) out[k] = v;
  }
  return out;
}

/** Ansible's `filter`: shell-style patterns matched against `ansible_<name>` (or the bare name). */
export function filterFacts(facts: Facts, patterns: string[]): Facts {
  if (!patterns.length) return facts;
  const res = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .replace(/[.+^${}()|\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      ),
  );
  const out: Facts = {};
  for (const [k, v] of Object.entries(facts)) if (res.some((r) => r.test(`ansible_${k}`) || r.test(k))) out[k] = v;
  return out;
}

export const setupModule: StateModule<z.output<typeof setupArgs>, Facts> = {
  name: 'setup',
  aliases: ['gather_facts', 'ansible.builtin.setup', 'ansible.builtin.gather_facts'],
  exec: 'state',
  args: setupArgs,
  // Every subset costs the same single round trip: all is read, and gather_subset then keeps
  // the facts of the subsets asked for, as Ansible returns them.
  probe: () => ({ cmd: factsProbeCommand(), parse: (r: ExecResult) => parseFacts(r.stdout) }),
  plan: (a, facts) => {
    let subset: Facts;
    try {
      subset = subsetFacts(facts, (a.gather_subset ?? ['all']).map(String));
    } catch (e) {
      return { failed: (e as Error).message };
    }
    return { changes: [], data: { ansible_facts: filterFacts(subset, (a.filter ?? []).map(String)) } };
  },
};
