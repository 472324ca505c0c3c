// What the lab reads before it touches the machine: the inventory, the apt mirror, and whether
// it can run here at all. None of this needs root.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LvsplayError, formatDiagnostic } from '../../src/diagnostics.js';
import { readTopology, hostsTable, kindFor } from '../../src/lab/topology.js';
import { debianMirror, parseDeb822Sources, parseOneLineSources } from '../../src/lab/mirror.js';
import { rootAndToolsProblem } from '../../src/lab/sys.js';
import { hostPort } from '../../src/lab/paths.js';
import { macOf } from '../../src/lab/network.js';

function inventoryFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-labinv-'));
  const f = join(dir, 'hosts.ini');
  writeFileSync(f, text);
  return f;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LvsplayError);
    return (e as LvsplayError).diagnostics.map(formatDiagnostic).join('\n');
  }
  throw new Error('expected an error');
}

describe('lab topology from the inventory', () => {
  it('reads the seed cluster (six hosts) and its client, their addresses, groups and the VIP', () => {
    const t = readTopology();
    expect(t.hosts.map((h) => `${h.name}=${h.address}`)).toEqual([
      'lvs1=10.0.7.11',
      'lvs2=10.0.7.12',
      'web1=10.0.7.211',
      'web2=10.0.7.29',
      'db1=10.0.7.41',
      'db2=10.0.7.42',
      'client=10.0.7.100',
    ]);
    expect(t.hosts.find((h) => h.name === 'client')?.groups).toEqual(['clients']);
    expect(t.hosts.find((h) => h.name === 'lvs1')?.groups).toEqual(['directors']);
    expect(t.vip).toBe('10.0.7.247');
    expect(t.hosts.every((h) => h.netns.startsWith('lvsplay-') && h.port.startsWith('lvsplay-'))).toBe(true);
  });

  it('an inventory with eight hosts gives eight', () => {
    const lines = Array.from({ length: 8 }, (_, i) => `n${i + 1} ansible_host=10.0.7.${100 + i}`);
    const t = readTopology(inventoryFile(`[nodes]\n${lines.join('\n')}\n`));
    expect(t.hosts).toHaveLength(8);
    expect(t.hosts[7]).toMatchObject({ name: 'n8', address: '10.0.7.107', groups: ['nodes'] });
  });

  it('refuses an address outside the lab network, naming the line', () => {
    const f = inventoryFile('[web]\nok ansible_host=10.0.7.20\nbad ansible_host=192.168.1.5\n');
    const msg = errorOf(() => readTopology(f));
    expect(msg).toContain(`${f}:3:`);
    expect(msg).toMatch(/bad: address 192\.168\.1\.5 is not a host address of the lab network 10\.0\.7\.0\/24/);
  });

  it('auto makes the directors UML guests only where this kernel has no IPVS and linux.uml exists', () => {
    const noIpvs = { machineIpvs: false, umlAvailable: true };
    expect(kindFor('auto', ['directors'], noIpvs)).toBe('uml');
    expect(kindFor('auto', ['realservers'], noIpvs)).toBe('netns');
    expect(kindFor('auto', ['directors'], { machineIpvs: true, umlAvailable: true })).toBe('netns');
    expect(kindFor('auto', ['directors'], { machineIpvs: false, umlAvailable: false })).toBe('netns');
    expect(kindFor('uml', ['dbservers'], { machineIpvs: true, umlAvailable: true })).toBe('uml');
    expect(kindFor('netns', ['directors'], noIpvs)).toBe('netns');
  });

  it('lab_host_kind wins over the --kind default; an unknown kind names the line', () => {
    const ctx = { machineIpvs: false, umlAvailable: true };
    const f = inventoryFile(
      '[directors]\nd1 ansible_host=10.0.7.5\nd2 ansible_host=10.0.7.6 lab_host_kind=netns\n[web]\nw ansible_host=10.0.7.7\n',
    );
    const kinds = (o: Parameters<typeof readTopology>[2]) =>
      readTopology(f, undefined, o).hosts.map((h) => `${h.name}=${h.kind}`);
    expect(kinds({ context: ctx })).toEqual(['d1=uml', 'd2=netns', 'w=netns']);
    expect(kinds({ context: ctx, kind: 'netns' })).toEqual(['d1=netns', 'd2=netns', 'w=netns']);
    expect(kinds({ context: ctx, kind: 'uml' })).toEqual(['d1=uml', 'd2=netns', 'w=uml']);
    const bad = inventoryFile('[web]\nw ansible_host=10.0.7.7 lab_host_kind=vm\n');
    const msg = errorOf(() => readTopology(bad, undefined, { context: ctx }));
    expect(msg).toContain(`${bad}:2:`);
    expect(msg).toMatch(/unknown lab_host_kind "vm".*auto, netns, uml/s);
  });

  it('a release per host: lab_release, else --release, else bookworm; Debian 13 hosts are systemd hosts', () => {
    const noIpvs = { machineIpvs: false, umlAvailable: true };
    const f = inventoryFile(
      '[directors]\nd1 ansible_host=10.0.7.5\n[web]\nw1 ansible_host=10.0.7.7 lab_release=trixie\nw2 ansible_host=10.0.7.8\n' +
        'w3 ansible_host=10.0.7.9 lab_host_kind=systemd\n',
    );
    const hosts = (o: Parameters<typeof readTopology>[2]) =>
      readTopology(f, undefined, o).hosts.map((h) => `${h.name}=${h.kind}/${h.release}`);
    expect(hosts({ context: noIpvs })).toEqual([
      'd1=uml/bookworm',
      'w1=systemd/trixie',
      'w2=netns/bookworm',
      'w3=systemd/bookworm',
    ]);
    // a director that needs IPVS stays a UML guest (Debian 12) where the kernel has none
    expect(hosts({ context: noIpvs, release: 'trixie' })).toEqual([
      'd1=uml/bookworm',
      'w1=systemd/trixie',
      'w2=systemd/trixie',
      'w3=systemd/trixie',
    ]);
    expect(hosts({ context: { machineIpvs: true, umlAvailable: true }, release: 'trixie' })[0]).toBe(
      'd1=systemd/trixie',
    );
    const sysv13 = inventoryFile('[web]\nw ansible_host=10.0.7.7 lab_host_kind=netns lab_release=trixie\n');
    expect(errorOf(() => readTopology(sysv13, undefined, { context: noIpvs }))).toMatch(
      new RegExp(`${sysv13}:2:.*a netns host is Debian 12 \\(bookworm\\), not trixie.*lab_host_kind=systemd`, 's'),
    );
    const bad = inventoryFile('[web]\nw ansible_host=10.0.7.7 lab_release=sid\n');
    expect(errorOf(() => readTopology(bad, undefined, { context: noIpvs }))).toMatch(
      /:2:.*unknown lab_release "sid".*bookworm, trixie/s,
    );
  });

  it('reads inventory/lab-trixie.ini: the same cluster on Debian 13 with systemd', () => {
    const lab = readTopology();
    const t = readTopology('inventory/lab-trixie.ini', undefined, {
      context: { machineIpvs: true, umlAvailable: true },
    });
    expect(t.hosts.map((h) => `${h.name}=${h.address}`)).toEqual(lab.hosts.map((h) => `${h.name}=${h.address}`));
    expect(t.vip).toBe(lab.vip);
    expect(new Set(t.hosts.map((h) => `${h.kind}/${h.release}`))).toEqual(new Set(['systemd/trixie']));
  });

  it('refuses the controller address and duplicate addresses', () => {
    expect(errorOf(() => readTopology(inventoryFile('a ansible_host=10.0.7.1\n')))).toMatch(/controller/);
    expect(errorOf(() => readTopology(inventoryFile('a ansible_host=10.0.7.5\nb ansible_host=10.0.7.5\n')))).toMatch(
      /b and a share the address 10\.0\.7\.5/,
    );
  });

  it('gives long host names a port name that fits in 15 bytes, stable across runs', () => {
    expect(hostPort('web1')).toBe('lvsplay-web1');
    const long = hostPort('a-very-long-host-name');
    expect(long.length).toBeLessThanOrEqual(15);
    expect(long).toBe(hostPort('a-very-long-host-name'));
    expect(long).not.toBe(hostPort('a-very-long-host-name2'));
  });

  it('gives each host a fixed, locally administered MAC', () => {
    expect(macOf('web1')).toMatch(/^02:6c(:[0-9a-f]{2}){4}$/);
    expect(macOf('web1')).toBe(macOf('web1'));
    expect(macOf('web1')).not.toBe(macOf('web2'));
  });

  it("writes every host's name into the hosts' /etc/hosts", () => {
    const text = hostsTable(readTopology().hosts);
    expect(text).toMatch(/^10\.0\.7\.29\tweb2$/m);
    expect(text).toMatch(/^10\.0\.7\.1\tlvsplay-ctl$/m);
  });
});

