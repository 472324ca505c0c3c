import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatDiagnostic } from '../../src/diagnostics.js';
import { limitHosts, loadInventory, selectHosts, splitHostPattern } from '../../src/inventory/index.js';

const dir = mkdtempSync(join(tmpdir(), 'patterns-'));
writeFileSync(
  join(dir, 'hosts.ini'),
  `bastion
[directors]
lvs1 ansible_host=10.0.7.11
lvs2 ansible_host=10.0.7.12
[realservers]
web1 ansible_host=10.0.7.21
web2 ansible_host=10.0.7.22
web3
[dbservers]
db1
db2
web3
[staging]
web2
db2
[cluster:children]
directors
realservers
`,
);
writeFileSync(join(dir, 'site.retry'), 'web2\ndb1\n\n');
const inv = loadInventory(['hosts.ini'], { cwd: dir }).inventory;
const sel = (p: string) => selectHosts(inv, p, { cwd: dir });
const hosts = (p: string) => {
  const r = sel(p);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.hosts;
};

describe("Ansible's host patterns", () => {
  test('all, a group, a host, children', () => {
    // Ansible's order for `all`: its child groups as declared (parentless groups hang under
    // all), then their children, level by level.
    expect(hosts('all')).toEqual(['bastion', 'db1', 'db2', 'web3', 'web2', 'lvs1', 'lvs2', 'web1']);
    expect(hosts('*')).toEqual(hosts('all'));
    expect(hosts('directors')).toEqual(['lvs1', 'lvs2']);
    expect(hosts('db2')).toEqual(['db2']);
    expect(hosts('cluster')).toEqual(['lvs1', 'lvs2', 'web1', 'web2', 'web3']);
    expect(hosts('ungrouped')).toEqual(['bastion']);
  });

  test('union with : or , keeps the order of the parts and drops repeats', () => {
    expect(hosts('dbservers:directors')).toEqual(['db1', 'db2', 'web3', 'lvs1', 'lvs2']);
    expect(hosts('dbservers,directors,db1')).toEqual(['db1', 'db2', 'web3', 'lvs1', 'lvs2']);
  });

  test('intersection and exclusion apply after the union, whatever their place', () => {
    expect(hosts('realservers:&staging')).toEqual(['web2']);
    expect(hosts('cluster:!directors')).toEqual(['web1', 'web2', 'web3']);
    expect(hosts('!staging:realservers')).toEqual(['web1', 'web3']);
    expect(hosts('&staging')).toEqual(['db2', 'web2']); // no union part: all, in its order
    expect(hosts('realservers:dbservers:&staging:!web2')).toEqual(['db2']);
  });

  test('wildcards and regular expressions match groups and hosts', () => {
    expect(hosts('web*')).toEqual(['web1', 'web2', 'web3']);
    expect(hosts('lvs?')).toEqual(['lvs1', 'lvs2']);
    expect(hosts('web[!2]')).toEqual(['web1', 'web3']);
    expect(hosts('~(web|db)[13]')).toEqual(['web1', 'web3', 'db1']);
    expect(hosts('*servers')).toEqual(['web1', 'web2', 'web3', 'db1', 'db2']);
  });

  test('group subscripts: [0], [-1], [1:2], [1:]', () => {
    expect(hosts('realservers[0]')).toEqual(['web1']);
    expect(hosts('realservers[-1]')).toEqual(['web3']);
    expect(hosts('realservers[1:2]')).toEqual(['web2', 'web3']);
    expect(hosts('cluster[1:]')).toEqual(['lvs2', 'web1', 'web2', 'web3']);
    const out = sel('directors[5]');
    expect(out.hosts).toEqual([]);
    expect(out.diagnostics.map(formatDiagnostic).join('\n')).toMatch(
      /no hosts matched the subscripted pattern 'directors\[5\]'/,
    );
  });

  test('a host is also found by its address (ansible_host)', () => {
    expect(hosts('10.0.7.12')).toEqual(['lvs2']);
    expect(hosts('10.0.7.11:10.0.7.21')).toEqual(['lvs1', 'web1']);
  });

  test('@file reads host names one per line, as a retry file', () => {
    expect(hosts('@site.retry')).toEqual(['web2', 'db1']);
    expect(hosts('@site.retry:!db1')).toEqual(['web2']);
    const missing = sel('@nope.retry');
    expect(missing.diagnostics.map(formatDiagnostic).join('\n')).toMatch(/cannot find the host list file @nope\.retry/);
  });

  test('an empty match is an error that names the pattern, with a guess', () => {
    const r = selectHosts(inv, 'dbserver', { pos: { file: 'site.yml', line: 3, col: 10 } });
    expect(r.hosts).toEqual([]);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      "site.yml:3:10: host pattern 'dbserver' matches no hosts; check the pattern against `lvsplay inventory --graph`",
    ]);
    const part = selectHosts(inv, 'directors:dbserver');
    expect(part.hosts).toEqual(['lvs1', 'lvs2']);
    expect(part.diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(/warning: host pattern 'dbserver' matches no host or group.*did you mean 'dbservers'/),
    ]);
  });

  test('localhost names the implicit localhost when the inventory has none', () => {
    expect(hosts('localhost')).toEqual(['localhost']);
    expect(hosts('directors:127.0.0.1')).toEqual(['lvs1', 'lvs2', '127.0.0.1']);
  });

  test('splitting follows Ansible: IPv6 addresses and ranges are not split on colons', () => {
    expect(splitHostPattern('a:b:&c:!d')).toEqual(['a', 'b', '&c', '!d']);
    expect(splitHostPattern('web[1:3]:db')).toEqual(['web[1:3]', 'db']);
    expect(splitHostPattern('2001:db8::1')).toEqual(['2001:db8::1']);
    expect(splitHostPattern(' a , b ')).toEqual(['a', 'b']);
  });

  test('--limit keeps the selected hosts that match, in their order', () => {
    const all = hosts('all');
    expect(limitHosts(inv, all, 'staging:!db2').hosts).toEqual(['web2']);
    expect(limitHosts(inv, all, 'staging').hosts).toEqual(['db2', 'web2']);
    expect(limitHosts(inv, hosts('cluster'), 'web*,lvs1').hosts).toEqual(['lvs1', 'web1', 'web2', 'web3']);
    expect(limitHosts(inv, all, '@site.retry', { cwd: dir }).hosts).toEqual(['db1', 'web2']);
    const none = limitHosts(inv, hosts('directors'), 'dbservers');
    expect(none.hosts).toEqual([]);
    expect(none.diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(/--limit 'dbservers' leaves no hosts/),
    ]);
  });
});

describe('inventories of many hosts', () => {
  const big = mkdtempSync(join(tmpdir(), 'patterns-big-'));
  writeFileSync(join(big, 'hosts.ini'), '[web]\nh[0:199999]\n[db]\nd[0:99999999999999999999]\nx[0:999][0:999]\n');
  const loaded = loadInventory(['hosts.ini'], { cwd: big });

  test('200,000 hosts of one group are selected without overflowing the stack', () => {
    const r = selectHosts(loaded.inventory, 'web:!h1', { cwd: big });
    expect(r.hosts).toHaveLength(199_999);
    expect(r.hosts.at(-1)).toBe('h199999');
  });
  test('a range beyond the limit is refused at its line, before any name is built', () => {
    const msgs = loaded.diagnostics.map(formatDiagnostic);
    expect(msgs).toEqual([
      expect.stringMatching(
        /^hosts.ini:4:1: bad host range .*expands to 100000000000000000000 hosts, more than the limit of 250000/,
      ),
      expect.stringMatching(
        /^hosts.ini:5:1: bad host range .*expands to 1000000 hosts.*split the range over several entries$/,
      ),
    ]);
  });
});
