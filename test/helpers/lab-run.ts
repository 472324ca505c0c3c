// Runs a playbook on the lab in-process, exactly as `lvsplay run` does, and records its events.
// Tests use it to converge a host, rerun it, and compare what check mode predicted with what
// the real run changed.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { labExec, labStatus, labUp, type LabUpOptions } from '../../src/lab/index.js';
import { loadAndPlan } from '../../src/plan/load-and-plan.js';
import { executePlan, type ExecuteResult } from '../../src/exec/scheduler.js';
import { RecordingReporter } from '../../src/report/recording.js';
import { createTemplar } from '../../src/vars/templar.js';

export const LAB_INVENTORY = resolve(import.meta.dirname, '../../inventory/lab.ini');

const labReady = new Map<string, Promise<unknown>>();
/** Brings the lab up once per test process and options (fast and idempotent when it already is). */
export function ensureLab(opts: Pick<LabUpOptions, 'kind' | 'groupKinds' | 'inventory'> = {}): Promise<unknown> {
  const key = JSON.stringify(opts);
  if (!labReady.has(key)) labReady.set(key, labUp({ progress: 'silent', ...opts }));
  return labReady.get(key)!;
}

export interface PlayRun extends ExecuteResult {
  rec: RecordingReporter;
  dir: string;
}

export interface PlayOptions {
  check?: boolean;
  diff?: boolean;
  limit?: string;
  extraVars?: string[];
  /** Extra files beside the playbook (templates/, files/, vars...), path -> content. */
  files?: Record<string, string>;
  inventory?: string[];
  /** Reuse a directory (and its handler journal) from an earlier run. */
  dir?: string;
  /** Where the run starts (ansible.cfg is looked for there); default the playbook's directory. */
  cwd?: string;
  signal?: AbortSignal;
}

/** Writes `playbook` (YAML text) to a fresh directory and runs it on the lab. */
export async function runPlaybookText(playbook: string, o: PlayOptions = {}): Promise<PlayRun> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'lvsplay-play-'));
  writeFileSync(join(dir, 'play.yml'), playbook);
  for (const [p, content] of Object.entries(o.files ?? {})) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  return runPlaybookFile(join(dir, 'play.yml'), { ...o, dir });
}

export async function runPlaybookFile(path: string, o: PlayOptions = {}): Promise<PlayRun> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'lvsplay-play-'));
  const plan = loadAndPlan({
    playbook: path,
    inventory: o.inventory ?? [LAB_INVENTORY],
    check: o.check ?? false,
    diff: o.diff ?? false,
    ...(o.limit ? { limit: o.limit } : {}),
    extraVars: o.extraVars ?? [],
    cwd: o.cwd ?? dir,
  });
  const rec = new RecordingReporter();
  const r = await executePlan(plan, {
    templar: createTemplar({ searchPath: [dirname(path)], vault: plan.vault }),
    emit: (e) => rec.onEvent(e),
    journalDir: join(dir, '.state'),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  return { ...r, rec, dir };
}

/** task name -> status, for one host (the last result of each task). */
export function statuses(run: PlayRun, host: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of run.rec.results(host)) out[r.task] = r.status;
  return out;
}

/** Task names that changed on `host` (or, in check mode, would change). */
export function changed(run: PlayRun, host: string): string[] {
  return run.rec.changedTasks(host);
}

const PROJECT = resolve(import.meta.dirname, '../..');

/**
 * The bundled cluster deployed on the lab (site.yaml from the project root): quick when it
 * already is, a full converge when an earlier test wiped or changed the hosts.
 */
export async function ensureCluster(lab: Parameters<typeof ensureLab>[0] = {}): Promise<PlayRun> {
  await ensureLab(lab);
  const r = await runPlaybookFile(join(PROJECT, 'playbooks/site.yaml'), { cwd: PROJECT });
  if (r.exitCode !== 0) throw new Error(`site.yaml did not converge the lab (exit ${r.exitCode})`);
  await Promise.all([replicationSettled(90_000), vrrpSettled(60_000)]);
  return r;
}

/**
 * Waits until exactly one director holds the VIP, three readings in a row. Right after a
 * converge the two directors may both hold it for a moment: the BACKUP, started first (the
 * role rolls the BACKUP out first), took it while alone, and gives it up only when the
 * MASTER's first advertisement reaches it (longer on a loaded machine with UML directors).
 */
async function vrrpSettled(limitMs: number): Promise<void> {
  const t0 = Date.now();
  let steady = 0;
  for (;;) {
    const holders = (await labStatus()).vipHolders;
    steady = holders.length === 1 ? steady + 1 : 0;
    if (steady >= 3) return;
    if (Date.now() - t0 > limitMs)
      throw new Error(`the VIP is held by ${holders.join(', ') || 'nobody'} after ${limitMs} ms, wanted one director`);
    await new Promise((res) => setTimeout(res, 500));
  }
}

/**
 * Waits until both replication threads run on every database server: after a peer restarted
 * (an earlier fault test), MariaDB's IO thread retries only every Connect_Retry (the role sets 5 s).
 */
async function replicationSettled(limitMs: number): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const states = await Promise.all(
      ['db1', 'db2'].map(async (h) => (await labExec(h, ['mysql', '-e', 'SHOW SLAVE STATUS\\G'])).stdout),
    );
    if (states.every((s) => /Slave_IO_Running: Yes/.test(s) && /Slave_SQL_Running: Yes/.test(s))) return;
    if (Date.now() - t0 > limitMs)
      throw new Error(`replication not running on both database servers after ${limitMs} ms`);
    await new Promise((res) => setTimeout(res, 1000));
  }
}
