// Shared proof for the system modules on a lab host: check mode changes nothing and predicts
// exactly what the real run then changes (same tasks, same diffs), and a rerun changes nothing.
import { expect } from 'vitest';
import { resolve } from 'node:path';
import {
  changed,
  ensureLab,
  LAB_INVENTORY,
  runPlaybookText,
  type PlayOptions,
  type PlayRun,
} from '../helpers/lab-run.js';
import { labExec } from '../../src/lab/index.js';

/** The lab plus one systemd host per Debian release (test/lab/fixtures/systemd-hosts.ini). */
export const KINDS_INVENTORY = [LAB_INVENTORY, resolve(import.meta.dirname, 'fixtures/systemd-hosts.ini')];

export interface KindHost {
  /** How the host is made, for the test's title. */
  kind: string;
  host: string;
  init: 'sysv' | 'systemd';
  release: 'bookworm' | 'trixie';
}

/**
 * The host kinds a module test runs on: a SysV host of the lab (the test names it) and a systemd
 * host of each release. `describe.each(hostKinds('web1'))` runs one suite on each.
 */
export function hostKinds(sysvHost: string): KindHost[] {
  return [
    { kind: 'SysV init, Debian 12', host: sysvHost, init: 'sysv', release: 'bookworm' },
    { kind: 'systemd, Debian 12', host: 'sd12', init: 'systemd', release: 'bookworm' },
    { kind: 'systemd, Debian 13', host: 'sd13', init: 'systemd', release: 'trixie' },
  ];
}

/** The lab with the systemd hosts, up once per test file. */
export const ensureKindsLab = () => ensureLab({ inventory: KINDS_INVENTORY });

/** runPlaybookText on the lab with the systemd hosts. */
export const runOnKinds = (pb: string, o: PlayOptions = {}) =>
  runPlaybookText(pb, { inventory: KINDS_INVENTORY, ...o });

/** Runs a shell snippet on a lab host as root and returns its stdout (fails the test on error). */
export async function onHost(host: string, script: string): Promise<string> {
  const r = await labExec(host, ['sh', '-c', script]);
  if (r.code !== 0) throw new Error(`${host}: ${script}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Task -> the changes it reported (summaries and diffs), for one host. */
export function changesOf(run: PlayRun, host: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of run.rec.results(host)) if (r.status === 'changed') out[r.task] = r.result.changes;
  return out;
}

export const play = (host: string, tasks: string, gather = false) => `
- hosts: ${host}
  gather_facts: ${gather}
  tasks:
${tasks}
`;

/**
 * check -> real -> rerun on a host in a known start state. `snapshot` reads what the tasks
 * manage, to prove check mode left it untouched.
 */
export async function convergeHonestly(
  pb: string,
  host: string,
  snapshot: () => Promise<string>,
  opts: PlayOptions = {},
) {
  const o = { inventory: KINDS_INVENTORY, ...opts };
  const before = await snapshot();
  const check = await runPlaybookText(pb, { ...o, check: true, diff: true });
  expect(check.exitCode, JSON.stringify(check.rec.results(host).map((r) => [r.task, r.status, r.result.msg]))).toBe(0);
  expect(await snapshot()).toBe(before);
  const real = await runPlaybookText(pb, { ...o, diff: true });
  expect(real.exitCode, JSON.stringify(real.rec.results(host).map((r) => [r.task, r.status, r.result.msg]))).toBe(0);
  expect(changed(real, host)).toEqual(changed(check, host));
  expect(changesOf(real, host)).toEqual(changesOf(check, host));
  const again = await runPlaybookText(pb, o);
  expect(again.exitCode).toBe(0);
  expect(changed(again, host)).toEqual([]);
  return { check, real, again };
}
