// Drift of everything the playbook manages (init scripts, sysctls, firewall rules, packages,
// services, every file), found the way an operator would: the playbook in check mode with
// diffs. Check mode here predicts exactly what a run would do, so "a run would change nothing"
// is the proof that a host is what the inventory renders. Read-only: nothing is applied.
import type { TaskResult } from '../exec/events.js';
import { redact } from '../report/redact.js';
import { unifiedDiff } from '../report/diff.js';
import type { ClusterSource } from '../status/index.js';
import type { Check } from './checks.js';
import { checkRun } from './check-run.js';

export interface DriftOptions {
  /** Only these hosts (the verify --limit selection). */
  hosts: string[];
}

/** One check per host: the playbook in check mode would change nothing there. */
export async function driftChecks(src: ClusterSource, o: DriftOptions): Promise<Check[]> {
  const run = await checkRun(src, { hosts: o.hosts });
  const { masked, ms } = run;
  return o.hosts
    .filter((h) => run.played.has(h))
    .map((host): Check => {
      const d = run.hosts.get(host)!;
      // A handler only follows from a change already reported; it is not drift of its own.
      const changed = d.changed.filter((c) => !c.handler);
      const title = `${run.playbook} --check would change nothing`;
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
      const diff = changed.map((c) => describeChange(c.task, c.result, masked)).join('\n');
      const unknown = d.unknown.length
        ? `; ${d.unknown.length} task(s) check mode cannot predict: ${d.unknown.join(', ')}`
        : '';
      return {
        id: 'drift',
        host,
        title,
        ok: changed.length === 0 && d.unknown.length === 0,
        detail: changed.length
          ? `${changed.length} task(s) would change: ${changed.map((c) => c.task).join(', ')}${unknown}`
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
