import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { cfgPathList, defaultInventorySources, findAnsibleCfg, parseAnsibleCfg } from '../../src/config/ansible-cfg.js';
import { runCli } from '../helpers/cli.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'inv-cli-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const envBefore = { ...process.env };
afterEach(() => {
  process.env = { ...envBefore };
});

const run = (cwd: string, args: string[]) => runCli(['inventory', ...args], cwd);

const LAB =
  '[directors]\nlvs1 ansible_host=10.0.7.11\nlvs2\n[realservers]\nweb1\n[cluster:children]\ndirectors\nrealservers\n[cluster:vars]\nvip=10.0.7.247\n';

describe('lvsplay inventory', () => {
  test('--graph GROUP --vars draws the subtree with variables', async () => {
    const dir = tree({ 'hosts.ini': LAB });
    const r = await run(dir, ['-i', 'hosts.ini', '--graph', 'cluster', '--vars']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        '@cluster:',
        '  |--@directors:',
        '  |  |--lvs1',
        '  |  |  |--{ansible_host = 10.0.7.11}',
        '  |  |  |--{vip = 10.0.7.247}',
        '  |  |--lvs2',
        '  |  |  |--{vip = 10.0.7.247}',
        '  |--@realservers:',
        '  |  |--web1',
        '  |  |  |--{vip = 10.0.7.247}',
        '  |--{vip = 10.0.7.247}',
        '',
      ].join('\n'),
    );
  });

  test('--graph of a group that does not exist is a bad option', async () => {
    const r = await run(tree({ 'hosts.ini': LAB }), ['-i', 'hosts.ini', '--graph', 'nope']);
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/'nope' is not a group/);
  });

  test('--list --yaml nests groups and gives each host its variables once', async () => {
    const r = await run(tree({ 'hosts.ini': LAB }), ['-i', 'hosts.ini', '--list', '--yaml']);
    expect(r.code).toBe(0);
    expect(parse(r.out)).toEqual({
      all: {
        children: {
          ungrouped: {},
          cluster: {
            children: {
              directors: {
                hosts: { lvs1: { ansible_host: '10.0.7.11', vip: '10.0.7.247' }, lvs2: { vip: '10.0.7.247' } },
              },
              realservers: { hosts: { web1: { vip: '10.0.7.247' } } },
            },
          },
        },
      },
    });
  });

  test('--list --yaml round-trips strings YAML 1.1 reads as booleans', async () => {
    const r = await run(tree({ 'hosts.ini': '[web]\nw1 flag=no other=yes s="on" mode=0644\n' }), [
      '-i',
      'hosts.ini',
      '--list',
      '--yaml',
    ]);
    // The bytes ansible-inventory 2.14 prints for this inventory.
    expect(r.out).toContain(
      "        w1:\n          flag: 'no'\n          mode: '0644'\n          other: 'yes'\n          s: 'on'\n",
    );
    expect(parse(r.out, { version: '1.1' }).all.children.web.hosts.w1).toEqual({
      flag: 'no',
      other: 'yes',
      s: 'on',
      mode: '0644',
    });
  });

  test('--host of an unknown host fails with a hint', async () => {
    const r = await run(tree({ 'hosts.ini': LAB }), ['-i', 'hosts.ini', '--host', 'lvs9']);
    expect(r.code).toBe(5); // ansible-inventory 2.14 exits 5 too
    expect(r.err).toMatch(/host 'lvs9' is not in the inventory/);
  });

  test('--limit keeps only matching hosts; --output writes a file', async () => {
    const dir = tree({ 'hosts.ini': LAB });
    const r = await run(dir, ['-i', 'hosts.ini', '--list', '--limit', 'directors:!lvs2', '--output', 'out.json']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    const listed = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    expect(listed.directors).toEqual({ hosts: ['lvs1'] });
    expect(Object.keys(listed._meta.hostvars)).toEqual(['lvs1']);
  });

  test('a broken inventory exits 4 and prints every problem as file:line:col', async () => {
    const r = await run(tree({ 'hosts.ini': '[web servers]\nh1\n[db:foo]\n' }), ['-i', 'hosts.ini', '--list']);
    expect(r.code).toBe(4);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toEqual([
      expect.stringMatching(/^hosts\.ini:1:1: invalid section header \[web servers\]; /),
      expect.stringMatching(/^hosts\.ini:3:4: section \[db:foo\] has unknown type 'foo'; /),
    ]);
  });

  test('without -i, the inventory comes from ansible.cfg, relative to that file', async () => {
    const dir = tree({
      'ansible.cfg': '[defaults]\ninventory = inventory/lab.ini ; the lab\nforks=10\n',
      'inventory/lab.ini': LAB,
    });
    process.env['ANSIBLE_CONFIG'] = '';
    delete process.env['ANSIBLE_INVENTORY'];
    const r = await run(dir, ['--graph']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('  |  |--lvs1');
  });

  test('several -i sources are merged in order', async () => {
    const dir = tree({ 'a.ini': '[web]\nw1 c=a\n', 'b.yml': 'web:\n  hosts:\n    w1: {c: b}\n    w2:\n' });
    const r = await run(dir, ['-i', 'a.ini', '-i', 'b.yml', '--host', 'w1']);
    expect(JSON.parse(r.out)).toEqual({ c: 'b' });
  });
});

