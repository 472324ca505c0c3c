// The value `register:` stores, shaped as Ansible's results so roles written for Ansible read
// the same fields (rc, stdout_lines, changed, failed, skipped, results...).
import type { LoopItem, TaskResult } from './events.js';

export function registeredValue(r: TaskResult): Record<string, unknown> {
  const v: Record<string, unknown> = {
    ...(r.data ?? {}),
    changed: r.status === 'changed',
    failed: r.status === 'failed',
  };
  if (r.status === 'skipped') v.skipped = true;
  if (r.status === 'unknown') v.check_mode_unknown = true;
  if (r.msg !== undefined) v.msg = r.msg;
  if (r.rc !== undefined) v.rc = r.rc;
  if (r.stdout !== undefined) {
    v.stdout = r.stdout;
    v.stdout_lines = r.stdout === '' ? [] : r.stdout.replace(/\n$/, '').split('\n');
  }
  if (r.stderr !== undefined) {
    v.stderr = r.stderr;
    v.stderr_lines = r.stderr === '' ? [] : r.stderr.replace(/\n$/, '').split('\n');
  }
  if (r.items)
    v.results = r.items.map(({ item, result, loopVars }) => ({
      ...registeredValue(result),
      ...(loopVars ?? { item }),
    }));
  if (r.changes.length) v.diff = r.changes.filter((c) => c.diff).map((c) => c.diff);
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
