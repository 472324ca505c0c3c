// The scheduler owns the policy: plays in order, serial batches, the linear (per-task barrier)
// and free strategies, forks, handlers, any_errors_fatal and max_fail_percentage. It emits
// events; reporters draw them.
import { dirname, relative } from 'node:path';
import type { Plan, PlannedPlay } from '../plan/load-and-plan.js';
import type { PlannedTask } from '../plan/compile.js';
import type { Task } from '../playbook/model.js';
import { resolveModule } from '../modules/registry.js';
import { isRunnable } from '../modules/runtime.js';
import type { Templar } from '../vars/templar.js';
import type { TargetOpts, ConnectOpts } from '../transport/index.js';
import { ExitCode, LvsplayError } from '../diagnostics.js';
import type { HostCounts, RunEvent, TaskRef, TaskResult } from './events.js';
import { ConnectionPool } from './connections.js';
import type { RunLockOptions } from './run-lock.js';
import { hostState, newGroups, taskVars, type PlayPosition, type RunContext } from './context.js';
import { HandlerJournal } from './journal.js';
import { redact, withRevealedVault } from '../report/redact.js';
import { asBool, keyword } from './keywords.js';
import { Semaphore } from '../semaphore.js';
import { runTask, type TaskRun } from './task.js';
import { walkHandlers, walkPlay, type HostWalk, type StepOutcome, type WalkItem } from './walker.js';
import { loadInclude } from './include.js';
import { delegateOf } from './task-setting.js';
import { applyEffects, intendNotifications } from './apply-effects.js';
import { countsOf, noEffects } from './effects.js';
import { warmRegexGuard } from '../regex-guard.js';

export interface ExecuteOptions {
  templar: Templar;
  emit(e: RunEvent): void;
  targetOpts?: TargetOpts;
  connectOpts?: ConnectOpts;
  journalDir?: string;
  /** Aborted by Ctrl-C: no new task starts, the recap is still printed. */
  signal?: AbortSignal;
  secrets?: Set<string>;
  /** Take each host's run lock as it is first reached (never in check mode). */
  runLock?: RunLockOptions;
}

export interface ExecuteResult {
  exitCode: number;
  recap: Record<string, HostCounts>;
  /** Per host, tasks check mode could not predict. */
  unknown: Record<string, number>;
}

/** Modules that match playbook regular expressions on the controller (see regex-guard.ts). */
const PATTERN_MODULES = /(^|\.)(lineinfile|blockinfile|replace)$/;

/** Whether a task is likely to match a playbook pattern: a module that does, or a regex filter or test. */
function usesPatterns(plan: Plan): boolean {
  return plan.plays.some((pp) =>
    [...pp.compiled.tasks, ...pp.compiled.handlers].some(
      (c) => PATTERN_MODULES.test(c.task.action) || /regex/.test(JSON.stringify([c.task.args, c.task.when])),
    ),
  );
}

