// The vault files lvsplay writes are read by the real ansible-vault.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encryptVaultText } from '../../src/vars/vault.js';

describe('vault interoperability', () => {
  it('is decrypted by ansible-vault to the same text', () => {
    const d = mkdtempSync(join(tmpdir(), 'lvsplay-vault-'));
    const plain = 'mysql_root_password: "p@ss w0rd"\nlist: [1, 2]\n';
    writeFileSync(join(d, 'pw'), 'correct horse\n');
    writeFileSync(join(d, 'v.yml'), encryptVaultText(plain, 'correct horse'));
    const out = execFileSync('ansible-vault', ['view', '--vault-password-file', join(d, 'pw'), join(d, 'v.yml')], {
      encoding: 'utf8',
      env: { ...process.env, ANSIBLE_LOCAL_TEMP: d, HOME: d },
    });
    expect(out).toBe(plain);
  });
});
