// The lab as last brought up (lab.json): which hosts, from which inventory. Faults, status and
// down read it, so they need no inventory of their own.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LvsplayError, closest, diag } from '../diagnostics.js';
import { hostNetns, hostPort, type LabPaths } from './paths.js';
import type { LabHost, LabTopology } from './topology.js';

const recordFile = (p: LabPaths) => join(p.stateDir, 'lab.json');

export function readRecord(p: LabPaths): LabTopology | undefined {
  try {
    return JSON.parse(readFileSync(recordFile(p), 'utf8')) as LabTopology;
  } catch {
    return undefined;
  }
}

export function writeRecord(p: LabPaths, t: LabTopology): void {
  writeFileSync(recordFile(p), `${JSON.stringify(t, null, 2)}\n`);
}

/** Every host the lab may have made: the record's, plus any host directory on disk. */
export function everyHost(p: LabPaths): LabHost[] {
  const byName = new Map<string, LabHost>();
  for (const h of readRecord(p)?.hosts ?? []) byName.set(h.name, h);
  if (existsSync(p.hostsDir)) {
    for (const name of readdirSync(p.hostsDir)) {
      if (!byName.has(name))
        byName.set(name, {
          name,
          address: '',
          groups: [],
          kind: 'netns',
          netns: hostNetns(name),
          port: hostPort(name),
        });
    }
  }
  return [...byName.values()];
}

export function findHost(p: LabPaths, name: string): LabHost {
  const rec = readRecord(p);
  if (!rec)
    throw new LvsplayError(diag('lab: the lab has not been brought up', undefined, 'run `lvsplay lab up` first'));
  const h = rec.hosts.find((x) => x.name === name);
  if (!h) {
    const near = closest(
      name,
      rec.hosts.map((x) => x.name),
    );
    throw new LvsplayError(
      diag(
        `lab: no lab host named "${name}"`,
        undefined,
        near ? `did you mean "${near}"?` : `lab hosts: ${rec.hosts.map((x) => x.name).join(', ')}`,
      ),
    );
  }
  return h;
}