export async function executePlan(plan: Plan, o: ExecuteOptions): Promise<ExecuteResult> {
  const t0 = performance.now();
  const secrets = o.secrets ?? new Set<string>();
  const run: RunContext = {
    plan,
    templar: o.templar,
    pool: new ConnectionPool(o.targetOpts, o.connectOpts, {
      ...(o.runLock && !plan.check ? { runLock: o.runLock } : {}),
      onNote: (host, message) => o.emit({ type: 'warning', host, message }),
    }),
    hosts: new Map(),
    emit: o.emit,
    interrupted: false,
    journal: new HandlerJournal(plan.playbookPath, o.journalDir, (s) =>
      redact(s, withRevealedVault(secrets, plan.vault)),
    ),
    secrets,
    groups: newGroups(plan),
  };
  const onAbort = () => {
    run.interrupted = true;
  };
  o.signal?.addEventListener('abort', onAbort);
  const forks = new Semaphore(plan.forks);
  const allHosts = [...new Set(plan.plays.flatMap((p) => p.hosts))];
  for (const h of allHosts) hostState(run, h);
  run.emit({ type: 'runStart', playbook: plan.playbookPath, check: plan.check, diff: plan.diff, hosts: allHosts });
  if (usesPatterns(plan)) warmRegexGuard();
  let stopAll = false;
  try {
    for (const planned of plan.plays) {
      if (stopAll || run.interrupted) break;
      // After a group_by or add_host, the play's pattern is matched against the inventory as it is now.
      const pp = run.inventoryChanged ? { ...planned, ...planned.hostsNow() } : planned;
      run.emit({ type: 'playStart', name: pp.play.name, pattern: pp.play.hosts.join(','), hosts: pp.hosts });
      for (const batch of pp.batches) {
        if (run.interrupted) break;
        const live = batch.filter((h) => usable(run, h));
        if (!live.length) continue;
        const at: PlayPosition = { pp, batch: live };
        const fatal = await runBatch(run, at, live, forks);
        if (fatal) {
          stopAll = true;
          break;
        }
      }
      run.emit({ type: 'playEnd', name: pp.play.name });
    }
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await run.pool.closeAll();
  }
  if (run.fatal) {
    const pos = run.fatal.pos;
    const shown =
      pos && !relative(process.cwd(), pos.file).startsWith('..') ? relative(process.cwd(), pos.file) : pos?.file;
    throw new LvsplayError(pos ? { ...run.fatal, pos: { ...pos, file: shown! } } : run.fatal, ExitCode.error);
  }
  const recap: Record<string, HostCounts> = {};
  const unknown: Record<string, number> = {};
  for (const [h, s] of run.hosts) {
    recap[h] = s.counts;
    unknown[h] = s.unknown;
  }
  const states = [...run.hosts.values()];
  const exitCode = run.interrupted
    ? ExitCode.interrupted
    : states.some((s) => s.unreachable)
      ? ExitCode.unreachable
      : states.some((s) => s.failed)
        ? ExitCode.failedHosts
        : ExitCode.ok;
  run.emit({ type: 'runEnd', recap, ms: performance.now() - t0, exitCode, interrupted: run.interrupted });
  return { exitCode, recap, unknown };
}

const usable = (run: RunContext, h: string) => !run.hosts.get(h)?.failed && !run.hosts.get(h)?.unreachable;

/** One serial batch of a play; true when the whole run must stop (any_errors_fatal, max_fail_percentage). */
async function runBatch(run: RunContext, at: PlayPosition, hosts: string[], forks: Semaphore): Promise<boolean> {
  const play = at.pp.play;
  if (play.gatherFacts) {
    const setup = factsTask(at.pp);
    if (setup) {
      const walks = new Map(
        hosts.map((h) => [
          h,
          (function* (): HostWalk {
            const r = yield { kind: 'task', planned: setup };
            return r?.unreachable ? 'unreachable' : r?.failed ? 'failed' : 'ok';
          })(),
        ]),
      );
      if (await drive(run, at, walks, forks)) return true;
    }
  }
  // Handlers a previous run notified but never ran: they run with this play's own handlers
  // after its roles and tasks, when what they restart or reload is in place.
  for (const h of hosts) {
    for (const name of run.journal.pending(play.name, h)) {
      hostState(run, h).carriedOver.add(name);
      run.emit({
        type: 'warning',
        host: h,
        message: run.journal.maybe(play.name, h, name)
          ? `handler '${name}' may have been notified by an earlier run that ended during a task notifying it; it will run after this play's tasks`
          : `handler '${name}' was notified by an earlier run that did not finish; it will run after this play's tasks`,
      });
    }
  }
  const live = hosts.filter((h) => usable(run, h));
  const walks = new Map(live.map((h) => [h, walkPlay(at.pp.compiled, play.tags, run.plan.tags)]));
  return drive(run, at, walks, forks);
}

