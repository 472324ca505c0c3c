// Reading the state for several upcoming tasks in one round trip (DESIGN.md: "batching
// optimistically"). The probes of a host's next tasks run together in one script, each in its
// own subshell with its own stdout, stderr and exit code; their results are trusted until the
// first change on that host, and a task only uses a result whose probe command is exactly the
// one it would send now. A no-op rerun then costs about one round trip per host.
import { moduleInput } from './module-run.js';
import { randomBytes } from 'node:crypto';
import { isRunnable, type ModuleContext, type Probe } from '../modules/runtime.js';
import type { PlannedTask } from '../plan/compile.js';
import type { Task } from '../playbook/model.js';
import { joinCommands, sh, type ShellCommand } from '../transport/quote.js';
import type { ExecResult, RunOpts, Transport } from '../transport/types.js';
import { stripOmitted } from '../vars/omit.js';
import { hostState, taskVars, type PlayPosition, type RunContext } from './context.js';
import { findInPaths } from './files.js';
import { keyword } from './keywords.js';
import { becomeOpts, conditionsHold, connectionVars, templarFor } from './task-setting.js';

/**
 * Counts of what made every host's read-ahead stale, shared by the caches of all the run's
 * hosts: one change is one increment, not a walk over every host (see forgetRenderedArgs).
 */
export interface Generations {
  /** The run's variables changed: arguments rendered before are forgotten. */
  vars: number;
  /** A task may have changed any host (delegated, run once): probe results are forgotten. */
  probes: number;
}

/**
 * Probe results read ahead for one host, by probe command text; and the arguments of each task
 * read ahead as they were rendered for its probe, so the task does not render them again.
 */
