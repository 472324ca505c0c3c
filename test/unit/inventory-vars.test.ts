import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatDiagnostic } from '../../src/diagnostics.js';
import {
  groupNamesOf,
  groupsMap,
  hostVarsOf,
  inventoryLayersOf,
  loadAdjacentVars,
  loadInventory,
} from '../../src/inventory/index.js';
import { readVaultPasswordFile } from '../../src/vars/vault.js';
import { VaultText } from '../../src/yaml/load.js';
import { Secret } from '../../src/secret.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'inv-vars-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const VAULT = join(import.meta.dirname, '../fixtures/inventory/vault');

describe('group_vars and host_vars beside the inventory', () => {
  test('file name forms: x, x.yml, x.yaml, x.json; the first found wins', () => {
    const dir = tree({
      'inv/hosts': '[a]\nh\n[b]\nh\n[c]\nh\n',
      'inv/group_vars/a': 'from_a: plain\n',
      'inv/group_vars/a.yml': 'from_a: yml\n', // shadowed by `a`, as in Ansible
      'inv/group_vars/b.yaml': 'from_b: yaml\n',
      'inv/group_vars/c.json': '{"from_c": "json"}',
    });
    const { inventory, diagnostics } = loadInventory(['inv/hosts'], { cwd: dir });
    expect(diagnostics).toEqual([]);
    expect(hostVarsOf(inventory, 'h')).toEqual({ from_a: 'plain', from_b: 'yaml', from_c: 'json' });
  });

  test('a directory group_vars/x/ merges its files in sorted order, recursively, skipping hidden and other extensions', () => {
    const dir = tree({
      'hosts.ini': '[web]\nw1\n',
      'group_vars/web/b.yml': 'v: b\nonly_b: 1\n',
      'group_vars/web/a.yml': 'v: a\n',
      'group_vars/web/sub/c.yml': 'v: c\n',
      'group_vars/web/.hidden.yml': 'v: hidden\n',
      'group_vars/web/notes.txt': 'v: txt\n',
      'group_vars/web/backup.yml~': 'v: backup\n',
    });
    const { inventory } = loadInventory(['hosts.ini'], { cwd: dir });
    expect(hostVarsOf(inventory, 'w1')).toEqual({ v: 'c', only_b: 1 });
  });

  test('the precedence layers, separately and merged', () => {
    const dir = tree({
      'hosts.ini': '[web]\nw1 v=inline\n[web:vars]\nv=ini_group\ng=ini_group\n[all:vars]\na=ini_all\n',
      'group_vars/all.yml': 'a: gv_all\nv: gv_all\n',
      'group_vars/web.yml': 'g: gv_web\n',
      'host_vars/w1.yml': 'h: hv\n',
    });
    const { inventory } = loadInventory(['hosts.ini'], { cwd: dir });
    expect(inventoryLayersOf(inventory, 'w1')).toEqual({
      inventoryFileGroupVars: { a: 'ini_all', v: 'ini_group', g: 'ini_group' },
      inventoryGroupVarsAll: { a: 'gv_all', v: 'gv_all' },
      inventoryGroupVars: { g: 'gv_web' },
      inventoryFileHostVars: { v: 'inline' },
      inventoryHostVars: { h: 'hv' },
    });
    // group_vars/all.yml beats [all:vars] and [web:vars]; inline host vars beat every group.
    expect(hostVarsOf(inventory, 'w1')).toEqual({ a: 'gv_all', v: 'inline', g: 'gv_web', h: 'hv' });
  });

  test('group_vars of a parent group are beaten by those of its child', () => {
    const dir = tree({
      'hosts.yml':
        'all:\n  children:\n    cluster:\n      children:\n        directors:\n          hosts:\n            lvs1:\n',
      'group_vars/cluster.yml': 'state: cluster\nrole: member\n',
      'group_vars/directors.yml': 'state: MASTER\n',
    });
    const { inventory } = loadInventory(['hosts.yml'], { cwd: dir });
    expect(hostVarsOf(inventory, 'lvs1')).toEqual({ state: 'MASTER', role: 'member' });
    expect(groupNamesOf(inventory, 'lvs1')).toEqual(['cluster', 'directors']);
    expect(groupsMap(inventory)).toEqual({ all: ['lvs1'], ungrouped: [], cluster: ['lvs1'], directors: ['lvs1'] });
  });

  test('loadAdjacentVars reads a playbook directory the same way', () => {
    const dir = tree({ 'group_vars/all.yml': 'x: 1\n', 'host_vars/h1/main.yml': 'z: 2\n' });
    const r = loadAdjacentVars(dir, { groups: ['all', 'web'], hosts: ['h1'] });
    expect(r.diagnostics).toEqual([]);
    expect(r.vars.groupVars.get('all')).toEqual({ x: 1 });
    expect(r.vars.hostVars.get('h1')).toEqual({ z: 2 });
  });
});

describe('vault-encrypted variables files', () => {
  test('decrypt with the right password into secrets; inline !vault values stay VaultText', () => {
    const vault = readVaultPasswordFile(join(VAULT, 'vault-pass.txt'));
    const { inventory, diagnostics } = loadInventory(['hosts.ini'], { cwd: VAULT, vault });
    expect(diagnostics).toEqual([]);
    const vars = hostVarsOf(inventory, 'db1');
    // Every string of a file vaulted as a whole is a secret, as an inline !vault value is.
    expect(vars['mysql_root_password']).toBeInstanceOf(Secret);
    expect((vars['mysql_root_password'] as Secret).reveal()).toBe('s3cret');
    expect(vars['api_token']).toBeInstanceOf(VaultText);
  });

  test('a wrong password is an error naming the file', () => {
    const vault = readVaultPasswordFile(join(VAULT, 'wrong-pass.txt'));
    const { diagnostics } = loadInventory(['hosts.ini'], { cwd: VAULT, vault });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(/^group_vars\/all\/vault\.yml:1:1: wrong vault password/),
    ]);
  });

  test('no password at all is an error that says which flag to pass', () => {
    const { diagnostics } = loadInventory(['hosts.ini'], { cwd: VAULT });
    expect(diagnostics).toHaveLength(1);
    expect(formatDiagnostic(diagnostics[0]!)).toMatch(/group_vars\/all\/vault\.yml.*--vault-password-file/);
  });
});
