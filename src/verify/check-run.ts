// The cluster's playbook in check mode with diffs, results gathered per host: what a run would
// change, what check mode cannot predict, what failed. verify's drift check and adopt's list of
// what the first run will change both read it, so the roles themselves say what they would do.
// Read-only: nothing is applied.
import { dirname } from 'node:path';
import { executePlan } from '../exec/scheduler.js';
import type { RunEvent, TaskResult } from '../exec/events.js';
import { withRevealedVault } from '../report/redact.js';
import { createTemplar } from '../vars/templar.js';
import { planOf, type ClusterSource } from '../status/index.js';

export interface HostCheckRun {
  /** Tasks (handlers included, in the order they ran) that would change the host. */
  changed: Array<{ task: string; handler: boolean; result: TaskResult }>;
  failed: Array<{ task: string; msg: string }>;
  unknown: string[];
  unreachable?: string;
}

export interface CheckRun {
  hosts: Map<string, HostCheckRun>;
  /** The hosts some play of the playbook runs on. */
  played: Set<string>;
  /** Values to mask in anything printed from the results (the vault's included). */
  masked: Iterable<string>;
  playbook: string;
  ms: number;
}

export interface CheckRunOptions {
  /** Only these hosts (a --limit). */
  hosts: string[];
  /** Extra variables (-e), e.g. secrets held in memory only. */
  extraVars?: string[];
  /** Values masked in what the run reports, besides the vault's (the secrets of extraVars). */
  secrets?: string[];
}

export async function checkRun(src: ClusterSource, o: CheckRunOptions): Promise<CheckRun> {
  const plan = planOf(src, {
    limit: o.hosts.join(':'),
    check: true,
    diff: true,
    ...(o.extraVars ? { extraVars: o.extraVars } : {}),
  });
  // A check run changes nothing, so the serial batches that pace a real rollout (one director
  // at a time) would only make it slower: every host is checked in one batch.
  for (const pp of plan.plays) pp.batches = pp.batches.length > 1 ? [pp.batches.flat()] : pp.batches;
  const hosts = new Map<string, HostCheckRun>();
  const of = (h: string): HostCheckRun =>
    hosts.get(h) ?? hosts.set(h, { changed: [], failed: [], unknown: [] }).get(h)!;
  const secrets = new Set<string>(o.secrets);
  const onEvent = (e: RunEvent): void => {
    if (e.type !== 'taskResult') return;
    const d = of(e.host);
    const r = e.result;
    const handler = !!e.task.isHandler;
    if (r.status === 'changed') d.changed.push({ task: e.task.name, handler, result: r });
    else if (r.status === 'unknown') d.unknown.push(e.task.name);
    else if (r.status === 'unreachable') d.unreachable = r.msg ?? 'unreachable';
    else if (r.status === 'failed' && !r.ignored) d.failed.push({ task: e.task.name, msg: r.msg ?? 'failed' });
  };
  const t0 = Date.now();
  await executePlan(plan, {
    templar: createTemplar({ searchPath: [dirname(plan.playbookPath)], vault: plan.vault }),
    emit: onEvent,
    secrets,
    // A host that does not answer is a finding of its own: do not wait ssh's default for it
    // (an inventory's own ansible_timeout still wins).
    targetOpts: { timeoutSec: 5 },
  });
  for (const h of o.hosts) of(h);
  return {
    hosts,
    played: new Set(plan.plays.flatMap((p) => p.hosts)),
    masked: withRevealedVault(secrets, plan.vault),
    playbook: plan.playbookPath.replace(/^.*\//, ''),
    ms: Date.now() - t0,
  };
}