function factsTask(pp: PlannedPlay): PlannedTask | undefined {
  const m = resolveModule('setup');
  if (!isRunnable(m)) return undefined;
  const subset = pp.play.keywords.gather_subset;
  const gatherTimeout = pp.play.keywords.gather_timeout;
  const task: Task = {
    kind: 'task',
    name: 'Gathering Facts',
    action: 'setup',
    actionAs: 'setup',
    module: m,
    // The play's gather_subset chooses the facts kept; gather_timeout bounds the read.
    args: subset === undefined || subset === null ? {} : { gather_subset: subset },
    notify: [],
    listen: [],
    tags: ['always'],
    when: [],
    vars: {},
    keywords: gatherTimeout === undefined || gatherTimeout === null ? {} : { timeout: gatherTimeout },
    pos: pp.play.pos,
  };
  return { task, section: 'pre_tasks', tags: ['always'], when: [], blocks: [] };
}

interface Walker {
  gen: HostWalk;
  item: IteratorResult<WalkItem, string>;
}

/**
 * Drives the hosts' walks. Linear: the hosts waiting on the same task run it together, and no
 * host starts the next task before they finish. Free: each host goes at its own pace.
 */
async function drive(
  run: RunContext,
  at: PlayPosition,
  gens: Map<string, HostWalk>,
  forks: Semaphore,
): Promise<boolean> {
  const walkers = walkersOf(gens);
  if (at.pp.play.strategy === 'free') {
    const results = await Promise.all([...walkers].map(([h, w]) => driveOne(run, at, h, w, forks)));
    return results.some(Boolean);
  }
  return driveLinear(run, at, walkers, forks, false);
}

function walkersOf(gens: Map<string, HostWalk>): Map<string, Walker> {
  return new Map([...gens].map(([h, gen]) => [h, { gen, item: gen.next(undefined) }]));
}

/**
 * The linear driver, for a play's tasks and for a handler flush alike: the hosts waiting on the
 * same task run it together, and none goes on before they all finish. For tasks, flush points
 * run the handlers and the run policy (any_errors_fatal, max_fail_percentage, end_play) applies
 * after each task; for handlers, each that ran is journaled.
 */
async function driveLinear(
  run: RunContext,
  at: PlayPosition,
  walkers: Map<string, Walker>,
  forks: Semaphore,
  handlers: boolean,
): Promise<boolean> {
  for (;;) {
    if (!handlers) {
      await signalsHeard();
      if (run.fatal) return true;
    }
    if (run.interrupted) return false;
    for (const [h, w] of walkers) settleRescues(run, h, w);
    const active = [...walkers].filter(([, w]) => !w.item.done);
    if (!active.length) {
      // Every host is done or failed: force_handlers still runs what the failed ones notified.
      if (!handlers) await runHandlers(run, at, forcedHosts(run, at, walkers), forks);
      return false;
    }
    const first = active[0]![1].item.value as WalkItem;
    const group = active.filter(([, w]) => sameItem(w.item.value as WalkItem, first));
    const hosts = group.map(([h]) => h);
    if (first.kind === 'flush' && !handlers) {
      if (first.after !== 'pre_tasks') carryOver(run, hosts);
      await runHandlers(run, at, [...hosts, ...forcedHosts(run, at, walkers)], forks);
      for (const [, w] of group) w.item = w.gen.next(undefined);
      continue;
    }
    if (first.kind !== 'task') {
      for (const [, w] of active) w.item = w.gen.next(undefined);
      continue;
    }
    const outcomes = await runTaskOn(run, at, first.planned, hosts, forks, handlers);
    if (handlers)
      run.journal.hold(() => {
        for (const [h] of group) {
          const oc = outcomes.get(h);
          if (oc && !oc.failed) for (const n of handlerNames(first.planned)) run.journal.ran(at.pp.play.name, h, n);
        }
      });
    for (const [h, w] of group) {
      w.item = w.gen.next(outcomes.get(h));
      if (!handlers) settleRescues(run, h, w);
    }
    if (handlers) continue;
    if (outcomes.has('\0end_play')) {
      for (const [, w] of walkers) w.item = { done: true, value: 'ended' };
    }
    if (afterTaskPolicy(run, at, first.planned, hosts)) return true;
  }
}

