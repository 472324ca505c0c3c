// Ansible Vault, format 1.1 and 1.2 (AES256), byte-compatible with ansible-vault: files and
// inline `!vault` values written by Ansible decrypt here, and ours decrypt there.
//
// Envelope: "$ANSIBLE_VAULT;1.1;AES256[;vault-id]\n" + hex(body) in 80-column lines, where
// body = hex(salt) "\n" hex(hmac) "\n" hex(ciphertext). Keys: PBKDF2-HMAC-SHA256, 10000
// rounds, 80 bytes = 32 AES key + 32 HMAC key + 16 CTR IV. Plaintext is PKCS7-padded to the
// AES block size before AES-256-CTR; the HMAC-SHA256 covers the ciphertext.
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { accessSync, constants, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { execFileSync } from 'node:child_process';
import { diag, ExitCode, LvsplayError, type SourcePos } from '../diagnostics.js';
import { Secret } from '../secret.js';
import type { VaultText } from '../yaml/load.js';

const HEADER = '$ANSIBLE_VAULT';
const ITERATIONS = 10000;

export interface VaultPassword {
  /** Vault id (`--vault-id prod@file`); absent means Ansible's "default". */
  id?: string;
  password: Secret;
}

export interface VaultSecrets {
  passwords: VaultPassword[];
  /**
   * Every inline value decrypted so far: the run's reporters mask these wherever they appear,
   * also in text that did not come from the vault (the "before" of a diff holding the same password).
   */
  revealed?: Set<string>;
}

export const NO_VAULT_SECRETS: VaultSecrets = { passwords: [] };

export function isVaultEncrypted(text: string): boolean {
  return text.trimStart().startsWith(HEADER);
}

/**
 * Reads a `--vault-password-file`: the file's text with surrounding whitespace stripped, or,
 * when the file is executable, the stdout of running it (a script named `*-client*` gets
 * `--vault-id ID` as Ansible passes it).
 */
export function readVaultPasswordFile(path: string, id?: string): VaultSecrets {
  const fail = (what: string, hint: string): never => {
    // ansible-playbook exits 1 for a vault password file it cannot read.
    throw new LvsplayError(diag(`vault password file ${path}: ${what}`, undefined, hint), ExitCode.error);
  };
  let executable: boolean;
  try {
    accessSync(path, constants.R_OK);
  } catch (e) {
    return fail(`cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'check --vault-password-file');
  }
  try {
    accessSync(path, constants.X_OK);
    executable = true;
  } catch {
    executable = false;
  }
  let password: string;
  if (executable) {
    const isClient = /-client(\.[^.]*)?$/.test(basename(path));
    const args = isClient && id ? ['--vault-id', id] : [];
    try {
      password = execFileSync(path, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    } catch (e) {
      const err = e as { status?: number | null; stderr?: string };
      return fail(
        `the password script failed (exit ${err.status ?? 'signal'})${err.stderr ? `: ${err.stderr.trim()}` : ''}`,
        'run the script by hand to see why, or pass a plain password file',
      );
    }
    password = password.replace(/^[\r\n]+|[\r\n]+$/g, '');
  } else {
    password = readFileSync(path, 'utf8').trim();
  }
  if (password === '') fail('the password is empty', 'put the vault password in the file');
  const entry: VaultPassword = { password: new Secret(password) };
  if (id) entry.id = id;
  return { passwords: [entry] };
}

interface Envelope {
  version: string;
  cipher: string;
  vaultId?: string;
  salt: Buffer;
  hmac: Buffer;
  ciphertext: Buffer;
}

function parseEnvelope(text: string, where: SourcePos | undefined): Envelope {
  const bad = (why: string): never => {
    throw new LvsplayError(
      diag(`malformed vault data: ${why}`, where, 'encrypt the value again with ansible-vault or lvsplay'),
      ExitCode.parseError,
    );
  };
  const lines = text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim());
  const header = (lines[0] ?? '').split(';');
  if (header[0] !== HEADER || header.length < 3) bad('the first line is not a $ANSIBLE_VAULT header');
  const version = header[1]!;
  const cipher = header[2]!;
  if (version !== '1.1' && version !== '1.2') bad(`unsupported vault format version ${version}`);
  if (cipher !== 'AES256') bad(`unsupported cipher ${cipher} (only AES256 exists in current Ansible)`);
  const hexBody = lines.slice(1).join('');
  if (!/^([0-9a-fA-F]{2})+$/.test(hexBody)) bad('the body is not hexadecimal');
  const parts = Buffer.from(hexBody, 'hex').toString('latin1').split('\n');
  if (parts.length !== 3 || !parts.every((p) => /^([0-9a-fA-F]{2})+$/.test(p)))
    bad('the body does not hold salt, HMAC and ciphertext');
  const [salt, hmac, ciphertext] = parts.map((p) => Buffer.from(p, 'hex')) as [Buffer, Buffer, Buffer];
  const env: Envelope = { version, cipher, salt, hmac, ciphertext };
  if (header[3]) env.vaultId = header[3];
  return env;
}

function deriveKeys(password: string, salt: Buffer): { cipherKey: Buffer; hmacKey: Buffer; iv: Buffer } {
  const material = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, ITERATIONS, 80, 'sha256');
  return { cipherKey: material.subarray(0, 32), hmacKey: material.subarray(32, 64), iv: material.subarray(64, 80) };
}

function tryDecrypt(env: Envelope, password: string): Buffer | undefined {
  const { cipherKey, hmacKey, iv } = deriveKeys(password, env.salt);
  const mac = createHmac('sha256', hmacKey).update(env.ciphertext).digest();
  if (mac.length !== env.hmac.length || !timingSafeEqual(mac, env.hmac)) return undefined;
  const decipher = createDecipheriv('aes-256-ctr', cipherKey, iv);
  const padded = Buffer.concat([decipher.update(env.ciphertext), decipher.final()]);
  const pad = padded[padded.length - 1] ?? 0;
  if (pad < 1 || pad > 16 || pad > padded.length) return undefined;
  return padded.subarray(0, padded.length - pad);
}

/**
 * Decrypts vault text with the first password that fits. Passwords whose id matches the
 * envelope's are tried first; like Ansible (vault_id_match off) the others are tried after.
 */
export function decryptVaultText(text: string, secrets: VaultSecrets, where?: SourcePos): string {
  const env = parseEnvelope(text, where);
  if (secrets.passwords.length === 0) {
    throw new LvsplayError(
      diag('vault-encrypted data found but no vault password was given', where, 'pass --vault-password-file FILE'),
      ExitCode.error,
    );
  }
  const ordered = [
    ...secrets.passwords.filter((p) => env.vaultId !== undefined && p.id === env.vaultId),
    ...secrets.passwords.filter((p) => env.vaultId === undefined || p.id !== env.vaultId),
  ];
  for (const p of ordered) {
    const plain = tryDecrypt(env, p.password.reveal());
    if (plain) return plain.toString('utf8');
  }
  const idNote = env.vaultId ? ` (vault id "${env.vaultId}")` : '';
  throw new LvsplayError(
    diag(
      `wrong vault password: none of the ${ordered.length} given password(s) decrypts this vault data${idNote}`,
      where,
      'check --vault-password-file (the file it was encrypted with), or re-encrypt with ansible-vault rekey',
    ),
    ExitCode.error,
  );
}

export interface EncryptOptions {
  /** A vault id other than "default" writes format 1.2. */
  vaultId?: string;
  /** Fixed salt, for reproducible fixtures only. */
  salt?: Buffer;
}

export function encryptVaultText(plaintext: string, password: string | Secret, opts: EncryptOptions = {}): string {
  const pw = typeof password === 'string' ? password : password.reveal();
  const salt = opts.salt ?? randomBytes(32);
  const { cipherKey, hmacKey, iv } = deriveKeys(pw, salt);
  const data = Buffer.from(plaintext, 'utf8');
  const pad = 16 - (data.length % 16);
  const padded = Buffer.concat([data, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-ctr', cipherKey, iv);
  const ciphertext = Buffer.concat([cipher.update(padded), cipher.final()]);
  const mac = createHmac('sha256', hmacKey).update(ciphertext).digest();
  const body = Buffer.from(
    [salt.toString('hex'), mac.toString('hex'), ciphertext.toString('hex')].join('\n'),
    'latin1',
  ).toString('hex');
  const withId = opts.vaultId && opts.vaultId !== 'default';
  const header = withId ? `${HEADER};1.2;AES256;${opts.vaultId}` : `${HEADER};1.1;AES256`;
  return [header, ...(body.match(/.{1,80}/g) ?? [])].join('\n') + '\n';
}

/**
 * A string of a file vaulted as a whole that holds a template: Ansible renders it when it is
 * read (an inline `!vault` value it does not), and what it renders to stays secret.
 */
export class SecretTemplate extends Secret {}

/**
 * The values of a file vault-encrypted as a whole (`ansible-vault encrypt vars.yml`) are as
 * secret as inline `!vault` values: every string becomes a Secret, changed in place so the YAML
 * positions of maps and lists stay known. Numbers, booleans and keys stay as they are.
 */
export function secretLeaves<T>(value: T, secrets: VaultSecrets): T {
  const leaf = (v: unknown): unknown => {
    if (typeof v === 'string') {
      secrets.revealed?.add(v);
      return /\{\{|\{%|\{#/.test(v) ? new SecretTemplate(v) : new Secret(v);
    }
    if (Array.isArray(v)) v.forEach((x, i) => (v[i] = leaf(x)));
    else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
      for (const [k, x] of Object.entries(v)) (v as Record<string, unknown>)[k] = leaf(x);
    return v;
  };
  return leaf(value) as T;
}

/**
 * An inline `!vault` value, decrypted. It becomes a Secret so anything that prints (debug,
 * diffs, errors) masks it; the templar reveals it where the real text is needed.
 */
export function decryptVaultValue(v: VaultText, secrets: VaultSecrets): Secret {
  const text = decryptVaultText(v.ciphertext, secrets, v.pos);
  secrets.revealed?.add(text);
  return new Secret(text);
}
