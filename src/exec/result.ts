// The value `register:` stores, shaped as Ansible's results so roles written for Ansible read
// the same fields (rc, stdout_lines, changed, failed, skipped, results...).
import type { LoopItem, TaskResult } from './events.js';

/**
 * The `changed` a result reports: its status, except that a module may say it changed the host
 * and then failed (a command that ran and exited non-zero), as Ansible's results do.
 */
export function reportedChanged(r: TaskResult): boolean {
  return r.status === 'changed' || (r.status === 'failed' && r.data?.changed === true);
}

export function registeredValue(r: TaskResult): Record<string, unknown> {
  const v: Record<string, unknown> = {
    ...(r.data ?? {}),
    changed: reportedChanged(r),
  };
  // a skipped result has no failed key in Ansible's registered value
  if (r.status === 'skipped') v.skipped = true;
  else v.failed = r.status === 'failed';
  if (r.status === 'unknown') v.check_mode_unknown = true;
  if (r.msg !== undefined) v.msg = r.msg;
  if (r.rc !== undefined) v.rc = r.rc;
  if (r.stdout !== undefined) v.stdout = r.stdout;
  if (r.stderr !== undefined) v.stderr = r.stderr;
  withOutputLines(v);
  if (r.items)
    v.results = r.items.map(({ item, result, loopVars }) => ({
      ...registeredValue(result),
      ...(loopVars ?? { item }),
    }));
  const diffs = r.changes.filter((c) => c.diff).map((c) => c.diff);
  if (diffs.length) v.diff = diffs;
  return v;
}

/**
 * stdout_lines and stderr_lines beside stdout and stderr, as Ansible's executor adds them to any
 * module's result that has those (a trailing newline makes no empty last line).
 */
export function withOutputLines(v: Record<string, unknown>): Record<string, unknown> {
  for (const k of ['stdout', 'stderr'] as const) {
    const text = v[k];
    if (typeof text === 'string' && !(`${k}_lines` in v))
      v[`${k}_lines`] = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  }
  return v;
}

/** Folds per-item results into the task's result, as Ansible does for loops. */
export function loopResult(items: LoopItem[], ms: number): TaskResult {
  const statuses = items.map((i) => i.result.status);
  const status: TaskResult['status'] = statuses.includes('unreachable')
    ? 'unreachable'
    : statuses.includes('failed')
      ? 'failed'
      : statuses.includes('changed')
        ? 'changed'
        : statuses.includes('unknown')
          ? 'unknown'
          : statuses.length && statuses.every((s) => s === 'skipped')
            ? 'skipped'
            : 'ok';
  const failedItem = items.find((i) => i.result.status === 'failed');
  return {
    status,
    changes: items.flatMap((i) => i.result.changes),
    ms,
    warnings: items.flatMap((i) => i.result.warnings),
    items,
    msg: failedItem ? 'One or more items failed' : 'All items completed',
    ...(items.some((i) => i.result.noLog) ? { noLog: true } : {}),
  };
}
