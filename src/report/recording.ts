// A reporter for tests: keeps every event, in order, and answers the questions tests ask
// ("what changed on d1?", "what did the recap say?") without parsing printed text.
import type { HostCounts, Reporter, RunEvent, TaskResult, TaskStatus } from '../exec/events.js';
import { hostResult } from './json.js';
import { redact, type SecretSource } from './redact.js';

type ResultEvent = Extract<RunEvent, { type: 'taskResult' }>;
type RunEnd = Extract<RunEvent, { type: 'runEnd' }>;

export interface RecordedResult {
  task: string;
  host: string;
  status: TaskStatus;
  result: TaskResult;
}

export class RecordingReporter implements Reporter {
  readonly events: RunEvent[] = [];
  closed = false;

  constructor(private readonly secrets: SecretSource = []) {}

  onEvent(e: RunEvent): void {
    this.events.push(e);
  }

  close(): void {
    this.closed = true;
  }

  /** Every host result in the order it arrived, optionally for one host only. */
  results(host?: string): RecordedResult[] {
    return this.events
      .filter((e): e is ResultEvent => e.type === 'taskResult' && (host === undefined || e.host === host))
      .map((e) => ({ task: e.task.name, host: e.host, status: e.result.status, result: e.result }));
  }

  resultsFor(host: string): RecordedResult[] {
    return this.results(host);
  }

  /** Names of the tasks that changed (or, in check mode, would change) this host. */
  changedTasks(host: string): string[] {
    return this.results(host)
      .filter((r) => r.status === 'changed')
      .map((r) => r.task);
  }

  /** The status a task ended with on a host (the last one, if it ran more than once). */
  statusOf(task: string, host: string): TaskStatus | undefined {
    return this.results(host).findLast((r) => r.task === task)?.status;
  }

  /** Task names in the order they started. */
  taskNames(): string[] {
    return this.events.flatMap((e) => (e.type === 'taskStart' ? [e.task.name] : []));
  }

  warnings(): string[] {
    return this.events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
  }

  runEnd(): RunEnd | undefined {
    return this.events.find((e): e is RunEnd => e.type === 'runEnd');
  }

  recap(): Record<string, HostCounts> | undefined {
    return this.runEnd()?.recap;
  }

  /**
   * The events as JSON lines, results shown as machines see them (no_log censored, secrets
   * masked): a stable text for snapshot assertions.
   */
  serialize(): string {
    return this.events
      .map((e) => {
        const line =
          e.type === 'taskResult'
            ? { ...e, result: hostResult(e.result, { diff: true, secrets: this.secrets }, e.delegatedTo) }
            : e;
        return redact(JSON.stringify(line), this.secrets);
      })
      .join('\n');
  }
}
