// --output json (one document at the end, shaped like the ansible.posix.json callback:
// plays -> tasks -> hosts, then stats) and --output jsonl (one event per line, as it happens).
// Both go through hostResult(), so no_log and secrets are handled once for machines too.
import type { HostCounts, Reporter, RunEvent, TaskRef, TaskResult } from '../exec/events.js';
import type { DrawOptions } from './options.js';
import { taskKey } from './plain.js';
import { censoredResult, standardKeys } from './view.js';
import { withOutputLines } from '../exec/result.js';
import { redact, redactValue, type SecretSource } from './redact.js';

export type Clock = () => Date;
type JsonOptions = Pick<DrawOptions, 'stream' | 'diff' | 'secrets'> & { clock?: Clock };

/** A host's result for machines: Ansible's keys (changed, failed, msg, rc, ...) plus ours. */
export function hostResult(
  r: TaskResult,
  opts: { diff: boolean; secrets: SecretSource },
  delegatedTo?: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = r.noLog ? { status: r.status, ...censoredResult(r) } : { ...r.data };
  if (!r.noLog) {
    out.status = r.status;
    Object.assign(out, standardKeys(r));
    withOutputLines(out);
    out.changes = r.changes.map((c) => {
      const d = c.diff;
      if (!opts.diff || !d) return { summary: c.summary };
      const diff: Record<string, string> = { before: d.before, after: d.after };
      if (d.beforeHeader) diff.before_header = d.beforeHeader;
      if (d.afterHeader) diff.after_header = d.afterHeader;
      return { summary: c.summary, diff };
    });
    out.warnings = r.warnings;
    if (r.commands?.length) out.commands = r.commands;
    if (r.items) {
      out.results = r.items.map(({ item, result }) =>
        result.noLog ? hostResult(result, opts) : { item, ...hostResult(result, opts) },
      );
    }
  } else if (r.items) {
    out.results = r.items.map(({ result }) => ({ status: result.status, ...censoredResult(result) }));
  }
  if (r.ignored) out.ignored = true;
  if (r.rescued) out.rescued = true;
  if (delegatedTo) out.delegated_to = delegatedTo;
  out.duration_ms = r.ms;
  return redactValue(out, opts.secrets);
}

/** Ansible's stats keys (`failures`, not `failed`), so tools that read its JSON read ours. */
export function ansibleStats(recap: Record<string, HostCounts>): Record<string, Record<string, number>> {
  const stats: Record<string, Record<string, number>> = {};
  for (const [host, t] of Object.entries(recap)) {
    stats[host] = {
      ok: t.ok,
      changed: t.changed,
      unreachable: t.unreachable,
      failures: t.failed,
      skipped: t.skipped,
      rescued: t.rescued,
      ignored: t.ignored,
    };
  }
  return stats;
}

function taskJson(t: TaskRef): Record<string, unknown> {
  const out: Record<string, unknown> = { name: t.name };
  if (t.role) out.role = t.role;
  if (t.path) out.path = t.path;
  if (t.isHandler) out.handler = true;
  return out;
}

interface Duration {
  start: string;
  end?: string;
}
interface TaskEntry {
  task: Record<string, unknown> & { duration: Duration };
  hosts: Record<string, Record<string, unknown>>;
}
interface PlayEntry {
  play: { name: string; pattern: string; hosts: string[]; duration: Duration };
  tasks: TaskEntry[];
}

/** `--output json`: one document written when the run ends. */
export class JsonReporter implements Reporter {
  private readonly clock: Clock;
  private readonly doc: {
    playbook: string;
    check: boolean;
    diff: boolean;
    plays: PlayEntry[];
    warnings: Array<{ host?: string; message: string }>;
  } = { playbook: '', check: false, diff: false, plays: [], warnings: [] };
  /** Which task entry a result belongs to (the executor may send equal, distinct TaskRefs). */
  private readonly keys = new WeakMap<TaskEntry, string>();
  private written = false;

  constructor(private readonly opts: JsonOptions) {
    this.clock = opts.clock ?? (() => new Date());
  }

  onEvent(e: RunEvent): void {
    const now = this.clock().toISOString();
    switch (e.type) {
      case 'runStart':
        Object.assign(this.doc, { playbook: e.playbook, check: e.check, diff: e.diff });
        return;
      case 'playStart':
        this.doc.plays.push({
          play: { name: e.name, pattern: e.pattern, hosts: e.hosts, duration: { start: now } },
          tasks: [],
        });
        return;
      case 'taskStart':
        this.currentPlay().tasks.push(this.newTask(e.task, now));
        return;
      case 'taskResult': {
        const play = this.currentPlay();
        const key = taskKey(e.task);
        let entry = play.tasks.findLast((t) => this.keys.get(t) === key);
        if (!entry) play.tasks.push((entry = this.newTask(e.task, now)));
        entry.hosts[e.host] = hostResult(e.result, this.opts, e.delegatedTo);
        entry.task.duration.end = now;
        return;
      }
      case 'warning':
        this.doc.warnings.push(e.host ? { host: e.host, message: e.message } : { message: e.message });
        return;
      case 'playEnd':
        this.currentPlay().play.duration.end = now;
        return;
      case 'runEnd': {
        const full = {
          ...this.doc,
          stats: ansibleStats(e.recap),
          duration_ms: e.ms,
          exit_code: e.exitCode,
          interrupted: e.interrupted,
        };
        this.write(full);
        return;
      }
    }
  }

  close(): void {
    // A run that never ended (an internal error) still leaves a well-formed document.
    if (!this.written) this.write({ ...this.doc, stats: {}, interrupted: true });
  }

  private write(doc: object): void {
    this.written = true;
    const text = JSON.stringify(redactValue(doc, this.opts.secrets), null, 4);
    this.opts.stream.write(`${redact(text, this.opts.secrets)}\n`);
  }

  private newTask(t: TaskRef, now: string): TaskEntry {
    const entry: TaskEntry = { task: { ...taskJson(t), duration: { start: now } }, hosts: {} };
    this.keys.set(entry, taskKey(t));
    return entry;
  }

  private currentPlay(): PlayEntry {
    let play = this.doc.plays.at(-1);
    if (!play) {
      play = { play: { name: '', pattern: '', hosts: [], duration: { start: this.clock().toISOString() } }, tasks: [] };
      this.doc.plays.push(play);
    }
    return play;
  }
}

/** `--output jsonl`: each event as one JSON object on its own line, written as it happens. */
export class JsonLinesReporter implements Reporter {
  private readonly clock: Clock;
  constructor(private readonly opts: JsonOptions) {
    this.clock = opts.clock ?? (() => new Date());
  }

  onEvent(e: RunEvent): void {
    const time = this.clock().toISOString();
    let line: Record<string, unknown>;
    if (e.type === 'taskResult') {
      const { result, delegatedTo, ...rest } = e;
      line = { ...rest, task: taskJson(e.task), result: hostResult(result, this.opts, delegatedTo) };
    } else if (e.type === 'taskStart') {
      line = { ...e, task: taskJson(e.task) };
    } else {
      line = { ...e };
    }
    const text = JSON.stringify(redactValue({ ...line, time }, this.opts.secrets));
    this.opts.stream.write(`${redact(text, this.opts.secrets)}\n`);
  }
}