describe('ansible.cfg', () => {
  test('is searched as Ansible does: ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg', () => {
    const dir = tree({
      'ansible.cfg': '[defaults]\n',
      'home/.ansible.cfg': '[defaults]\n',
      'other/custom.cfg': '[defaults]\n',
    });
    expect(findAnsibleCfg({ cwd: dir, env: {}, home: join(dir, 'home') })).toBe(join(dir, 'ansible.cfg'));
    expect(findAnsibleCfg({ cwd: join(dir, 'other'), env: {}, home: join(dir, 'home') })).toBe(
      join(dir, 'home/.ansible.cfg'),
    );
    expect(findAnsibleCfg({ cwd: dir, env: { ANSIBLE_CONFIG: 'other/custom.cfg' }, home: join(dir, 'home') })).toBe(
      join(dir, 'other/custom.cfg'),
    );
  });

  test('reads configparser syntax: case-insensitive keys, : or =, continuations, comments', () => {
    const { cfg, diagnostics } = parseAnsibleCfg(
      '# comment\n[defaults]\nInventory: hosts, more/hosts\nroles_path = roles\n  shared/roles ; inline comment\nforks=5\n; other comment\n[privilege_escalation]\nbecome = True\n',
      '/p/ansible.cfg',
    );
    expect(diagnostics).toEqual([]);
    expect(cfgPathList(cfg, 'defaults', 'inventory')).toEqual(['/p/hosts', '/p/more/hosts']);
    expect(cfgPathList(cfg, 'defaults', 'roles_path', { separators: /[\n:]/ })).toEqual([
      '/p/roles',
      '/p/shared/roles',
    ]);
    expect(cfg.sections.get('privilege_escalation')?.get('become')).toBe('True');
  });

  test('ANSIBLE_INVENTORY beats ansible.cfg; nothing set means /etc/ansible/hosts', () => {
    const { cfg } = parseAnsibleCfg('[defaults]\ninventory = hosts\n', '/p/ansible.cfg');
    expect(defaultInventorySources(cfg, { env: { ANSIBLE_INVENTORY: 'x.ini' }, cwd: '/w' })).toEqual(['/w/x.ini']);
    expect(defaultInventorySources(cfg, { env: {} })).toEqual(['/p/hosts']);
    expect(defaultInventorySources({ sections: new Map() }, { env: {} })).toEqual(['/etc/ansible/hosts']);
  });

  test('a setting outside any section is reported with its line', () => {
    const { diagnostics } = parseAnsibleCfg('inventory = x\n', 'ansible.cfg');
    expect(diagnostics.map((d) => d.pos?.line)).toEqual([1]);
  });
});