/**
 * Lets the event loop read pending signals before the next task starts: a task that kept the
 * thread busy (a long regex match) would otherwise be followed by the next one before a Ctrl-C
 * pressed meanwhile is noticed.
 */
const signalsHeard = (): Promise<void> => new Promise((res) => setImmediate(res));

async function driveOne(
  run: RunContext,
  at: PlayPosition,
  host: string,
  w: Walker,
  forks: Semaphore,
): Promise<boolean> {
  for (;;) {
    await signalsHeard();
    if (run.fatal) return true;
    if (run.interrupted) return false;
    settleRescues(run, host, w);
    if (w.item.done) {
      await runHandlers(run, at, forcedHosts(run, at, new Map([[host, w]])), forks);
      return false;
    }
    const item = w.item.value as WalkItem;
    if (item.kind === 'flush') {
      if (item.after !== 'pre_tasks') carryOver(run, [host]);
      await runHandlers(run, at, [host], forks);
      w.item = w.gen.next(undefined);
      continue;
    }
    if (item.kind !== 'task') continue;
    const outcomes = await runTaskOn(run, at, item.planned, [host], forks);
    w.item = w.gen.next(outcomes.get(host));
    settleRescues(run, host, w);
    if (afterTaskPolicy(run, at, item.planned, [host])) return true;
  }
}

/**
 * force_handlers (the play keyword, else --force-handlers or ansible.cfg): hosts of this walk
 * that failed still run the handlers they notified, at the next flush, as Ansible does.
 */
function forcedHosts(run: RunContext, at: PlayPosition, walkers: Map<string, Walker>): string[] {
  if (!forceHandlers(run, at)) return [];
  return [...walkers.keys()].filter((h) => {
    const hs = hostState(run, h);
    return hs.failed && !hs.unreachable && hs.notified.size > 0;
  });
}

function forceHandlers(run: RunContext, at: PlayPosition): boolean {
  const v = at.pp.play.keywords.force_handlers;
  if (v === undefined || v === null) return run.plan.forceHandlers;
  return asBool(run.templar.render(v, at.pp.play.vars, at.pp.play.pos), run.plan.forceHandlers);
}

function carryOver(run: RunContext, hosts: string[]): void {
  for (const h of hosts) {
    const hs = hostState(run, h);
    for (const n of hs.carriedOver) hs.notified.add(n);
    hs.carriedOver.clear();
  }
}

function settleRescues(run: RunContext, host: string, w: Walker): void {
  while (!w.item.done && (w.item.value as WalkItem).kind === 'rescue') {
    const hs = hostState(run, host);
    // The failure that led here is rescued: it no longer counts as a failure.
    hs.counts.failed = Math.max(0, hs.counts.failed - 1);
    hs.counts.rescued++;
    hs.failed = false;
    w.item = w.gen.next(undefined);
  }
  if (w.item.done) {
    const end = w.item.value;
    const hs = hostState(run, host);
    if (end === 'failed') hs.failed = true;
    if (end === 'unreachable') hs.unreachable = true;
  }
}

function sameItem(a: WalkItem, b: WalkItem): boolean {
  if (a.kind === 'flush' && b.kind === 'flush') return a === b;
  return a.kind === 'task' && b.kind === 'task' && a.planned.task === b.planned.task;
}

function taskRef(planned: PlannedTask): TaskRef {
  const t = planned.task;
  const role = t.role?.name;
  const name = t.name ?? `${t.actionAs}`;
  return {
    name: role ? `${role} : ${name}` : name,
    ...(role ? { role } : {}),
    path: `${t.pos.file}:${t.pos.line}`,
  };
}

