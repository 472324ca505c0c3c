import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatDiagnostic } from '../../src/diagnostics.js';
import { groupNamesOf, groupsMap, hostVarsOf, loadInventory } from '../../src/inventory/index.js';

function load(name: string, text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'inv-yaml-'));
  writeFileSync(join(dir, name), text);
  return loadInventory([name], { cwd: dir });
}

describe('YAML inventories', () => {
  test('all/children/hosts/vars, nested groups, YAML 1.1 values', () => {
    const r = load(
      'hosts.yml',
      'all:\n  vars:\n    ntp: pool\n  children:\n    cluster:\n      vars: {vip: 10.0.7.247, managed: yes}\n      children:\n        directors:\n          hosts:\n            lvs1: {ansible_host: 10.0.7.11, mode: 0644}\n',
    );
    expect(r.diagnostics).toEqual([]);
    expect(hostVarsOf(r.inventory, 'lvs1')).toEqual({
      ntp: 'pool',
      vip: '10.0.7.247',
      managed: true,
      ansible_host: '10.0.7.11',
      mode: 0o644,
    });
    expect(groupNamesOf(r.inventory, 'lvs1')).toEqual(['cluster', 'directors']);
  });

  test('hosts directly under all are ungrouped; ranges and ports in host keys', () => {
    const r = load(
      'hosts.yaml',
      'all:\n  hosts:\n    solo:\n  children:\n    web:\n      hosts:\n        web[1:2]:8080:\n',
    );
    expect(groupsMap(r.inventory)).toEqual({
      all: ['solo', 'web1', 'web2'],
      ungrouped: ['solo'],
      web: ['web1', 'web2'],
    });
    expect(hostVarsOf(r.inventory, 'web2')).toEqual({ ansible_port: 8080 });
  });

  test('a string where a map is expected names one host or group, as Ansible allows', () => {
    const r = load('hosts.yml', 'db:\n  hosts: db1\nall:\n  children: db\n');
    expect(r.diagnostics).toEqual([]);
    expect(groupsMap(r.inventory)['db']).toEqual(['db1']);
  });

  test('JSON inventories are read by the same reader', () => {
    const r = load('hosts.json', '{"web": {"hosts": {"w1": {"port": 80}}, "vars": {"tier": "front"}}}');
    expect(hostVarsOf(r.inventory, 'w1')).toEqual({ tier: 'front', port: 80 });
  });

  test('unexpected keys and non-map groups are warnings (Ansible skips them), not errors', () => {
    const r = load('hosts.yml', 'web:\n  host:\n    w1:\n  hosts:\n    w2:\nbad: [1, 2]\n');
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(/^hosts\.yml:2:3: warning: unexpected key 'host' in group 'web'; Ansible skips it/),
      expect.stringMatching(/^hosts\.yml:6:6: warning: group 'bad' is a list, not a mapping/),
    ]);
    expect([...r.inventory.hosts.keys()]).toEqual(['w2']);
  });

  test('an INI file with a .yml name is still read, as Ansible falls back to INI', () => {
    const r = load('hosts.yml', '[web]\nw1 port=80\n');
    expect(r.diagnostics).toEqual([]);
    expect(hostVarsOf(r.inventory, 'w1')).toEqual({ port: 80 });
  });

  test('dynamic inventory scripts are refused with what to do instead', () => {
    const r = load('ec2.py', '#!/usr/bin/env python3\nprint("{}")\n');
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(/ec2\.py:1:1: ec2\.py is an inventory script, which is not supported; save its output/),
    ]);
  });

  test('a missing source is an error naming it', () => {
    const r = loadInventory(['nope.ini'], { cwd: tmpdir() });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(/inventory source nope\.ini does not exist/),
    ]);
  });
});
