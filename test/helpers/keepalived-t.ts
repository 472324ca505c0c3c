// Runs Debian's real `keepalived -t` (2.2.7 of Debian 12, 2.3.3 of Debian 13, fetched by
// scripts/keepalived-binaries.sh) over a directory of keepalived.conf files, for the differential
// lint tests. One unprivileged user + network namespace per batch (not one per file): a veth pair
// gives eth0 and eth1, whatever the machine has, and each file is checked by a chrooted daemon
// (its own glibc and /etc/keepalived) with the file's directory as the working directory.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lint } from '../../src/lint/index.js';
import { DEBIAN_RELEASE, KEEPALIVED_VERSIONS, type KeepalivedVersion } from '../../src/lint/keepalived/versions.js';

const ROOT = resolve(import.meta.dirname, '../..');

export interface Daemon {
  /** First line of `keepalived -v`. */
  version: string;
  /** file -> exit status of `keepalived -t` */
  status: Map<string, number>;
  output: Map<string, string>;
}

/** Fetches (once; kept in a cache) and extracts the daemons; returns the cache directory. Fails without apt access. */
export function keepalivedCache(): string {
  return execFileSync(resolve(ROOT, 'scripts/keepalived-binaries.sh'), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 600_000,
  }).trim();
}

/** The extracted root of a version's Debian release. */
export function keepalivedRoot(cache: string, v: KeepalivedVersion): string {
  return join(cache, DEBIAN_RELEASE[v].codename, 'root');
}

/** A daemon still checking after this long is killed (its status is then 137). */
export const HANG_SECONDS = 20;
export const HUNG = 137;

/** Names safe to put between single quotes in the batch script. */
const SAFE_NAME = /^[A-Za-z0-9._+-]+$/;

/**
 * Runs `keepalived -t` on each of `files` (names inside `dir`; `dir` is copied into the release's
 * root so that relative includes resolve as they would on a host), in one namespace.
 */
export function runKeepalivedT(root: string, dir: string, files: readonly string[]): Daemon {
  const bad = files.find((f) => !SAFE_NAME.test(f));
  if (bad) throw new Error(`runKeepalivedT: unsafe file name ${JSON.stringify(bad)}`);
  const copy = mkdtempSync(join(root, 'corpus-'));
  try {
    cpSync(dir, copy, { recursive: true });
    const inRoot = `/${copy.slice(root.length).replace(/^\/+/, '')}`;
    const script = [
      'set -e',
      'ip link add eth0 type veth peer name eth1',
      'ip link set lo up',
      'set +e',
      `chroot "$1" /usr/sbin/keepalived -v 2>&1 | head -n 1`,
      `cd "$1${inRoot}"`,
      `for f in ${files.map((f) => `'${f}'`).join(' ')}; do`,
      // Output is capped (a very long line echoed back), the exit status is the daemon's.
      `  timeout -s KILL ${HANG_SECONDS} chroot "$1" /usr/sbin/keepalived -l -t -f "${inRoot}/$f" >"$1${inRoot}/.out" 2>&1 </dev/null`,
      '  rc=$?',
      `  out=$(head -c 65536 "$1${inRoot}/.out")`,
      '  printf "@@ %s %s\\n%s\\n" "$f" "$rc" "$out"',
      'done',
    ].join('\n');
    const unshare = process.getuid?.() === 0 ? ['-n'] : ['-r', '-n'];
    const r = spawnSync('unshare', [...unshare, 'sh', '-c', script, 'sh', root], {
      encoding: 'utf8',
      timeout: 300_000,
      maxBuffer: 256 << 20,
    });
    if (r.status !== 0) throw new Error(`keepalived -t runs failed (${r.status}): ${r.stderr}`);
    const [head = '', ...parts] = r.stdout.split(/^@@ /m);
    const d: Daemon = { version: head.trim(), status: new Map(), output: new Map() };
    for (const p of parts) {
      const m = /^(\S+) (\d+)\n([\s\S]*)$/.exec(p);
      if (!m) continue;
      d.status.set(m[1]!, Number(m[2]));
      d.output.set(m[1]!, m[3]!.trim());
    }
    return d;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** Runs every version lint knows over the same files. */
export function runAllVersions(dir: string, files: readonly string[]): Map<KeepalivedVersion, Daemon> {
  const cache = keepalivedCache();
  return new Map(KEEPALIVED_VERSIONS.map((v) => [v, runKeepalivedT(keepalivedRoot(cache, v), dir, files)]));
}

/** lint's verdict on one file for a version: its errors (an empty list is "no error"). */
export function lintErrors(path: string, v: KeepalivedVersion): string[] {
  return lint({ keepalived: [path], keepalivedVersion: v, shellcheck: false })
    .findings.filter((x) => x.severity === 'error')
    .map((e) => `${e.pos?.line ?? '-'}: ${e.message}`);
}
