// One task on one host: `when`, loops, argument templating, the module, then changed_when,
// failed_when, ignore_errors, register and notify, as Ansible orders them.
import { LvsplayError, formatDiagnostic } from '../diagnostics.js';
import { isRunnable, type ModuleContext } from '../modules/runtime.js';
import type { PlannedTask } from '../plan/compile.js';
import { UnreachableError, BecomeError, type Transport } from '../transport/index.js';
import type { ShellCommand } from '../transport/quote.js';
import { stripOmitted } from '../vars/omit.js';
import type { Vars } from '../vars/precedence.js';
import type { Templar } from '../vars/templar.js';
import { hostState, taskVars, type PlayPosition, type RunContext } from './context.js';
import type { LoopItem, TaskResult } from './events.js';
import { findInPaths } from './files.js';
import { asBool, keyword } from './keywords.js';
import { loopItems } from './loops.js';
import { moduleInput, runActionModule, runStateModule, type ModuleOutcome } from './module-run.js';
import { prefetch, prefetchOn } from './prefetch.js';
import { applyInventoryChanges } from './runtime-inventory.js';
import { loopResult, registeredValue } from './result.js';
import { addResultEffects, countsOf, markStale, noEffects, type TaskEffects } from './effects.js';
import {
  becomeOpts,
  conditionsHold,
  connectionVars,
  delegateOf,
  effectiveCheck,
  taskLimits,
  taskTimeout,
  templarFor,
  type TaskLimits,
  withEnvironment,
} from './task-setting.js';

export interface TaskRun {
  result: TaskResult;
  /** What the task did to the run's state, for the driver to apply (apply-effects.ts). */
  effects: TaskEffects;
  /** include_tasks/include_role: the nodes to run next. */
  include?: { target: string; vars: Vars };
  /** meta: the action asked for (flush_handlers, end_host, end_play...). */
  meta?: string;
}

const now = () => performance.now();

/**
 * Runs one task on one host. Reads the run's state and writes none of it: what the task did to
 * the run (facts, register, notifications, the host's end, the tally...) comes back as its
 * effects, for the driver to apply (apply-effects.ts).
 */
export async function runTask(run: RunContext, at: PlayPosition, planned: PlannedTask, host: string): Promise<TaskRun> {
  const limits = taskLimits(run, at, planned, host);
  const body = runTaskBody(run, at, planned, host, noEffects());
  let timedOut = false;
  const r = limits.timeoutSec ? await withDeadline(body, limits, at, planned, () => (timedOut = true)) : await body;
  // A task that timed out may still be changing the host, one cut off by an unreachable host
  // may have changed it: their notifications stay journaled.
  r.effects.withdrawIntended = r.result.status !== 'changed' && r.result.status !== 'unreachable' && !timedOut;
  // ignore_unreachable: the host stays in the play; Ansible counts the result ok and ignored.
  if (r.result.status === 'unreachable' && limits.ignoreUnreachable) {
    r.result.ignored = true;
    r.effects.unreachable = false;
  }
  r.effects.counts = countsOf(r.result);
  return r;
}

