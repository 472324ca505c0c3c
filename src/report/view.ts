// What of a TaskResult a person gets to see, shared by every reporter: the Ansible-shaped
// result dump, host and item labels. no_log and secrets are applied here, once.
import type { TaskResult, TaskStatus } from '../exec/events.js';
import { reportedChanged, withOutputLines } from '../exec/result.js';
import { CENSORED, CENSORED_ITEM, redactValue, type SecretSource } from './redact.js';
import { pyStr } from './pyformat.js';

/** `host` or `host -> delegate`, as Ansible labels a delegated result. */
export function hostLabel(host: string, delegatedTo?: string): string {
  return delegatedTo && delegatedTo !== host ? `${host} -> ${delegatedTo}` : host;
}

/** The `(item=...)` label of a loop item. */
export function itemLabel(item: unknown, noLog: boolean | undefined, secrets: SecretSource): string {
  return noLog ? CENSORED_ITEM : pyStr(redactValue(item, secrets));
}

/** True when the result counts as a change (Ansible's `changed: true`). */
export function isChanged(status: TaskStatus): boolean {
  return status === 'changed';
}

/**
 * The result as Ansible's callbacks dump it after `=>`: changed/failed flags, msg, rc, stdout,
 * stderr, module return values; with no_log, only the censored notice.
 */
export function visibleResult(
  r: TaskResult,
  secrets: SecretSource,
  opts: { changes?: boolean; commands?: boolean; asCallback?: boolean } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.noLog) Object.assign(out, censoredResult(r));
  else {
    // Module return values first, so the standard keys win on a clash.
    if (r.data) Object.assign(out, r.data);
    Object.assign(out, standardKeys(r));
    if (opts.changes && r.changes.length > 0) out.changes = r.changes.map((c) => c.summary);
    if (opts.commands && r.commands?.length) out.commands = r.commands;
    withOutputLines(out);
  }
  if (opts.asCallback) {
    // What Ansible's output callbacks are given (TaskResult.clean_copy): no failed, no skipped key.
    delete out.failed;
    delete out.skipped;
  }
  return r.noLog ? out : redactValue(out, secrets);
}

/** The keys every result has from its status and output (the module's own values aside). */
export function standardKeys(r: TaskResult): Record<string, unknown> {
  const out: Record<string, unknown> = { changed: reportedChanged(r) };
  if (r.status === 'failed') out.failed = true;
  if (r.status === 'skipped') out.skipped = true;
  if (r.status === 'unreachable') out.unreachable = true;
  if (r.status === 'unknown') out.unknown = true;
  if (r.msg !== undefined) out.msg = r.msg;
  if (r.rc !== undefined) out.rc = r.rc;
  if (r.stdout !== undefined) out.stdout = r.stdout;
  if (r.stderr !== undefined) out.stderr = r.stderr;
  return out;
}

/** What a no_log result shows: its status and Ansible's notice, nothing else. */
export function censoredResult(r: TaskResult): Record<string, unknown> {
  const out: Record<string, unknown> = { censored: CENSORED, changed: r.status === 'changed' };
  if (r.status === 'failed') out.failed = true;
  if (r.status === 'skipped') out.skipped = true;
  if (r.status === 'unreachable') out.unreachable = true;
  return out;
}
