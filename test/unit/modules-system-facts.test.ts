// Facts and sysctl planning, parsed from probe output captured on real lab hosts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filterFacts, parseFacts, subsetFacts } from '../../src/modules/setup.js';
import {
  DEFAULT_SYSCTL_FILE,
  editSysctlFile,
  normaliseValue,
  parseSysctlProbe,
  sysctlModule,
} from '../../src/modules/sysctl.js';
import type { ModuleContext } from '../../src/modules/runtime.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/modules-system', name), 'utf8');
const ctx = {} as ModuleContext;

describe('setup facts from a Debian 12 lab host', () => {
  const f = parseFacts(fixture('facts-lvs2.txt'));
  it('names the distribution as Ansible does', () => {
    expect(f).toMatchObject({
      distribution: 'Debian',
      os_family: 'Debian',
      distribution_release: 'bookworm',
      distribution_version: '12.15',
      distribution_major_version: '12',
      system: 'Linux',
      architecture: 'x86_64',
    });
  });
  it('reads host name, init system, package manager and IPVS', () => {
    expect(f).toMatchObject({
      hostname: 'lvs2',
      fqdn: 'lvs2',
      service_mgr: 'sysvinit',
      pkg_mgr: 'apt',
      lvsplay_ipvs: false,
      ipvs: false,
      processor_vcpus: 2,
    });
    expect(f.memtotal_mb).toBe(Math.floor(24684092 / 1024));
  });
  it('lists interfaces and addresses, without the veth peer suffix or loopback addresses', () => {
    expect(f.interfaces).toEqual(['lo', 'eth0']);
    expect(f.all_ipv4_addresses).toEqual(['10.0.7.12']);
    expect(f.eth0).toMatchObject({
      device: 'eth0',
      active: true,
      mtu: 1500,
      macaddress: '02:6c:c3:06:37:f4',
      ipv4: { address: '10.0.7.12', prefix: '24', netmask: '255.255.255.0', network: '10.0.7.0' },
    });
  });
  it('falls back to the main address when the host has no default route', () => {
    expect(f.default_ipv4).toMatchObject({ address: '10.0.7.12', interface: 'eth0', netmask: '255.255.255.0' });
    expect(f.default_ipv6).toEqual({});
  });
  it('follows the default route and keeps a VIP as a secondary address', () => {
    const text = fixture('facts-lvs2.txt')
      .replace('@@route4\n', '@@route4\ndefault via 10.0.7.1 dev eth0 \n')
      .replace(
        /(2: eth0 +inet 10\.0\.7\.12.*\n)/,
        '$12: eth0    inet 10.0.7.247/24 scope global secondary eth0\\       valid_lft forever preferred_lft forever\n',
      );
    const g = parseFacts(text);
    expect(g.default_ipv4).toMatchObject({ address: '10.0.7.12', gateway: '10.0.7.1', interface: 'eth0' });
    expect(g.all_ipv4_addresses).toEqual(['10.0.7.12', '10.0.7.247']);
    expect((g.eth0 as { ipv4_secondaries: unknown[] }).ipv4_secondaries).toEqual([
      expect.objectContaining({ address: '10.0.7.247' }),
    ]);
  });
  it('reads another host the same way', () => {
    expect(parseFacts(fixture('facts-db2.txt'))).toMatchObject({ hostname: 'db2', all_ipv4_addresses: ['10.0.7.42'] });
  });
  it('refuses a probe cut short rather than reporting partial facts', () => {
    expect(() => parseFacts(fixture('facts-lvs2.txt').split('@@mem')[0]!)).toThrow(/did not finish/);
  });
  it('filters facts by shell pattern on the ansible_ name', () => {
    expect(Object.keys(filterFacts(f, ['ansible_distribution*']))).toEqual([
      'distribution',
      'distribution_release',
      'distribution_version',
      'distribution_major_version',
      'distribution_minor_version',
    ]);
  });
});