/** `timeout:` as Ansible enforces it: the task fails with its message once the time is up. */
async function withDeadline(
  body: Promise<TaskRun>,
  limits: TaskLimits,
  at: PlayPosition,
  planned: PlannedTask,
  onLate: () => void,
): Promise<TaskRun> {
  const t0 = now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<TaskRun>((res) => {
    timer = setTimeout(() => {
      onLate();
      const msg = `The ${planned.task.actionAs} action failed to execute in the expected time frame (${limits.timeoutSec}) and was terminated`;
      const result: TaskResult = { status: 'failed', changes: [], ms: now() - t0, warnings: [], msg };
      if (limits.ignoreErrors) result.ignored = true;
      // Registered and counted as Ansible does; what the task still running returns is dropped.
      const effects = noEffects();
      addResultEffects(effects, at, planned, result);
      res({ result, effects });
    }, limits.timeoutSec! * 1000);
  });
  try {
    return await Promise.race([body, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function runTaskBody(
  run: RunContext,
  at: PlayPosition,
  planned: PlannedTask,
  host: string,
  effects: TaskEffects,
): Promise<TaskRun> {
  const t0 = now();
  const play = at.pp.play;
  const task = planned.task;
  const vars = taskVars(run, at, host, planned);
  const templar = templarFor(run.templar, planned);
  const where = task.pos;
  try {
    const loop = task.loop ? loopItems(task.loop, templar, vars) : undefined;
    if (!loop) {
      if (!conditionsHold(templar, planned, vars, where)) {
        // registered all the same, as Ansible does: `r is skipped` reads it
        const r = skipped(t0, 'Conditional result was False');
        addResultEffects(effects, at, planned, r);
        return { result: r, effects };
      }
      // awaited here so a failure lands in this function's catch
      return await runUntil(run, at, planned, host, vars, templar, t0, false, effects);
    }
    const lc = (task.keywords.loop_control ?? {}) as Record<string, unknown>;
    const loopVar = typeof lc.loop_var === 'string' ? lc.loop_var : 'item';
    const indexVar = typeof lc.index_var === 'string' ? lc.index_var : undefined;
    const items: LoopItem[] = [];
    for (const [i, item] of loop.entries()) {
      if (run.interrupted) break;
      const loopVars: Vars = {
        [loopVar]: item,
        ansible_loop_var: loopVar,
        ...(indexVar ? { [indexVar]: i, ansible_index_var: indexVar } : {}),
      };
      if (asBool(lc.extended))
        loopVars.ansible_loop = {
          index: i + 1,
          index0: i,
          first: i === 0,
          last: i === loop.length - 1,
          length: loop.length,
          allitems: loop,
        };
      const itemVars: Vars = { ...vars, ...loopVars };
      const label = lc.label !== undefined ? templar.render(lc.label, itemVars, where) : item;
      if (!conditionsHold(templar, planned, itemVars, where)) {
        // skipped before its delegate is looked at: Ansible names none
        items.push({ item: label, loopVars, result: skipped(now(), 'Conditional result was False') });
        continue;
      }
      const delegatedTo = delegateOf(at, planned, itemVars, templar);
      const r = (await runUntil(run, at, planned, host, itemVars, templar, now(), true, effects)).result;
      items.push({ item: label, loopVars, ...(delegatedTo !== undefined ? { delegatedTo } : {}), result: r });
      if (r.status === 'unreachable') break;
      const pause = Number(lc.pause ?? 0);
      if (pause > 0 && i < loop.length - 1) await new Promise((res) => setTimeout(res, pause * 1000));
    }
    const folded = loopResult(items, now() - t0);
    if (folded.status === 'failed' && asBool(templar.render(keyword(play, planned, 'ignore_errors'), vars, where)))
      folded.ignored = true;
    addResultEffects(effects, at, planned, folded);
    return { result: folded, effects };
  } catch (e) {
    const r = errorResult(e, t0, host);
    // A no_log task's errors (template, lookup, filter) may quote its data: censored too. A
    // no_log that cannot be templated counts as on.
    const noLog = keyword(play, planned, 'no_log');
    if (noLog !== undefined && asBool(safeKeyword(templar, play, planned, 'no_log', vars) ?? true)) r.noLog = true;
    // What the task did before the error stands (an earlier item's facts); nothing is registered.
    effects.forgetRenderedArgs = true;
    if (r.status === 'unreachable') effects.unreachable = true;
    else if (asBool(safeKeyword(templar, play, planned, 'ignore_errors', vars))) r.ignored = true;
    return { result: r, effects };
  }
}

function safeKeyword(
  templar: Templar,
  play: PlayPosition['pp']['play'],
  planned: PlannedTask,
  name: string,
  vars: Vars,
): unknown {
  try {
    return templar.render(keyword(play, planned, name), vars);
  } catch {
    return undefined;
  }
}

/**
 * The task once, or with `until:` again and again (`retries` more times, default 3, `delay`
 * seconds apart, default 5) until the condition holds on its result, as Ansible does.
 */
async function runUntil(
  run: RunContext,
  at: PlayPosition,
  planned: PlannedTask,
  host: string,
  vars: Vars,
  templar: Templar,
  t0: number,
  isItem: boolean,
  effects: TaskEffects,
): Promise<TaskRun> {
  const play = at.pp.play;
  const until = keyword(play, planned, 'until');
  const tryOnce = async (asItem: boolean) =>
    finish(
      run,
      at,
      planned,
      host,
      vars,
      templar,
      await runOnce(run, at, planned, host, vars, templar, effects),
      t0,
      effects,
      asItem,
    );
  if (until === undefined || until === null) return tryOnce(isItem);
  const num = (k: string, dflt: number) => {
    const v = Number(templar.render(keyword(play, planned, k) ?? dflt, vars, planned.task.pos));
    return Number.isFinite(v) ? v : dflt;
  };
  const attempts = Math.max(1, num('retries', 3) + 1);
  const delayMs = Math.max(0, num('delay', 5)) * 1000;
  for (let attempt = 1; ; attempt++) {
    const tr = await tryOnce(true);
    const r = tr.result;
    const reg = planned.task.register ? { [planned.task.register]: registeredValue(r) } : {};
    const done = r.status === 'unreachable' || templar.evalCondition(until, { ...vars, ...reg }, planned.task.pos);
    if (done || attempt >= attempts || run.interrupted) {
      r.data = { ...(r.data ?? {}), attempts: attempt };
      if (!done && r.status !== 'failed') {
        r.status = 'failed';
        r.msg = `until condition still false after ${attempt} attempts`;
      }
      if (
        r.status === 'failed' &&
        !isItem &&
        asBool(templar.render(keyword(play, planned, 'ignore_errors'), vars, planned.task.pos))
      )
        r.ignored = true;
      if (!isItem) addResultEffects(effects, at, planned, r);
      return tr;
    }
    run.emit({
      type: 'warning',
      host,
      message: `FAILED - RETRYING: ${planned.task.name ?? planned.task.actionAs} (${attempts - attempt} retries left)`,
    });
    await new Promise((res) => setTimeout(res, delayMs));
  }
}

/** A task or item its `when` skipped: Ansible says why under skip_reason, not msg. */
function skipped(t0: number, reason: string): TaskResult {
  return { status: 'skipped', changes: [], ms: now() - t0, warnings: [], data: { skip_reason: reason } };
}

interface Once {
  outcome: ModuleOutcome;
  include?: TaskRun['include'];
  meta?: string;
}

/** Runs the task's module once (for one loop item, or the task itself). */
async function runOnce(
  run: RunContext,
  at: PlayPosition,
  planned: PlannedTask,
  host: string,
  vars: Vars,
  templar: Templar,
  effects: TaskEffects,
): Promise<Once> {
  const task = planned.task;
  const play = at.pp.play;
  const where = task.pos;
  if (task.include) {
    // The included tasks see the include's variables.
    effects.forgetRenderedArgs = true;
    const target = String(templar.render(task.include.target, vars, where));
    const incVars = templar.render(task.vars, vars, where) as Vars;
    return { outcome: { status: 'ok', changes: [], changesMade: [], data: {} }, include: { target, vars: incVars } };
  }
  if (task.unsupported) {
    const msg = `${task.unsupported}: this host cannot run the task`;
    return { outcome: { status: 'failed', msg, changes: [], changesMade: [] } };
  }
  // Read ahead (prefetch.ts), the arguments were rendered with these same variables: not again.
  const ahead = task.loop ? undefined : hostState(run, host).probes.takeArgs(planned);
  const args = ahead ?? (stripOmitted(templar.render(task.args, vars, where)) as Record<string, unknown>);
  if (task.action === 'meta') {
    const action = String(args.action ?? args._raw_params ?? args.free_form ?? Object.values(args)[0] ?? '');
    return { outcome: { status: 'ok', changes: [], changesMade: [], data: {} }, meta: action };
  }
  const lacking = unsupportedGiven(task.unsupportedArgs, args, task.actionAs);
  if (lacking) return { outcome: { status: 'failed', msg: lacking, changes: [], changesMade: [] } };
  const m = task.module;
  if (!isRunnable(m)) {
    return {
      outcome: {
        status: 'failed',
        msg: `module '${task.actionAs}' cannot run in this version of lvsplay yet`,
        changes: [],
        changesMade: [],
      },
    };
  }
  const parsed = m.args.safeParse(args);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ');
    return {
      outcome: {
        status: 'failed',
        msg: `${task.actionAs}: invalid arguments after templating: ${why}`,
        changes: [],
        changesMade: [],
      },
    };
  }
  const input = moduleInput(m, parsed.data, run.plan.vault.revealed);
  const hs = hostState(run, host);
  const check = effectiveCheck(run, templar, play, planned, vars);
  const diff = asBool(templar.render(keyword(play, planned, 'diff'), vars, where), run.plan.diff);
  const ctx: ModuleContext = {
    host,
    vars: templar.templateVars(vars),
    templar,
    findFile: (kind, name) => findInPaths(kind, name, templar.searchPath),
    check,
    diff,
    where,
    secretArgs: input.secretArgs,
  };
  const timeoutSec = taskTimeout(templar, play, planned, vars);
  // Commands still running when the task's time is up are stopped too, not left behind.
  const connVars = connectionVars(run, at, planned, host, vars, templar);
  const runOpts = {
    ...becomeOpts(templar, play, planned, vars, connVars.vars),
    ...(timeoutSec ? { timeoutMs: timeoutSec * 1000 } : {}),
  };
  const envVars = templar.render(keyword(play, planned, 'environment'), vars, where);
  const wrap = envVars && typeof envVars === 'object' ? withEnvironment(envVars as Vars) : undefined;
  const transport = () => run.pool.get(connVars.host, connVars.vars);
  // Check mode: what earlier tasks and this task's earlier items predicted, read; this one's
  // predictions go to its effects.
  const predicted = check ? new Map([...hs.predictedFiles, ...effects.predictedFiles]) : undefined;
  if (predicted) ctx.predictedFiles = predicted;
  // Once this task changed the host (an earlier item or attempt), nothing read ahead is trusted.
  const fresh = effects.readAheadStale === 'none';
  const o = {
    check,
    unapplied: [...hs.unapplied, ...effects.unapplied],
    runOpts,
    ...(predicted ? { predictedFiles: predicted, predictedWrites: effects.predictedFiles } : {}),
    ...(wrap ? { wrap } : {}),
    cachedProbe: (cmd: ShellCommand) => (fresh ? hs.probes.take(cmd) : undefined),
  };
  if (m.exec === 'state' && !wrap && !task.loop && fresh && prefetchOn())
    await prefetch(run, at, planned, host, m.probe(input.args, ctx), runOpts, transport);
  const outcome =
    m.exec === 'state'
      ? await runStateModule(m, input.args, ctx, transport, o)
      : await runActionModule(m, input.args, ctx, m.local ? undefined : transport, o);
  // Something ran on the host (even if changed_when later calls it ok): reads ahead are stale.
  if (outcome.changesMade.length || (m.exec === 'action' && !m.local)) {
    markStale(effects, 'host');
    effects.forgetRenderedArgs = true;
  }
  if (check && outcome.status === 'changed')
    effects.unapplied.push(...(outcome.changes ?? []).map((c) => `${task.name ?? task.actionAs}: ${c.summary}`));
  return { outcome };
}

/** The arguments lvsplay lacks that a task gives (omitted ones are not given), as a failure message. */
function unsupportedGiven(lacking: string[] | undefined, args: Record<string, unknown>, module: string) {
  const given = (lacking ?? []).filter((k) => k in args);
  if (!given.length) return undefined;
  const s = given.length > 1 ? 's' : '';
  return `argument${s} ${given.map((k) => `'${k}'`).join(', ')} of module '${module}' not implemented by lvsplay: this host cannot run the task`;
}

/** changed_when / failed_when / ignore_errors / register / notify, on the module's outcome. */
async function finish(
  run: RunContext,
  at: PlayPosition,
  planned: PlannedTask,
  host: string,
  vars: Vars,
  templar: Templar,
  once: Once,
  t0: number,
  effects: TaskEffects,
  isItem = false,
): Promise<TaskRun> {
  const task = planned.task;
  const play = at.pp.play;
  const where = task.pos;
  const o = once.outcome;
  const result: TaskResult = {
    status: o.status,
    changes: o.changes ?? [],
    ms: now() - t0,
    warnings: o.warnings ?? [],
    ...(o.msg !== undefined ? { msg: o.msg } : {}),
    ...(o.stdout !== undefined ? { stdout: o.stdout } : {}),
    ...(o.stderr !== undefined ? { stderr: o.stderr } : {}),
    ...(o.rc !== undefined ? { rc: o.rc } : {}),
    ...(o.data ? { data: o.data } : {}),
    ...(o.commands ? { commands: o.commands } : {}),
    ...(o.verboseAlways ? { verboseAlways: o.verboseAlways } : {}),
  };
  // delegate_facts: the facts a delegated task returns (setup, set_fact) belong to the delegate
  const data = o.data?.ansible_facts;
  const facts = data && typeof data === 'object' ? (data as Vars) : undefined;
  if (o.setFacts || o.facts || facts)
    effects.facts.push({
      host: factsHost(run, at, planned, host, vars, templar),
      ...(o.setFacts ? { setFacts: o.setFacts } : {}),
      ...(o.facts || facts ? { facts: { ...o.facts, ...facts } } : {}),
    });
  // add_host/group_by: the inventory is changed here, not by the driver, since whether it
  // changed depends on what earlier hosts' results made of it, and changed_when and failed_when
  // then see that status (Ansible's strategy applies them and evaluates both again).
  const inventoryChanged = o.inventory ? applyInventoryChanges(run, o.inventory) : false;
  if (inventoryChanged && result.status === 'ok') result.status = 'changed';
  if (o.setFacts || o.facts || facts || inventoryChanged) effects.forgetRenderedArgs = true;
  if (result.status !== 'unreachable' && result.status !== 'skipped') {
    const reg = task.register ? { [task.register]: registeredValue(result) } : {};
    const cw = keyword(play, planned, 'changed_when');
    if (cw !== undefined && result.status !== 'failed' && result.status !== 'unknown') {
      result.status = templar.evalCondition(cw, { ...vars, ...reg }, where) ? 'changed' : 'ok';
    }
    const fw = keyword(play, planned, 'failed_when');
    if (fw !== undefined && result.status !== 'unknown') {
      const failed = templar.evalCondition(
        fw,
        { ...vars, ...reg, ...(task.register ? { [task.register]: registeredValue(result) } : {}) },
        where,
      );
      if (failed) {
        result.status = 'failed';
        result.msg ??= 'failed_when condition was true';
      } else if (result.status === 'failed') {
        // changed_when still decides, as in Ansible, for a result that failed_when forgave.
        const changed =
          cw !== undefined ? templar.evalCondition(cw, { ...vars, ...reg }, where) : o.changesMade.length > 0;
        result.status = changed ? 'changed' : 'ok';
      }
    }
  }
  if (asBool(templar.render(keyword(play, planned, 'no_log'), vars, where))) result.noLog = true;
  if (
    result.status === 'failed' &&
    !isItem &&
    asBool(templar.render(keyword(play, planned, 'ignore_errors'), vars, where))
  )
    result.ignored = true;
  if (!isItem) addResultEffects(effects, at, planned, result);
  return {
    result,
    effects,
    ...(once.include ? { include: once.include } : {}),
    ...(once.meta ? { meta: once.meta } : {}),
  };
}

function errorResult(e: unknown, t0: number, host: string): TaskResult {
  const base = { changes: [], ms: now() - t0, warnings: [] };
  if (e instanceof UnreachableError) return { ...base, status: 'unreachable', msg: e.message.replace(`${host}: `, '') };
  if (e instanceof BecomeError) return { ...base, status: 'failed', msg: e.message.replace(`${host}: `, '') };
  if (e instanceof LvsplayError)
    return { ...base, status: 'failed', msg: e.diagnostics.map(formatDiagnostic).join('\n') };
  return { ...base, status: 'failed', msg: `internal error: ${(e as Error)?.message ?? String(e)}` };
}

export type { Transport };

/** The host a task's facts go to: the delegate with `delegate_facts: true` and `delegate_to`
 * naming an inventory host, else the host the task ran for (as Ansible assigns them). */
function factsHost(
  run: RunContext,
  at: PlayPosition,
  planned: PlannedTask,
  host: string,
  vars: Vars,
  templar: Templar,
): string {
  const df = keyword(at.pp.play, planned, 'delegate_facts');
  if (df === undefined || !asBool(templar.render(df, vars, planned.task.pos))) return host;
  const target = delegateOf(at, planned, vars, templar);
  return target !== undefined && run.plan.inventory.hosts.has(target) ? target : host;
}
