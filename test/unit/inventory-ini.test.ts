import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { groupNamesOf, groupsMap, hostVarsOf, loadInventory } from '../../src/inventory/index.js';
import { iniValue } from '../../src/vars/python-literal.js';
import { expandHostEntry } from '../../src/inventory/ranges.js';

function ini(text: string, name = 'hosts.ini') {
  const dir = mkdtempSync(join(tmpdir(), 'inv-ini-'));
  writeFileSync(join(dir, name), text);
  return loadInventory([name], { cwd: dir });
}

describe('INI inventories', () => {
  test('groups, implicit all and ungrouped, hosts in file order', () => {
    const r = ini('lone\n[web]\nw1\nw2\n[db]\nd1\nw1\n');
    expect(r.diagnostics).toEqual([]);
    const groups = groupsMap(r.inventory);
    expect(groups).toEqual({
      all: ['lone', 'w1', 'w2', 'd1'],
      ungrouped: ['lone'],
      web: ['w1', 'w2'],
      db: ['d1', 'w1'],
    });
    expect(groupNamesOf(r.inventory, 'w1')).toEqual(['db', 'web']);
    expect(groupNamesOf(r.inventory, 'lone')).toEqual(['ungrouped']);
  });

  test('a host listed before any section and later in a group is no longer ungrouped', () => {
    const r = ini('h1\n[g]\nh1\n');
    expect(groupsMap(r.inventory)['ungrouped']).toEqual([]);
  });

  test('ranges: numeric with padding, alphabetic, steps, several in one name', () => {
    expect(expandHostEntry('web[01:03]').hosts).toEqual(['web01', 'web02', 'web03']);
    expect(expandHostEntry('db-[a:c]').hosts).toEqual(['db-a', 'db-b', 'db-c']);
    expect(expandHostEntry('host[1:10:4]').hosts).toEqual(['host1', 'host5', 'host9']);
    expect(expandHostEntry('mail[:2].example.com').hosts).toEqual(
      ['mail0', 'mail1', 'mail2'].map((h) => `${h}.example.com`),
    );
    expect(expandHostEntry('r[1:2]-[a:b]').hosts).toEqual(['r1-a', 'r1-b', 'r2-a', 'r2-b']);
    expect(expandHostEntry('10.0.7.[1:3]').hosts).toEqual(['10.0.7.1', '10.0.7.2', '10.0.7.3']);
  });

  test('host:port sets ansible_port; IPv6 needs brackets for a port', () => {
    expect(expandHostEntry('web1:2222')).toEqual({ hosts: ['web1'], port: 2222 });
    expect(expandHostEntry('[2001:db8::1]:2200')).toEqual({ hosts: ['2001:db8::1'], port: 2200 });
    expect(expandHostEntry('2001:db8::1')).toEqual({ hosts: ['2001:db8::1'] });
    const r = ini('[g]\nweb[1:2]:2222 user=x\n');
    expect(hostVarsOf(r.inventory, 'web2')).toEqual({ ansible_port: 2222, user: 'x' });
  });

  test('inline values are typed as Python literals, like Ansible does', () => {
    const table: Array<[string, unknown]> = [
      ['5', 5],
      ['-5', -5],
      ['1.5', 1.5],
      ['0x1F', 31],
      ['1_000', 1000],
      ['0644', '0644'],
      ['True', true],
      ['False', false],
      ['None', null],
      ['yes', 'yes'],
      ['true', 'true'],
      ["'quoted'", 'quoted'],
      ['[1, 2]', [1, 2]],
      ['(1, 2)', [1, 2]],
      ["{'k': [1]}", { k: [1] }],
      ['{k: 1}', '{k: 1}'],
      ['abc def', 'abc def'],
      ['5 # note', 5],
    ];
    for (const [text, value] of table) expect([text, iniValue(text)]).toEqual([text, value]);
  });

  test('host line quoting and comments are read as shlex reads them', () => {
    const r = ini(`[g]\nh1 motd="hello world" path='/a b' n=3 # trailing comment\nh2 a=x#y\n`);
    expect(r.diagnostics).toEqual([]);
    expect(hostVarsOf(r.inventory, 'h1')).toEqual({ motd: 'hello world', path: '/a b', n: 3 });
    expect(hostVarsOf(r.inventory, 'h2')).toEqual({ a: 'x' });
  });

  test('[g:vars] values, # and ; comment lines, [all:vars]', () => {
    const r = ini('# c\n; c\n[g]\nh\n[g:vars]\nport = 80\nname = "web"\nflag=True\nraw=some text\n[all:vars]\nz=1\n');
    expect(hostVarsOf(r.inventory, 'h')).toEqual({ port: 80, name: 'web', flag: true, raw: 'some text', z: 1 });
  });

  test('a group named in :children before its own section', () => {
    const r = ini('[parent:children]\nchild\n[child]\nc1\n');
    expect(r.diagnostics).toEqual([]);
    expect(groupsMap(r.inventory)['parent']).toEqual(['c1']);
    expect(groupNamesOf(r.inventory, 'c1')).toEqual(['child', 'parent']);
  });

  test('child group vars beat parent group vars; all is lowest; host vars beat groups', () => {
    const r = ini(
      '[p:children]\nc\n[c]\nh x=host\nk\n[c:vars]\ny=child\n[p:vars]\ny=parent\nx=parent\nw=parent\n[all:vars]\nw=all\nv=all\n',
    );
    expect(hostVarsOf(r.inventory, 'h')).toEqual({ x: 'host', y: 'child', w: 'parent', v: 'all' });
    expect(hostVarsOf(r.inventory, 'k')).toEqual({ x: 'parent', y: 'child', w: 'parent', v: 'all' });
  });

  test('ansible_group_priority orders groups of the same depth, then names do', () => {
    const r = ini('[a]\nh\n[b]\nh\n[a:vars]\nv=a\n[b:vars]\nv=b\n');
    expect(hostVarsOf(r.inventory, 'h')['v']).toBe('b'); // same depth and priority: by name, b last
    const p = ini('[a]\nh\n[b]\nh\n[a:vars]\nv=a\nansible_group_priority=5\n[b:vars]\nv=b\n');
    expect(hostVarsOf(p.inventory, 'h')['v']).toBe('a');
    expect(hostVarsOf(p.inventory, 'h')).not.toHaveProperty('ansible_group_priority');
  });

  test('connection variables stay ordinary variables', () => {
    const r = ini(
      "[g]\nh ansible_host=10.0.7.11 ansible_port=2222 ansible_user=root ansible_ssh_private_key_file=/k ansible_become=true ansible_become_user=admin ansible_password=pw ansible_ssh_common_args='-o A=b'\n",
    );
    expect(hostVarsOf(r.inventory, 'h')).toEqual({
      ansible_host: '10.0.7.11',
      ansible_port: 2222,
      ansible_user: 'root',
      ansible_ssh_private_key_file: '/k',
      ansible_become: 'true',
      ansible_become_user: 'admin',
      ansible_password: 'pw',
      ansible_ssh_common_args: '-o A=b',
    });
  });

  test('a file without extension that is not YAML is read as INI', () => {
    const r = ini('h1\nh2\n', 'hosts');
    expect(r.diagnostics).toEqual([]);
    expect([...r.inventory.hosts.keys()]).toEqual(['h1', 'h2']);
  });
});
