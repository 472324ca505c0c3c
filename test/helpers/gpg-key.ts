// An OpenPGP key made on this machine for apt_key tests, offline: ed25519, no passphrase, in a
// throwaway GNUPGHOME under `dir`.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface GpgKey {
  /** ASCII-armoured public key (what `apt_key: data:` takes). */
  armored: Buffer;
  /** Binary public key (what `apt_key: file:` takes). */
  binary: Buffer;
  /** Long key id, 16 hex digits. */
  long: string;
}

export function makeGpgKey(dir: string): GpgKey {
  const home = join(dir, 'gnupg');
  mkdirSync(home, { mode: 0o700 });
  const gpg = (args: string[]) =>
    execFileSync('gpg', ['--batch', ...args], { env: { ...process.env, GNUPGHOME: home } });
  gpg([
    '--pinentry-mode',
    'loopback',
    '--passphrase',
    '',
    '--quick-gen-key',
    'Lab <lab@example.org>',
    'ed25519',
    'sign',
    'never',
  ]);
  const long = /^pub:[^:]*:[^:]*:[^:]*:([0-9A-F]{16}):/m.exec(gpg(['--with-colons', '--list-keys']).toString())![1]!;
  return {
    armored: gpg(['--armor', '--export', 'lab@example.org']),
    binary: gpg(['--export', 'lab@example.org']),
    long,
  };
}
