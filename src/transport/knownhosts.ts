// Host key checking as OpenSSH does it (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain and
// hashed (|1|salt|hmac) host patterns, comma lists, wildcards and negation, [host]:port for a
// port other than 22, @revoked keys refused, @cert-authority lines left to certificate checks
// (which lvsplay does not do, so they never vouch for a plain key).

import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface KnownHostLine {
  file: string;
  line: number;
  marker?: 'revoked' | 'cert-authority';
  hosts: string;
  keyType: string;
  key: string; // base64 wire-format blob
}

export function parseKnownHosts(text: string, file: string): KnownHostLine[] {
  const out: KnownHostLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const t = raw.trim();
    if (!t || t.startsWith('#')) return;
    const fields = t.split(/\s+/);
    let marker: KnownHostLine['marker'];
    if (fields[0]!.startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return; // an unknown marker: ssh ignores the line too
    }
    const [hosts, keyType, key] = fields;
    if (!hosts || !keyType || !key) return;
    const entry: KnownHostLine = { file, line: i + 1, hosts, keyType, key };
    if (marker) entry.marker = marker;
    out.push(entry);
  });
  return out;
}

/** The name a host has in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Patterns compiled once: every connection checks its host against the same files. */
const compiled = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  let r = compiled.get(glob);
  if (!r) {
    r = compileGlob(glob);
    compiled.set(glob, r);
  }
  return r;
}

function compileGlob(glob: string): RegExp {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i');
}

function hashedMatches(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return mac === hash;
}

/** Whether a line's host field names this host (a negated match excludes it outright). */
export function hostsFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|')) return hashedMatches(hosts, name);
  let matched = false;
  for (const p of hosts.split(',')) {
    if (p.startsWith('!')) {
      if (globToRegExp(p.slice(1)).test(name)) return false;
    } else if (globToRegExp(p).test(name)) {
      matched = true;
    }
  }
  return matched;
}

/** The key type named inside a wire-format key blob (e.g. ssh-ed25519). */
export function blobKeyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** OpenSSH's fingerprint: SHA256:base64-without-padding. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export type HostKeyVerdict =
  | { kind: 'known'; file: string; line: number }
  | { kind: 'unknown'; otherTypes: string[] }
  | { kind: 'changed'; file: string; line: number; knownType: string }
  | { kind: 'revoked'; file: string; line: number };

/**
 * One known_hosts file as read, kept while it is unchanged on disk: its lines, and where each
 * plain host name (no wildcard, negation or hash) stands, so a host's lines are found without
 * matching every line. Each connection reads the files; with one line per host, parsing and
 * matching them all made opening N connections cost N² (500 hosts: 2 s of the controller's CPU).
 */
interface ReadFile {
  stamp: string;
  lines: KnownHostLine[];
  /** Lowercased plain name (patterns match without regard to case) -> indexes of its lines. */
  byName: Map<string, number[]>;
  /** Lines any host may match or be refused by: patterns, hashed names, @revoked keys. */
  always: number[];
}

const readFiles = new Map<string, ReadFile>();

function readFile(file: string): ReadFile | undefined {
  let st;
  try {
    st = statSync(file);
  } catch {
    readFiles.delete(file);
    return undefined;
  }
  const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
  const known = readFiles.get(file);
  if (known?.stamp === stamp) return known;
  const lines = parseKnownHosts(readFileSync(file, 'utf8'), file);
  const byName = new Map<string, number[]>();
  const always: number[] = [];
  lines.forEach((l, i) => {
    const plain = l.marker !== 'revoked' && !/^\||[*?!]/.test(l.hosts);
    if (!plain) return void always.push(i);
    for (const name of new Set(l.hosts.toLowerCase().split(','))) {
      const at = byName.get(name);
      if (at) at.push(i);
      else byName.set(name, [i]);
    }
  });
  const read = { stamp, lines, byName, always };
  readFiles.set(file, read);
  return read;
}

/** The lines of `files` that may concern `name`, in file order: a superset of those matching it. */
function linesFor(files: readonly string[], name: string): KnownHostLine[] {
  return files.flatMap((f) => {
    const read = readFile(f);
    if (!read) return [];
    const own = read.byName.get(name.toLowerCase()) ?? [];
    const at =
      own.length && read.always.length ? [...own, ...read.always].sort((a, b) => a - b) : [...own, ...read.always];
    return at.map((i) => read.lines[i]!);
  });
}

/** Checks the server's key against every known_hosts file, user files first. */
export function checkHostKey(files: readonly string[], name: string, blob: Buffer): HostKeyVerdict {
  const key = blob.toString('base64');
  const type = blobKeyType(blob);
  const lines = linesFor(files, name).filter((l) => hostsFieldMatches(l.hosts, name) || l.marker === 'revoked');
  const revoked = lines.find((l) => l.marker === 'revoked' && l.key === key);
  if (revoked) return { kind: 'revoked', file: revoked.file, line: revoked.line };
  const plain = lines.filter((l) => !l.marker && hostsFieldMatches(l.hosts, name));
  const same = plain.find((l) => l.key === key);
  if (same) return { kind: 'known', file: same.file, line: same.line };
  const changed = plain.find((l) => l.keyType === type);
  if (changed) return { kind: 'changed', file: changed.file, line: changed.line, knownType: changed.keyType };
  return { kind: 'unknown', otherTypes: [...new Set(plain.map((l) => l.keyType))] };
}

/** Key types already known for a host, so the handshake can ask for one of them first. */
export function knownKeyTypes(files: readonly string[], name: string): string[] {
  const types = linesFor(files, name)
    .filter((l) => !l.marker && hostsFieldMatches(l.hosts, name))
    .map((l) => l.keyType);
  return [...new Set(types)];
}

/** Appends a host key line, hashed when HashKnownHosts is on, creating ~/.ssh as ssh does. */
export function recordHostKey(file: string, name: string, blob: Buffer, hash: boolean): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let hosts = name;
  if (hash) {
    const salt = randomBytes(20);
    hosts = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  // Appends are small single writes with O_APPEND, so parallel connections do not interleave.
  appendFileSync(file, `${hosts} ${blobKeyType(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}