describe('the Debian mirror the base is built from', () => {
  it("takes the machine's deb822 entries for the release, updates and security", () => {
    const srcs = parseDeb822Sources(
      'Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main contrib\n\n' +
        'Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\nComponents: main\n\n' +
        'Types: deb\nURIs: https://deb.nodesource.com/node_20.x\nSuites: nodistro\nComponents: main\n',
    );
    const m = debianMirror(srcs);
    expect(m.mirror).toBe('http://mirror.example/debian');
    expect(m.sources.map((s) => `${s.uri} ${s.suites.join(',')}`)).toEqual([
      'http://mirror.example/debian bookworm,bookworm-updates',
      'http://mirror.example/debian-security bookworm-security',
    ]);
  });

  it('reads one-line sources.list and falls back to deb.debian.org without a Debian entry', () => {
    const one = parseOneLineSources(
      '# x\ndeb [arch=amd64] http://m.example/debian bookworm main\ndeb-src http://m.example/debian bookworm main\n',
    );
    expect(debianMirror(one).mirror).toBe('http://m.example/debian');
    expect(debianMirror(parseOneLineSources('deb http://archive.ubuntu.com/ubuntu jammy main\n')).mirror).toBe(
      'http://deb.debian.org/debian',
    );
  });
});

describe('running the lab needs root and its tools', () => {
  it('says to run as root when not root', () => {
    const d = rootAndToolsProblem(1000, ['ip']);
    expect(d && formatDiagnostic(d)).toMatch(/needs root.*sudo lvsplay lab up/);
  });

  it('names the missing tools and the packages to install', () => {
    const d = rootAndToolsProblem(0, ['ip', 'debootstrap', 'dpkg-scanpackages'], (t) =>
      t === 'ip' ? '/usr/sbin/ip' : undefined,
    );
    expect(d && formatDiagnostic(d)).toBe(
      'lab: missing tools: debootstrap, dpkg-scanpackages; install debootstrap dpkg-dev (e.g. `apt-get install debootstrap dpkg-dev` or `scripts/install-deps.sh`)',
    );
    expect(rootAndToolsProblem(0, ['ip'], () => '/x')).toBeUndefined();
  });
});