/** Runs one task on several hosts (bounded by forks) and turns results into walk outcomes. */
async function runTaskOn(
  run: RunContext,
  at: PlayPosition,
  planned: PlannedTask,
  hosts: string[],
  forks: Semaphore,
  isHandler = false,
): Promise<Map<string, StepOutcome>> {
  const ref = { ...taskRef(planned), ...(isHandler ? { isHandler: true } : {}) };
  run.emit({ type: 'taskStart', task: ref, hosts });
  const out = new Map<string, StepOutcome>();
  const bypass = planned.task.module?.bypassHostLoop === true;
  const runOnce = asBool(keyword(at.pp.play, planned, 'run_once'));
  const targets = runOnce || bypass ? hosts.slice(0, 1) : hosts;
  // throttle: at most that many hosts run this task at once, below forks.
  const throttle = throttleOf(run, at, planned, targets[0]);
  const inOrder = planned.task.module?.inHostOrder === true;
  const slots = throttle || inOrder ? new Semaphore(inOrder ? 1 : throttle) : undefined;
  // Journaled before the task can change the host (see journal.ts): only what it may notify.
  // When every host starts at once, one write covers them all; otherwise each as it starts.
  const allAtOnce = targets.length <= run.plan.forks && !slots;
  const intendedAhead = allAtOnce
    ? run.journal.hold(() => new Map(targets.map((h) => [h, intendNotifications(run, at, planned, h)])))
    : undefined;
  const start = (h: string) => {
    const intended = intendedAhead?.get(h) ?? intendNotifications(run, at, planned, h);
    return runTask(run, at, planned, h).then((r) => ({ ...r, intended }));
  };
  const runs = await Promise.all(
    targets.map((h) => forks.use(() => (slots ? slots.use(() => start(h)) : start(h))).then((r) => [h, r] as const)),
  );
  const byHost = new Map<string, TaskRun & { intended?: string[] }>(runs);
  if (runOnce && !bypass && runs[0]) {
    const [, ran] = runs[0];
    // Every host of the batch gets the one result and its registered value, as in Ansible.
    const shared = { ...noEffects(), ...(ran.effects.register ? { register: ran.effects.register } : {}) };
    for (const h of hosts.slice(1)) byHost.set(h, { ...ran, effects: shared, intended: [] });
  }
  // One journal write for the task's notifications on all its hosts (see journal.ts).
  run.journal.hold(() => {
    for (const h of hosts) {
      if (bypass && h !== targets[0]) {
        // add_host: the other hosts neither ran nor report the task, and go on.
        out.set(h, { failed: false });
        continue;
      }
      const r = byHost.get(h)!;
      const included = r.include && r.result.status === 'ok' ? loadInclude(run, at, planned, r.include) : undefined;
      const result: TaskResult =
        included && 'error' in included ? { ...r.result, status: 'failed', msg: included.error } : r.result;
      // An include that could not be loaded fails the task: counted as failed.
      const effects = result === r.result ? r.effects : { ...r.effects, counts: countsOf(result) };
      applyEffects(run, at, h, effects, r.intended);
      const delegate = delegateFor(run, at, planned, h);
      // run_once: only the host that ran it reports and counts it, as in Ansible; the others share
      // its outcome (a failure stops them too) and its registered value.
      if (!runOnce || h === targets[0])
        run.emit({ type: 'taskResult', task: ref, host: h, ...(delegate ? { delegatedTo: delegate } : {}), result });
      out.set(h, outcomeOf(r, result, included && !('error' in included) ? included : undefined));
    }
  });
  if ([...byHost.values()].some((r) => r.meta === 'end_play')) out.set('\0end_play', { failed: false, ended: true });
  if ([...byHost.values()].some((r) => r.meta === 'flush_handlers'))
    await runHandlers(
      run,
      at,
      hosts.filter((h) => usable(run, h)),
      forks,
    );
  return out;
}