describe('sysctl', () => {
  const portRange = parseSysctlProbe(fixture('sysctl-probe-1.txt'));
  it('normalises the tab the kernel prints inside a value', () => {
    expect(portRange.runtime).toBe('32768\t60999\n');
    expect(normaliseValue(portRange.runtime!)).toBe('32768 60999');
    expect(
      sysctlModule.plan(
        { name: 'net.ipv4.ip_local_port_range', value: '32768   60999', sysctl_set: true, sysctl_file: '/x' },
        { ...portRange, file: 'net.ipv4.ip_local_port_range=32768 60999\n' },
        ctx,
      ),
    ).toMatchObject({ changes: [] });
  });
  it('plans the runtime value and the persisted file, with before and after', () => {
    const plan = sysctlModule.plan({ name: 'net.ipv4.ip_local_port_range', value: '1024 65000' }, portRange, ctx);
    if ('failed' in plan) throw new Error(plan.failed);
    expect(plan.changes.map((c) => c.summary)).toEqual([
      'set net.ipv4.ip_local_port_range 32768 60999 -> 1024 65000',
      `persist net.ipv4.ip_local_port_range = 1024 65000 in ${DEFAULT_SYSCTL_FILE}`,
    ]);
    expect(plan.changes[0]!.diff).toMatchObject({
      before: 'net.ipv4.ip_local_port_range = 32768 60999\n',
      after: 'net.ipv4.ip_local_port_range = 1024 65000\n',
    });
    expect(plan.changes[1]!.diff).toMatchObject({ before: '', after: 'net.ipv4.ip_local_port_range = 1024 65000\n' });
  });
  it('fails clearly on a read-only parameter instead of pretending', () => {
    const ro = parseSysctlProbe(fixture('sysctl-probe-2.txt'));
    expect(ro).toMatchObject({ exists: true, writable: false, runtime: 'lvs2\n' });
    expect(ro.file).toContain('#kernel.domainname = example.com');
    const plan = sysctlModule.plan(
      { name: 'kernel.hostname', value: 'other', sysctl_file: '/etc/sysctl.conf' },
      ro,
      ctx,
    );
    expect(plan).toMatchObject({ failed: expect.stringMatching(/kernel\.hostname is read-only/) });
  });
  it('fails on an unknown key unless ignoreerrors', () => {
    const none = parseSysctlProbe(fixture('sysctl-probe-3.txt'));
    expect(sysctlModule.plan({ name: 'net.nosuch.key', value: '1' }, none, ctx)).toMatchObject({
      failed: expect.stringMatching(/not a kernel parameter/),
    });
    const plan = sysctlModule.plan({ name: 'net.nosuch.key', value: '1', ignoreerrors: true }, none, ctx);
    expect('changes' in plan && plan.changes.map((c) => c.summary)).toEqual([
      `persist net.nosuch.key = 1 in ${DEFAULT_SYSCTL_FILE}`,
    ]);
  });
  it('edits the file in place: one line per key, comments kept, absent removes', () => {
    const before = '# keep me\nnet.ipv4.ip_forward=0\nnet.ipv4.conf.all.arp_ignore = 1\nnet/ipv4/ip_forward = 0\n';
    expect(editSysctlFile(before, 'net.ipv4.ip_forward', '1')).toBe(
      '# keep me\nnet.ipv4.ip_forward = 1\nnet.ipv4.conf.all.arp_ignore = 1\n',
    );
    expect(editSysctlFile(before, 'net.ipv4.ip_forward', undefined)).toBe(
      '# keep me\nnet.ipv4.conf.all.arp_ignore = 1\n',
    );
    expect(editSysctlFile('#net.ipv4.ip_forward=1', 'net.ipv4.ip_forward', '1')).toBe(
      '#net.ipv4.ip_forward=1\nnet.ipv4.ip_forward = 1\n',
    );
  });
  it('with state absent leaves the runtime value alone and removes only the line', () => {
    const plan = sysctlModule.plan(
      { name: 'net.ipv4.ip_local_port_range', state: 'absent' },
      { ...portRange, file: 'a = 1\nnet.ipv4.ip_local_port_range = 1 2\n' },
      ctx,
    );
    expect('changes' in plan && plan.changes.map((c) => c.summary)).toEqual([
      `remove net.ipv4.ip_local_port_range from ${DEFAULT_SYSCTL_FILE}`,
    ]);
  });
});

describe('gather_subset as ansible-core 2.14 reads it', () => {
  const facts = {
    distribution: 'Debian',
    os_family: 'Debian',
    hostname: 'd1',
    pkg_mgr: 'apt',
    interfaces: ['lo', 'eth0'],
    eth0: { device: 'eth0' },
    default_ipv4: { address: '10.0.0.2' },
    memtotal_mb: 512,
    processor_vcpus: 1,
    ipvs: true,
  };
  const keys = (subsets: string[]) => Object.keys(subsetFacts(facts, subsets)).sort();
  it('all (the default) keeps everything', () => {
    expect(keys([])).toEqual(Object.keys(facts).sort());
    expect(keys(['all'])).toEqual(Object.keys(facts).sort());
  });
  it('!all keeps the minimal subset; a named subset adds to it; !min takes it away', () => {
    expect(keys(['!all'])).toEqual(['distribution', 'hostname', 'ipvs', 'os_family', 'pkg_mgr']);
    expect(keys(['network'])).toEqual([
      'default_ipv4',
      'distribution',
      'eth0',
      'hostname',
      'interfaces',
      'ipvs',
      'os_family',
      'pkg_mgr',
    ]);
    expect(keys(['!all', '!min', 'hardware'])).toEqual(['ipvs', 'memtotal_mb', 'processor_vcpus']);
    expect(keys(['all', '!hardware'])).not.toContain('memtotal_mb');
    expect(keys(['all', '!hardware'])).toContain('eth0');
  });
  it('refuses a subset name Ansible does not have', () => {
    expect(() => subsetFacts(facts, ['hardwre'])).toThrow(/Bad subset 'hardwre'/);
  });
});
