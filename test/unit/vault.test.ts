import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decryptVaultText,
  decryptVaultValue,
  encryptVaultText,
  isVaultEncrypted,
  readVaultPasswordFile,
  type VaultSecrets,
} from '../../src/vars/vault.js';
import { loadYamlFile, VaultText } from '../../src/yaml/load.js';
import { LvsplayError, formatDiagnostic } from '../../src/diagnostics.js';
import { Secret, isSecret } from '../../src/secret.js';
import { inspect } from 'node:util';

const dir = 'test/fixtures/vars/vault';
const fx = (f: string) => join(dir, f);
const pw = (p: string, id?: string): VaultSecrets => ({
  passwords: [{ password: new Secret(p), ...(id ? { id } : {}) }],
});

function errorOf(fn: () => unknown): LvsplayError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LvsplayError) return e;
    throw e;
  }
  throw new Error('expected an LvsplayError');
}

describe('vault files written by ansible-vault', () => {
  it('decrypts a 1.1 file to the same text ansible-vault encrypted', () => {
    const text = readFileSync(fx('secrets.yml'), 'utf8');
    expect(isVaultEncrypted(text)).toBe(true);
    expect(decryptVaultText(text, readVaultPasswordFile(fx('password.txt')))).toBe(
      readFileSync(fx('secrets.plain.yml'), 'utf8'),
    );
  });

  it('refuses a wrong password, naming the place and never the password', () => {
    const text = readFileSync(fx('secrets.yml'), 'utf8');
    expect(() => decryptVaultText(text, readVaultPasswordFile(fx('wrong-password.txt')))).toThrow(
      /wrong vault password/,
    );
    const err = errorOf(() =>
      decryptVaultText(text, pw('Tr0ub4dor&3'), { file: 'group_vars/all/vault.yml', line: 1, col: 1 }),
    );
    const msg = formatDiagnostic(err.diagnostics[0]!);
    expect(msg).toMatch(/^group_vars\/all\/vault\.yml:1:1: wrong vault password/);
    expect(msg).toMatch(/vault-password-file/);
    expect(msg).not.toContain('Tr0ub4dor');
  });

  it('decrypts an inline !vault value with a vault id (format 1.2) into a masked Secret', () => {
    const { value } = loadYamlFile(fx('inline-prod.yml'));
    const v = (value as Record<string, unknown>).mysql_root_password;
    expect(v).toBeInstanceOf(VaultText);
    const s = decryptVaultValue(v as VaultText, pw('prod-secret', 'prod'));
    expect(isSecret(s)).toBe(true);
    expect(s.reveal()).toBe('hunter2');
    expect(String(s)).not.toContain('hunter2');
    expect(JSON.stringify({ s })).not.toContain('hunter2');
    expect(inspect(s)).not.toContain('hunter2');
  });

  it('tries every password, the matching vault id first', () => {
    const { value } = loadYamlFile(fx('inline-prod.yml'));
    const v = (value as Record<string, unknown>).mysql_root_password as VaultText;
    const secrets: VaultSecrets = {
      passwords: [
        { id: 'dev', password: new Secret('nope') },
        { id: 'other', password: new Secret('prod-secret') },
      ],
    };
    expect(decryptVaultValue(v, secrets).reveal()).toBe('hunter2');
  });

  it('reports a wrong inline password at the YAML line of the value', () => {
    const { value } = loadYamlFile(fx('inline-prod.yml'));
    const v = (value as Record<string, unknown>).mysql_root_password as VaultText;
    const err = errorOf(() => decryptVaultValue(v, pw('prod-secrex')));
    expect(err.diagnostics[0]!.pos).toMatchObject({ file: fx('inline-prod.yml'), line: 1 });
    expect(err.diagnostics[0]!.message).toMatch(/wrong vault password.*vault id "prod"/);
  });

  it('decrypts a plaintext that is exactly one AES block (full padding block)', () => {
    const { value } = loadYamlFile(fx('inline-block.yml'));
    const v = (value as Record<string, unknown>).block_value as VaultText;
    expect(decryptVaultValue(v, readVaultPasswordFile(fx('password.txt'))).reveal()).toBe('exactly16bytes!!');
  });

  it('asks for a password when none was given', () => {
    const err = errorOf(() => decryptVaultText(readFileSync(fx('secrets.yml'), 'utf8'), { passwords: [] }));
    expect(err.diagnostics[0]!.message).toMatch(/no vault password/);
    expect(err.diagnostics[0]!.hint).toMatch(/--vault-password-file/);
  });

  it('reports malformed vault data rather than crashing', () => {
    const err = errorOf(() =>
      decryptVaultText('$ANSIBLE_VAULT;1.1;AES256\nzz-not-hex\n', pw('x'), { file: 'v.yml', line: 3, col: 5 }),
    );
    expect(formatDiagnostic(err.diagnostics[0]!)).toMatch(/^v\.yml:3:5: malformed vault data/);
  });
});

describe('vault password files', () => {
  it('runs an executable password file and uses its stdout', () => {
    const s = readVaultPasswordFile(fx('password-script.sh'));
    expect(s.passwords[0]!.password.reveal()).toBe('correct horse');
    expect(decryptVaultText(readFileSync(fx('secrets.yml'), 'utf8'), s)).toContain('db_password');
  });

  it('refuses an empty password file', () => {
    const d = mkdtempSync(join(tmpdir(), 'lvsplay-vault-'));
    writeFileSync(join(d, 'empty'), '\n');
    expect(errorOf(() => readVaultPasswordFile(join(d, 'empty'))).message).toMatch(/password is empty/);
  });

  it('reports a missing password file', () => {
    expect(errorOf(() => readVaultPasswordFile(fx('no-such-file'))).message).toMatch(/cannot read it/);
  });

  it('reports a failing password script', () => {
    const d = mkdtempSync(join(tmpdir(), 'lvsplay-vault-'));
    const script = join(d, 'pw.sh');
    writeFileSync(script, '#!/bin/sh\necho boom >&2\nexit 3\n');
    chmodSync(script, 0o755);
    expect(errorOf(() => readVaultPasswordFile(script)).message).toMatch(/script failed \(exit 3\): boom/);
  });
});

describe('our vault output', () => {
  it('round-trips, with and without a vault id', () => {
    const plain = 'line one\nünïcode ✓\n';
    const a = encryptVaultText(plain, 'pw');
    expect(a.split('\n')[0]).toBe('$ANSIBLE_VAULT;1.1;AES256');
    expect(decryptVaultText(a, pw('pw'))).toBe(plain);
    const b = encryptVaultText(plain, 'pw', { vaultId: 'prod' });
    expect(b.split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;prod');
    expect(decryptVaultText(b, pw('pw', 'prod'))).toBe(plain);
    expect(a.split('\n').every((l) => l.length <= 80)).toBe(true);
  });
});

describe('decrypted vault values are remembered for masking', () => {
  it('adds each inline value it decrypts to `revealed`, so a run can mask it anywhere', () => {
    const secrets: VaultSecrets = { passwords: [{ password: new Secret('pw') }], revealed: new Set() };
    const v = decryptVaultValue(new VaultText(encryptVaultText('h4ndPw', 'pw'), undefined), secrets);
    expect(String(v)).not.toContain('h4ndPw');
    expect([...secrets.revealed!]).toEqual(['h4ndPw']);
  });
});