/** The task's throttle (0: none); like Ansible, templated with the first host's variables. */
function throttleOf(run: RunContext, at: PlayPosition, planned: PlannedTask, host: string | undefined): number {
  const v = keyword(at.pp.play, planned, 'throttle');
  if (v === undefined || v === null || host === undefined) return 0;
  try {
    const n = Number(run.templar.render(v, taskVars(run, at, host, planned), planned.task.pos));
    return Number.isInteger(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

/**
 * The host a task was delegated to, as the output names it (rendered for this host). A looped
 * task's delegate may depend on its item: then each item names its own (LoopItem.delegatedTo)
 * and the task has none.
 */
function delegateFor(run: RunContext, at: PlayPosition, planned: PlannedTask, host: string): string | undefined {
  try {
    return delegateOf(at, planned, taskVars(run, at, host, planned), run.templar);
  } catch {
    return undefined;
  }
}

function outcomeOf(r: TaskRun, res: TaskResult, included: StepOutcome['included']): StepOutcome {
  if (res.status === 'unreachable' && !res.ignored) return { failed: true, unreachable: true };
  if (res.status === 'failed' && !res.ignored) return { failed: true };
  if (r.meta === 'end_host') return { failed: false, ended: true };
  return included ? { failed: false, included } : { failed: false };
}

/** any_errors_fatal and max_fail_percentage, after each task. */
function afterTaskPolicy(run: RunContext, at: PlayPosition, planned: PlannedTask, hosts: string[]): boolean {
  const failedNow = hosts.filter((h) => hostState(run, h).failed || hostState(run, h).unreachable);
  if (!failedNow.length) return false;
  const fatal = at.pp.play.anyErrorsFatal || asBool(keyword(at.pp.play, planned, 'any_errors_fatal'));
  if (fatal) {
    run.emit({ type: 'warning', message: `any_errors_fatal: ${failedNow.join(', ')} failed, stopping the run` });
    return true;
  }
  const pct = at.pp.play.maxFailPercentage;
  if (pct !== undefined) {
    const failed = at.batch.filter((h) => !usable(run, h)).length;
    if ((failed / at.batch.length) * 100 > pct) {
      run.emit({
        type: 'warning',
        message: `max_fail_percentage ${pct}% exceeded (${failed} of ${at.batch.length} hosts failed), stopping the run`,
      });
      return true;
    }
  }
  return false;
}

/** Runs the notified handlers of `hosts`, in the order they are defined, each once. */
async function runHandlers(run: RunContext, at: PlayPosition, hosts: string[], forks: Semaphore): Promise<void> {
  const handlers = at.pp.compiled.handlers;
  const gens = new Map<string, HostWalk>();
  const chosenOf = new Map<string, Set<PlannedTask>>();
  const force = forceHandlers(run, at);
  const runsHandlers = (h: string) => usable(run, h) || (force && !hostState(run, h).unreachable);
  for (const h of new Set(hosts)) {
    const hs = hostState(run, h);
    if (!hs.notified.size || !runsHandlers(h)) continue;
    const chosen = new Set(handlers.filter((p) => handlerMatches(p, hs.notified)));
    for (const n of hs.notified) {
      if (![...chosen].some((p) => handlerNames(p).includes(n)))
        run.emit({
          type: 'warning',
          host: h,
          message: `handler '${n}' was notified but no handler of this play has that name or listens to it`,
        });
    }
    chosenOf.set(h, chosen);
    gens.set(h, walkHandlers(handlers, chosen));
  }
  if (!gens.size) return;
  const walkers = walkersOf(gens);
  await driveLinear(run, at, walkers, forks, true);
  if (run.interrupted) return;
  for (const [h, chosen] of chosenOf) {
    const hs = hostState(run, h);
    if (!runsHandlers(h)) continue;
    for (const p of chosen) for (const n of handlerNames(p)) hs.notified.delete(n);
  }
}

function handlerNames(p: PlannedTask): string[] {
  const t = p.task;
  const names = [...t.listen];
  if (t.name) {
    names.push(t.name);
    if (t.role) names.push(`${t.role.name} : ${t.name}`);
  }
  return names;
}

function handlerMatches(p: PlannedTask, notified: Set<string>): boolean {
  return handlerNames(p).some((n) => notified.has(n));
}

export { dirname };
