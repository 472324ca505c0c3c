// The one place a task's effects reach the run's state, applied by the driver once the task has
// ended on a host, in the order Ansible's strategy processes a result: facts and set_fact (on the
// host they belong to), check mode's predictions, register, notifications,
// the host's reachability, then what read ahead no longer holds and the recap's tally.
import { isHandlerName, type TaskEffects } from './effects.js';
import { hostState, type PlayPosition, type RunContext } from './context.js';
import { forgetProbeResults, forgetRenderedArgs } from './prefetch.js';
import type { PlannedTask } from '../plan/compile.js';
import type { HostCounts } from './events.js';

/**
 * Before a task that notifies runs on `host`: its handlers are written down as maybe notified
 * (see journal.ts), since a controller that dies while the task changes the host never sees its
 * result. Returns them, for `applyEffects` to take back if the task changed nothing.
 */
export function intendNotifications(run: RunContext, at: PlayPosition, planned: PlannedTask, host: string): string[] {
  if (run.plan.check) return [];
  const names = planned.task.notify.filter((n) => isHandlerName(at, n));
  return run.journal.intend(at.pp.play.name, host, names);
}

export function applyEffects(
  run: RunContext,
  at: PlayPosition,
  host: string,
  e: TaskEffects,
  intended: readonly string[] = [],
): void {
  const hs = hostState(run, host);
  for (const f of e.facts) {
    const fs = hostState(run, f.host);
    if (f.setFacts) Object.assign(fs.setFacts, f.setFacts);
    if (f.facts) Object.assign(fs.facts, f.facts);
  }
  hs.unapplied.push(...e.unapplied);
  for (const [path, file] of e.predictedFiles) hs.predictedFiles.set(path, file);
  if (e.register) hs.setFacts[e.register.name] = e.register.value;
  hs.unknown += e.unknown;
  for (const n of e.notified) {
    hs.notified.add(n);
    run.journal.notified(at.pp.play.name, host, n);
  }
  if (e.fatal) run.fatal ??= e.fatal;
  if (e.unreachable !== undefined) hs.unreachable = e.unreachable;
  if (e.withdrawIntended && intended.length) run.journal.withdraw(at.pp.play.name, host, [...intended]);
  if (e.readAheadStale === 'all') forgetProbeResults(run);
  else if (e.readAheadStale === 'host') hs.probes.invalidate();
  if (e.forgetRenderedArgs) forgetRenderedArgs(run);
  if (e.counts) addCounts(hs.counts, e.counts);
}

function addCounts(c: HostCounts, delta: Partial<HostCounts>): void {
  for (const k of Object.keys(delta) as (keyof HostCounts)[]) c[k] += delta[k] ?? 0;
}
