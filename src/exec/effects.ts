// What one task did to the run, as a value: the executor (task.ts) reads the run's state and
// returns these with each result; the driver (scheduler.ts) applies them, in one place
// (apply-effects.ts), in the order Ansible's strategy processes a result. Nothing here writes
// anything: these are pure functions of a task and its result.
import { diag, type Diagnostic } from '../diagnostics.js';
import type { PredictedFile } from '../modules/fileinfo.js';
import type { PlannedTask } from '../plan/compile.js';
import type { Vars } from '../vars/precedence.js';
import { valuePosOf } from '../yaml/load.js';
import type { PlayPosition } from './context.js';
import type { HostCounts, TaskResult } from './events.js';
import { keyword } from './keywords.js';
import { registeredValue, reportedChanged } from './result.js';

/** Facts a task (or one of its loop items) returned, for the host they belong to (delegate_facts). */
export interface FactsEffect {
  host: string;
  /** ansible_facts: gathered facts (setup) and facts a module returns. */
  facts?: Vars;
  /** set_fact values. */
  setFacts?: Vars;
}

/** Which hosts' probe results read ahead (prefetch.ts) no longer hold. */
export type ReadAheadStale = 'none' | 'host' | 'all';

export interface TaskEffects {
  /** In the order the task and its items returned them. */
  facts: FactsEffect[];
  /** `register:` on the task's host (and, run_once, on every host of the batch). */
  register?: { name: string; value: unknown };
  /** Handler names or listen topics notified (each a handler of the play). */
  notified: string[];
  /** A notify naming no handler: ends the run as ansible-playbook's ERROR! does. */
  fatal?: Diagnostic;
  /** The host's reachability as the task ends it; undefined: as it was. */
  unreachable?: boolean;
  /** Handlers written down as maybe notified before the task ran are taken back (it changed nothing). */
  withdrawIntended: boolean;
  /** Check mode: changes predicted and not made, and the files they would write. */
  unapplied: string[];
  predictedFiles: Map<string, PredictedFile>;
  /** Check mode: 1 when the result is 'unknown'. */
  unknown: number;
  readAheadStale: ReadAheadStale;
  /** Arguments rendered ahead are forgotten on every host (a variable they may read changed). */
  forgetRenderedArgs: boolean;
  /** The recap's tally for this result; none for a run_once task's other hosts. */
  counts?: Partial<HostCounts>;
}

export function noEffects(): TaskEffects {
  return {
    facts: [],
    notified: [],
    withdrawIntended: false,
    unapplied: [],
    predictedFiles: new Map(),
    unknown: 0,
    readAheadStale: 'none',
    forgetRenderedArgs: false,
  };
}

const staleOrder: ReadAheadStale[] = ['none', 'host', 'all'];

/** Marks read-ahead stale on at least `scope`, never narrowing what is already stale. */
export function markStale(e: TaskEffects, scope: ReadAheadStale): void {
  if (staleOrder.indexOf(scope) > staleOrder.indexOf(e.readAheadStale)) e.readAheadStale = scope;
}

/** Does a handler of the play (or of one of its roles) have this name or listen to it? */
export function isHandlerName(at: PlayPosition, name: string): boolean {
  return at.pp.compiled.handlers.some(({ task: h }) => {
    if (h.listen.includes(name) || h.name === name) return true;
    return h.role !== undefined && h.name !== undefined && `${h.role.name} : ${h.name}` === name;
  });
}

/**
 * register, notify, unknown, reachability and read-ahead, once per task (after its loop), from
 * its final result; added to what `e` holds already.
 */
export function addResultEffects(e: TaskEffects, at: PlayPosition, planned: PlannedTask, result: TaskResult): void {
  const task = planned.task;
  if (task.register) e.register = { name: task.register, value: registeredValue(result) };
  if (task.register || (result.status !== 'ok' && result.status !== 'skipped')) e.forgetRenderedArgs = true;
  if (result.status === 'unknown') e.unknown++;
  if (result.status === 'changed') {
    for (const n of task.notify) {
      if (isHandlerName(at, n)) {
        e.notified.push(n);
        continue;
      }
      // ansible-playbook stops the whole run here (ERROR!, exit 1): a notification that can
      // never run must not be kept, nor journaled for every later run.
      e.fatal ??= diag(
        `the notified handler '${n}' is not a handler of this play (by name or listen)`,
        valuePosOf(task.raw, 'notify') ?? task.pos,
        'fix the name under notify:, or add the handler',
      );
    }
  }
  if (result.status === 'unreachable') e.unreachable = true;
  // What was read ahead is only good while nothing changes on the host; a delegated or run-once
  // task may have changed another host.
  if (result.status !== 'ok' && result.status !== 'skipped') {
    const elsewhere =
      keyword(at.pp.play, planned, 'delegate_to') !== undefined ||
      keyword(at.pp.play, planned, 'run_once') !== undefined;
    markStale(e, elsewhere ? 'all' : 'host');
  }
}

/** The recap's tally of one result. */
export function countsOf(r: TaskResult): Partial<HostCounts> {
  // An ignored failure (ignore_errors) or unreachable host (ignore_unreachable): Ansible 2.14
  // counts it ok and ignored, and changed when the result says it changed the host (a command
  // that ran and failed).
  if (r.ignored) return { ok: 1, ignored: 1, ...(reportedChanged(r) ? { changed: 1 } : {}) };
  switch (r.status) {
    case 'failed':
      return { failed: 1 };
    case 'unreachable':
      return { unreachable: 1 };
    case 'skipped':
      return { skipped: 1 };
    case 'changed':
      return { changed: 1, ok: 1 };
    case 'ok':
      return { ok: 1 };
    default:
      return {};
  }
}
