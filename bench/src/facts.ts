// The machine and the versions a result was measured with.
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { $ } from '../../src/lab/sys.js';
import type { MachineFacts } from './results.js';

const COLLECTIONS = ['ansible.posix', 'community.mysql'];

/** What the command prints; nothing when it fails or is missing. */
function quiet(argv: string[], cwd?: string): string {
  const r = $({ sync: true, ...(cwd && { cwd }) })`${argv}`;
  return r.exitCode === 0 ? r.stdout : '';
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Version of each collection the playbooks use, as ansible-galaxy finds them. */
export function collectionVersions(galaxyJson: string): Record<string, string> {
  const out: Record<string, string> = {};
  let parsed: Record<string, Record<string, { version?: string }>>;
  try {
    parsed = JSON.parse(galaxyJson) as typeof parsed;
  } catch {
    return out;
  }
  for (const found of Object.values(parsed)) {
    for (const name of COLLECTIONS) {
      const v = found[name]?.version;
      if (v && !out[name]) out[name] = v;
    }
  }
  return out;
}

export function machineFacts(project: string): MachineFacts {
  const core = /core ([\d.]+)/.exec(quiet(['ansible', '--version']))?.[1] ?? '';
  const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { version: string };
  const commit = quiet(['git', 'rev-parse', '--short', 'HEAD'], project).trim() || 'unknown';
  const dirty = quiet(['git', 'status', '--porcelain', '--untracked-files=no'], project).trim() !== '';
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryMb: Math.round(totalmem() / 2 ** 20),
    kernel: release(),
    os: osName(),
    node: process.version,
    ansibleCore: core,
    collections: collectionVersions(quiet(['ansible-galaxy', 'collection', 'list', '--format', 'json'])),
    lvsplay: pkg.version,
    commit: `${commit}${dirty ? '+dirty' : ''}`,
    loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
  };
}
