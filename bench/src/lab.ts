// The lab as the bench drives it: through the `lvsplay lab` command a user would type, plus
// prepared disks. Ansible needs python3 (and python3-apt for its apt module) on its targets and
// lvsplay does not; both are installed on every bench host before anything is timed. A fresh
// host for the first-converge scenario is that prepared disk restored while the lab is down:
// the same state each time, with the same host key, without waiting for apt again.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostPaths, labPaths } from '../../src/lab/paths.js';
import { $ } from '../../src/lab/sys.js';
import type { BenchHost } from './inventory.js';

/** The project's top directory: the first parent holding lvsplay's package.json (this file runs
 * compiled from bench/.build or as source under vitest). */
function findProject(from: string): string {
  for (let d = from; d !== dirname(d); d = dirname(d)) {
    try {
      if ((JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { name?: string }).name === 'lvsplay') return d;
    } catch {
      // not here: go up
    }
  }
  throw new Error(`no lvsplay package.json above ${from}`);
}

export const PROJECT = findProject(import.meta.dirname);
export const CLI = join(PROJECT, 'bin/lvsplay.js');

/** `lvsplay lab ...` (through zx's `$`, as the lab's own commands); a failure stops the bench
 * with the lab's own message. */
export async function lab(...args: string[]): Promise<string> {
  const r = await $({ cwd: PROJECT })`${process.execPath} ${CLI} lab ${args}`;
  if (r.exitCode !== 0)
    throw new Error(`lvsplay lab ${args.join(' ')} failed (exit ${r.exitCode}):\n${r.stdall.trim()}`);
  return r.stdall;
}

/** `cp -a`: keeps owners, modes, device nodes (overlay whiteouts) and xattrs, as the overlay needs. */
async function copyTree(from: string, to: string, what: string): Promise<void> {
  const r = await $`cp -a ${from} ${to}`;
  if (r.exitCode !== 0) throw new Error(`${what} failed: ${r.stdall.trim()}`);
}

/** Runs `fn` over `items`, at most `limit` at once. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The inventory the running lab was last brought up with (its record), if any. */
export function labInventoryNow(): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(labPaths().stateDir, 'lab.json'), 'utf8')) as { inventory?: string })
      .inventory;
  } catch {
    return undefined;
  }
}

const PREPARE = [
  'sh',
  '-c',
  'command -v python3 >/dev/null && dpkg -s python3-apt >/dev/null 2>&1 && exit 0; ' +
    'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-apt >/dev/null',
];

/** Ansible's prerequisites on each host (a no-op where they are already installed). */
export async function installPython(hosts: readonly BenchHost[]): Promise<void> {
  // apt is CPU-bound here: two at a time keeps a 2-core machine responsive
  await pool(hosts, 2, async (h) => {
    await lab('exec', h.name, '--', ...PREPARE);
  });
}

function snapshotRoot(): string {
  return join(labPaths().stateDir, 'bench-prepared');
}

function baseHash(): string {
  try {
    return readFileSync(labPaths().baseHash, 'utf8').trim();
  } catch {
    return '';
  }
}

/** A snapshot is only good over the base it was made on (host disks are overlays of it). */
export function hasSnapshot(h: BenchHost): boolean {
  const dir = join(snapshotRoot(), h.name);
  return (
    existsSync(join(dir, 'upper')) &&
    existsSync(join(dir, 'base.hash')) &&
    readFileSync(join(dir, 'base.hash'), 'utf8') === baseHash()
  );
}

/** Saves each host's disk; the lab must be down. */
export async function saveSnapshots(hosts: readonly BenchHost[]): Promise<void> {
  await pool(hosts, 4, async (h) => {
    const dir = join(snapshotRoot(), h.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await copyTree(hostPaths(h.name).upper, join(dir, 'upper'), `saving ${h.name}'s disk`);
    writeFileSync(join(dir, 'base.hash'), baseHash());
  });
}

/** Puts each host's prepared disk back; the lab must be down. */
export async function restoreSnapshots(hosts: readonly BenchHost[]): Promise<void> {
  await pool(hosts, 4, async (h) => {
    const hp = hostPaths(h.name);
    rmSync(hp.upper, { recursive: true, force: true });
    rmSync(hp.work, { recursive: true, force: true });
    await copyTree(join(snapshotRoot(), h.name, 'upper'), hp.upper, `restoring ${h.name}'s disk`);
  });
}

/** Wipes the bench hosts' disks (and snapshots) after a run, unless asked to keep them. */
export function forgetHosts(hosts: readonly BenchHost[]): void {
  for (const h of hosts) {
    rmSync(hostPaths(h.name).dir, { recursive: true, force: true });
    rmSync(join(snapshotRoot(), h.name), { recursive: true, force: true });
  }
}
