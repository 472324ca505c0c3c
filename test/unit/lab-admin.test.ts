// What the inventory asks of each lab host's admin user and sshd, as `lab up` reads it: the
// sudo password comes from a vault value in group_vars, decrypted with ansible.cfg's password file.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAdminPolicies } from '../../src/lab/admin.js';
import { LvsplayError, formatDiagnostic } from '../../src/diagnostics.js';
import { encryptVaultText } from '../../src/vars/vault.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** A project with ansible.cfg, a vault password file, an inventory and group_vars/all/vault.yml. */
function project(ini: string, vaultYml = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-admin-'));
  writeFileSync(join(dir, 'ansible.cfg'), '[defaults]\nvault_password_file = vault-pass.txt\n');
  writeFileSync(join(dir, 'vault-pass.txt'), 'lab-pass\n');
  mkdirSync(join(dir, 'group_vars/all'), { recursive: true });
  writeFileSync(join(dir, 'hosts.ini'), ini);
  writeFileSync(join(dir, 'group_vars/all/vault.yml'), vaultYml);
  return dir;
}

const inline = (name: string, text: string) =>
  `${name}: !vault |\n${encryptVaultText(text, 'lab-pass')
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}\n`;

const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof LvsplayError) return e.diagnostics.map(formatDiagnostic).join('\n');
    throw e;
  }
  return '';
};

describe('the lab admin policy', () => {
  it('is sudo without a password and root login by default', () => {
    const dir = project('a ansible_host=10.0.7.5\n');
    expect(readAdminPolicies([join(dir, 'hosts.ini')], dir).get('a')).toEqual({ sudo: 'nopasswd', rootLogin: true });
  });

  it('takes the sudo password from the vault, and refuses root where asked', () => {
    const dir = project(
      'a ansible_host=10.0.7.5\nb ansible_host=10.0.7.6 lab_ssh_root_login=yes\n[all:vars]\nlab_admin_sudo=password\nlab_ssh_root_login=no\n',
      inline('lab_admin_password', 's3cret-Pass'),
    );
    const p = readAdminPolicies([join(dir, 'hosts.ini')], dir);
    expect(p.get('a')?.sudo).toBe('password');
    expect(p.get('a')?.password?.reveal()).toBe('s3cret-Pass');
    expect(String(p.get('a')?.password)).not.toContain('s3cret');
    expect([p.get('a')?.rootLogin, p.get('b')?.rootLogin]).toEqual([false, true]);
  });

  it('names the host line of a bad setting, and a password mode without a password', () => {
    const dir = project(
      'a ansible_host=10.0.7.5 lab_admin_sudo=maybe\nb ansible_host=10.0.7.6 lab_ssh_root_login=perhaps\n',
    );
    const msg = errorOf(() => readAdminPolicies([join(dir, 'hosts.ini')], dir));
    expect(msg).toMatch(/hosts\.ini:1:.*unknown lab_admin_sudo "maybe".*nopasswd or password/s);
    expect(msg).toMatch(/hosts\.ini:2:.*lab_ssh_root_login "perhaps" is not yes or no/s);
    const none = project('a ansible_host=10.0.7.5 lab_admin_sudo=password\n');
    expect(errorOf(() => readAdminPolicies([join(none, 'hosts.ini')], none))).toMatch(
      /hosts\.ini:1:.*needs lab_admin_password.*encrypt_string/s,
    );
  });

  it('reads the Debian 13 lab: root refused, a sudo password from the committed vault', () => {
    const p = readAdminPolicies([join(ROOT, 'inventory/lab-trixie.ini')], ROOT);
    const web1 = p.get('web1');
    expect([web1?.sudo, web1?.rootLogin]).toEqual(['password', false]);
    expect(web1?.password?.reveal().length).toBeGreaterThanOrEqual(12);
    const lab = readAdminPolicies([join(ROOT, 'inventory/lab.ini')], ROOT).get('web1');
    expect(lab).toEqual({ sudo: 'nopasswd', rootLogin: true });
  });
});
