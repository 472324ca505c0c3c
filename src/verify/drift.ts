// Drift of everything the playbook manages (init scripts, sysctls, firewall rules, packages,
// services, every file), found the way an operator would: the playbook in check mode with
// diffs. Check mode here predicts exactly what a run would do, so "a run would change nothing"
// is the proof that a host is what the inventory renders. Read-only: nothing is applied.
import { executePlan } from '../exec/scheduler.js';
import type { RunEvent, TaskResult } from '../exec/events.js';
import { redact, withRevealedVault } from '../report/redact.js';
import { unifiedDiff } from '../report/diff.js';
import { createTemplar } from '../vars/templar.js';
import { dirname } from 'node:path';
import { planOf, type ClusterSource } from '../status/index.js';
import type { Check } from './checks.js';

export interface DriftOptions {
  /** Only these hosts (the verify --limit selection). */
  hosts: string[];
}

interface HostDrift {
  changed: Array<{ task: string; result: TaskResult }>;
  failed: Array<{ task: string; msg: string }>;
  unknown: string[];
  unreachable?: string;
}

/** One check per host: the playbook in check mode would change nothing there. */
export async function driftChecks(src: ClusterSource, o: DriftOptions): Promise<Check[]> {
  const plan = planOf(src, { limit: o.hosts.join(':'), check: true, diff: true });
  // A check run changes nothing, so the serial batches that pace a real rollout (one director
  // at a time) would only make it slower: every host is checked in one batch.
  for (const pp of plan.plays) pp.batches = pp.batches.length > 1 ? [pp.batches.flat()] : pp.batches;
  const per = new Map<string, HostDrift>();
  const of = (h: string): HostDrift => per.get(h) ?? per.set(h, { changed: [], failed: [], unknown: [] }).get(h)!;
  const secrets = new Set<string>();
  const onEvent = (e: RunEvent): void => {
    if (e.type !== 'taskResult') return;
    // A handler only follows from a change already reported; it is not drift of its own.
    if (e.task.isHandler) return;
    const d = of(e.host);
    const r = e.result;
    if (r.status === 'changed') d.changed.push({ task: e.task.name, result: r });
    else if (r.status === 'unknown') d.unknown.push(e.task.name);
    else if (r.status === 'unreachable') d.unreachable = r.msg ?? 'unreachable';
    else if (r.status === 'failed' && !r.ignored) d.failed.push({ task: e.task.name, msg: r.msg ?? 'failed' });
  };
  const t0 = Date.now();
  await executePlan(plan, {
    templar: createTemplar({ searchPath: [dirname(plan.playbookPath)], vault: plan.vault }),
    emit: onEvent,
    secrets,
    // A host that does not answer is already a failed `reachable` check: do not wait ssh's
    // default for it (an inventory's own ansible_timeout still wins).
    targetOpts: { timeoutSec: 5 },
  });
  const ms = Date.now() - t0;
  const masked = withRevealedVault(secrets, plan.vault);
  const playbook = plan.playbookPath.replace(/^.*\//, '');
  return o.hosts
    .filter((h) => plan.plays.some((p) => p.hosts.includes(h)))
    .map((host): Check => {
      const d = of(host);
      const title = `${playbook} --check would change nothing`;
      if (d.unreachable)
        return { id: 'drift', host, title, ok: false, detail: `could not be checked: ${d.unreachable}` };
      if (d.failed.length)
        return {
          id: 'drift',
          host,
          title,
          ok: false,
          detail: redact(`the check-mode run failed: ${d.failed.map((f) => `${f.task}: ${f.msg}`).join('; ')}`, masked),
        };
      const diff = d.changed.map((c) => describeChange(c.task, c.result, masked)).join('\n');
      const unknown = d.unknown.length
        ? `; ${d.unknown.length} task(s) check mode cannot predict: ${d.unknown.join(', ')}`
        : '';
      return {
        id: 'drift',
        host,
        title,
        ok: d.changed.length === 0 && d.unknown.length === 0,
        detail: d.changed.length
          ? `${d.changed.length} task(s) would change: ${d.changed.map((c) => c.task).join(', ')}${unknown}`
          : `no task would change (${ms} ms for the whole cluster)${unknown}`,
        ...(diff ? { diff: redact(diff, masked) } : {}),
      };
    });
}

/** The task, what it would change, and the diff (none for no_log tasks). */
function describeChange(task: string, r: TaskResult, secrets: Iterable<string>): string {
  const lines = [`${task}:`];
  for (const c of r.noLog ? [] : r.changes) {
    lines.push(`  ${c.summary}`);
    if (c.diff) lines.push(unifiedDiff(c.diff).trimEnd());
  }
  if (r.noLog) lines.push('  (details hidden: no_log)');
  return redact(lines.join('\n'), secrets);
}