export class ProbeCache {
  readonly #results = new Map<string, ExecResult>();
  readonly #args = new Map<Task, { planned: PlannedTask; args: Record<string, unknown> }>();
  /** Tasks whose probe a batch has read since the last change: a later batch passes them by. */
  readonly #ahead = new Set<Task>();
  readonly #generations: Generations;
  /** The generations the kept arguments were rendered in and the kept results read in. */
  #renderedIn: number;
  #readIn: number;
  constructor(generations: Generations = { vars: 0, probes: 0 }) {
    this.#generations = generations;
    this.#renderedIn = generations.vars;
    this.#readIn = generations.probes;
  }
  /** Forget the probe results: the host changed (or may have). */
  invalidate(): void {
    this.#results.clear();
    this.#ahead.clear();
    this.#readIn = this.#generations.probes;
  }
  /** Forget the rendered arguments: a variable they may read changed (see forgetRenderedArgs). */
  forgetArgs(): void {
    this.#args.clear();
    this.#ahead.clear();
    this.#renderedIn = this.#generations.vars;
  }
  /** What was kept before every host's read-ahead last went stale is forgotten on first use. */
  #current(): void {
    if (this.#readIn !== this.#generations.probes) this.invalidate();
    if (this.#renderedIn !== this.#generations.vars) this.forgetArgs();
  }
  markAhead(task: Task): void {
    this.#current();
    this.#ahead.add(task);
  }
  isAhead(task: Task): boolean {
    this.#current();
    return this.#ahead.has(task);
  }
  keepArgs(planned: PlannedTask, args: Record<string, unknown>): void {
    this.#current();
    this.#args.set(planned.task, { planned, args });
  }
  /**
   * The arguments kept for this task, if it stands where it stood when they were rendered (the
   * runner walks its own PlannedTask for each task, the read-ahead the play's list).
   */
  peekArgs(planned: PlannedTask): Record<string, unknown> | undefined {
    this.#current();
    const kept = this.#args.get(planned.task);
    return kept && samePlace(kept.planned, planned) ? kept.args : undefined;
  }
  takeArgs(planned: PlannedTask): Record<string, unknown> | undefined {
    const args = this.peekArgs(planned);
    this.#args.delete(planned.task);
    return args;
  }
  take(cmd: ShellCommand): ExecResult | undefined {
    this.#current();
    const r = this.#results.get(cmd.text);
    if (r) this.#results.delete(cmd.text);
    return r;
  }
  has(cmd: ShellCommand): boolean {
    this.#current();
    return this.#results.has(cmd.text);
  }
  put(cmd: ShellCommand, r: ExecResult): void {
    this.#current();
    this.#results.set(cmd.text, r);
  }
}

/**
 * Runs several read-only probes in one round trip; undefined when the batch itself failed.
 * Each probe's stdout goes straight to ours between two lines carrying a random tag (no probe
 * can print it by chance); its stderr is kept in a file and shown only when there is some. One
 * subshell per probe and no other process: cheaper on the host than a round trip each.
 */
export async function runProbeBatch(
  t: Transport,
  probes: ShellCommand[],
  runOpts: RunOpts,
): Promise<ExecResult[] | undefined> {
  const tag = `lvsplay-probe-${randomBytes(6).toString('hex')}`;
  const parts = probes.map(
    (p, i) =>
      sh`printf '%s %s out\n' ${tag} ${String(i)}; ( ${p} ) 2>"$e" </dev/null; rc=$?; printf '\n%s %s rc %s\n' ${tag} ${String(i)} "$rc"
if [ -s "$e" ]; then cat "$e"; printf '\n%s %s err\n' ${tag} ${String(i)}; : >"$e"; fi`,
  );
  // A subshell, so nothing in a probe can end the host's session shell.
  const script = sh`( e=$(mktemp) || exit 1
${joinCommands(parts)}
rm -f "$e" )`;
  const t0 = performance.now();
  const r = await t.run(script, runOpts);
  if (r.code !== 0 || r.timedOut) return undefined;
  const ms = (performance.now() - t0) / probes.length;
  const out: ExecResult[] = [];
  // Segments: "<tag> i out\n" STDOUT "\n<tag> i rc N\n" [STDERR "\n<tag> i err\n"]
  const marker = new RegExp(`(?<=^|\\n)${tag} (\\d+) (out|rc|err)(?: (\\d+))?\\n`, 'g');
  let m: RegExpExecArray | null;
  let last: { idx: number; kind: string; end: number } | undefined;
  while ((m = marker.exec(r.stdout))) {
    const idx = Number(m[1]);
    const kind = m[2]!;
    // Before an rc or err marker we printed one newline of our own: drop exactly that one.
    const text = last ? r.stdout.slice(last.end, kind === 'out' ? m.index : m.index - 1) : '';
    if (kind === 'rc' && last?.kind === 'out' && last.idx === idx) {
      const probe = probes[idx]!;
      out[idx] = { code: Number(m[3]), stdout: probe.redact(text), stderr: '', ms };
    } else if (kind === 'err' && last?.kind === 'rc' && last.idx === idx && out[idx]) {
      out[idx]!.stderr = probes[idx]!.redact(text);
    }
    last = { idx, kind, end: m.index + m[0].length };
  }
  return out.length === probes.length && out.every(Boolean) ? out : undefined;
}

function samePlace(a: PlannedTask, b: PlannedTask): boolean {
  return (
    a.section === b.section && a.blocks.length === b.blocks.length && a.blocks.every((blk, i) => blk === b.blocks[i])
  );
}

/**
 * Arguments rendered ahead hold only while every variable they may read stays as it was. A task
 * may read another host's variables (hostvars, ansible_play_hosts), and a lookup may read what a
 * local task wrote: on any host, a fact, set_fact, register or include, a change, a failure or a
 * command run forgets them on every host, and the tasks render again when they run. Each host's
 * cache sees the new generation when it is next used: a walk over every host here, for each
 * host that ran such a task, made each task cost hosts².
 */
export function forgetRenderedArgs(run: RunContext): void {
  generationsOf(run).vars++;
}

/** Every host's probe results read ahead are stale (a task may have changed any host). */
export function forgetProbeResults(run: RunContext): void {
  generationsOf(run).probes++;
}

/** The run's Generations, which every host's ProbeCache shares. */
export function generationsOf(run: RunContext): Generations {
  return (run.generations ??= { vars: 0, probes: 0 });
}

// Read-ahead is opt-in (LVSPLAY_PREFETCH=1). On the lab with direct TCP (docs/benchmark.md,
// 2026-12-07) it saves nothing where a round trip costs 1-3 ms (the probes' own processes on the
// host are the cost, and a batch runs them in sequence) and costs 5-10% more controller CPU; with
// 100 ms round trips it wins a third of the run. Default on only where the round trip is slow.
export const prefetchOn = (): boolean => process.env.LVSPLAY_PREFETCH === '1';
const PREFETCH_AHEAD = 25;

/**
 * Reads this task's state together with the state of the host's next tasks, in one round trip,
 * unless this task's probe was already read ahead. Only tasks that can be fully planned now
 * (conditions and arguments render with what is known, same become, no loop/delegation/
 * environment) are read ahead; the first one that cannot be rendered yet ends the batch.
 */
export async function prefetch(
  run: RunContext,
  at: PlayPosition,
  planned: PlannedTask,
  host: string,
  current: Probe<unknown> | undefined,
  runOpts: RunOpts,
  transport: () => Promise<Transport>,
): Promise<void> {
  const hs = hostState(run, host);
  if (!current || current.stdin !== undefined || hs.probes.has(current.cmd)) return;
  const list = at.pp.compiled.tasks;
  const at0 = list.findIndex((p) => p.task === planned.task);
  if (at0 < 0) return;
  const key = JSON.stringify(runOpts);
  const cmds: ShellCommand[] = [current.cmd];
  const read: Task[] = [];
  for (const next of list.slice(at0 + 1, at0 + 1 + PREFETCH_AHEAD)) {
    // read by an earlier batch, nothing changed since: its result waits in the cache (walking
    // it again would render and read it again, for every task that starts a batch)
    if (hs.probes.isAhead(next.task)) continue;
    const p = probeAhead(run, at, next, host, key);
    if (p === 'stop') break;
    if (p === 'skip') continue;
    read.push(next.task);
    if (!cmds.some((c) => c.text === p.text)) cmds.push(p);
  }
  if (cmds.length < 2) return;
  const results = await runProbeBatch(await transport(), cmds, runOpts);
  if (!results) return;
  cmds.forEach((c, i) => hs.probes.put(c, results[i]!));
  for (const t of read) hs.probes.markAhead(t);
}

function probeAhead(
  run: RunContext,
  at: PlayPosition,
  c: PlannedTask,
  host: string,
  becomeKey: string,
): ShellCommand | 'skip' | 'stop' {
  const t = c.task;
  const m = t.module;
  if (t.loop || t.include || t.action === 'meta' || !isRunnable(m) || m.exec !== 'state') return 'skip';
  for (const k of ['delegate_to', 'run_once', 'environment', 'check_mode'])
    if (keyword(at.pp.play, c, k) !== undefined) return 'skip';
  try {
    const vars = taskVars(run, at, host, c);
    const templar = templarFor(run.templar, c);
    if (!conditionsHold(templar, c, vars, t.pos)) return 'skip';
    const conn = connectionVars(run, at, c, host, vars, templar).vars;
    if (JSON.stringify(becomeOpts(templar, at.pp.play, c, vars, conn)) !== becomeKey) return 'skip';
    const hs = hostState(run, host);
    const args =
      hs.probes.peekArgs(c) ?? (stripOmitted(templar.render(t.args, vars, t.pos)) as Record<string, unknown>);
    const parsed = m.args.safeParse(args);
    if (!parsed.success) return 'skip';
    hs.probes.keepArgs(c, args);
    const input = moduleInput(m, parsed.data, run.plan.vault.revealed);
    const ctx: ModuleContext = {
      host,
      vars: templar.templateVars(vars),
      templar,
      findFile: (kind, name) => findInPaths(kind, name, templar.searchPath),
      check: run.plan.check,
      diff: run.plan.diff,
      where: t.pos,
      secretArgs: input.secretArgs,
    };
    const probe = m.probe(input.args, ctx);
    if (!probe || probe.stdin !== undefined) return 'skip';
    return probe.cmd;
  } catch {
    // Depends on something not known yet (a variable a later task registers): read it then.
    return 'stop';
  }
}
