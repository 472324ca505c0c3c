// Runs one module invocation on one host: probe -> pure plan -> apply (unless check mode), or an
// action module's run. The only place that decides what check mode means, so modules never do.
import { posix } from 'node:path';
import type { ChangeSummary } from './events.js';
import type {
  ActionModule,
  ActionResult,
  ApplyStep,
  Change,
  ModuleContext,
  RunnableModule,
  StateModule,
} from '../modules/runtime.js';
import { revealDeep } from '../secret.js';
import type { ExecResult, RunOpts, Transport } from '../transport/index.js';
import type { PredictedFile } from '../modules/fileinfo.js';
import { toCommand, type ShellCommand } from '../transport/quote.js';

export interface ModuleRunOptions {
  check: boolean;
  /** Changes predicted on this host earlier in a check run, not made: later failures may stem from them. */
  unapplied: readonly string[];
  runOpts: RunOpts;
  /** Check mode: the host's predicted file writes so far (read for overlays). */
  predictedFiles?: ReadonlyMap<string, PredictedFile>;
  /** Check mode: where this invocation's predicted writes go. */
  predictedWrites?: Map<string, PredictedFile>;
  /** A probe result read ahead in a batch, if there is one for exactly this command. */
  cachedProbe?: (cmd: ShellCommand) => ExecResult | undefined;
  /** Wraps every command the module sends (the task's `environment:`). */
  wrap?: (c: ShellCommand) => ShellCommand;
}

/**
 * The one place module arguments are revealed. A module that runs on a host gets every Secret as
 * its text (to compare with what the host has, to build commands, to write files); each text
 * revealed joins the run's list of revealed secrets, which every reporter masks, and
 * `secretArgs` names the arguments that held one (a file module then hides its diff).
 * Controller-side modules (debug, set_fact, assert...) keep their Secrets: whatever they print or
 * store stays masked.
 */
export function moduleInput(
  m: RunnableModule,
  args: unknown,
  revealed: Set<string> | undefined,
): { args: unknown; secretArgs: ReadonlySet<string> } {
  const secretArgs = new Set<string>();
  if (m.local) return { args, secretArgs };
  const plain = revealDeep(args, (text, key) => {
    revealed?.add(text);
    if (key !== undefined) secretArgs.add(key);
  });
  return { args: plain, secretArgs };
}

/** The module's outcome, before changed_when/failed_when and registration. */
export type ModuleOutcome = ActionResult & { changesMade: Change[] };

const summaries = (cs: Change[]): ChangeSummary[] =>
  cs.map(({ summary, diff }) => (diff ? { summary, diff } : { summary }));

export async function runStateModule(
  m: StateModule,
  args: unknown,
  ctx: ModuleContext,
  transport: () => Promise<Transport>,
  o: ModuleRunOptions,
): Promise<ModuleOutcome> {
  const wrap = o.wrap ?? ((c: ShellCommand) => c);
  const t = await transport();
  const commands: string[] = [];
  const probe = m.probe(args, ctx);
  let state: unknown;
  if (probe) {
    const cmd = wrap(probe.cmd);
    commands.push(cmd.redacted);
    const cached = probe.stdin === undefined ? o.cachedProbe?.(cmd) : undefined;
    const read =
      cached ?? (await t.run(cmd, probe.stdin !== undefined ? { ...o.runOpts, stdin: probe.stdin } : o.runOpts));
    try {
      state = probe.parse(read);
    } catch (e) {
      return cannotPredict(
        o,
        `could not read the current state: ${(e as Error).message}${read.stderr ? ` (${cmd.redact(read.stderr.trim())})` : ''}`,
        commands,
      );
    }
  }
  if (o.check && m.overlay && o.predictedFiles?.size) state = m.overlay(state, o.predictedFiles);
  const plan = m.plan(args, state, ctx);
  if ('failed' in plan) return cannotPredict(o, plan.failed, commands, plan.data);
  const changes = plan.changes;
  const base = {
    data: plan.data ?? {},
    warnings: plan.warnings ?? [],
    commands,
    ...(plan.msg ? { msg: plan.msg } : {}),
  };
  if (!changes.length) return { status: plan.skipped ? 'skipped' : 'ok', changes: [], changesMade: [], ...base };
  if (o.check) {
    // command/shell cannot say what running them would change: report that honestly.
    const status = m.predictable === false ? 'unknown' : 'changed';
    for (const c of changes) for (const s of c.steps) commands.push(describeStep(s, wrap));
    if (o.predictedWrites) recordPredictedWrites(changes, o.predictedWrites);
    return { status, changes: summaries(changes), changesMade: [], ...base };
  }
  const applied: ExecResult[] = [];
  for (const c of changes) {
    for (const s of c.steps) {
      commands.push(describeStep(s, wrap));
      const failure = await applyStep(t, s, o, wrap, applied);
      if (failure)
        return {
          status: 'failed',
          msg: failure,
          changes: summaries(changes),
          changesMade: changes,
          ...base,
          ...lastOutput(applied),
        };
    }
  }
  const collected = m.collect?.(args, state, applied);
  const data = { ...base.data, ...(collected?.data ?? {}) };
  const out = outputOf(data);
  if (collected?.failed)
    return {
      status: 'failed',
      msg: collected.failed,
      changes: summaries(changes),
      changesMade: changes,
      ...base,
      data,
      ...out,
    };
  return { status: 'changed', changes: summaries(changes), changesMade: changes, ...base, data, ...out };
}

export async function runActionModule(
  m: ActionModule,
  args: unknown,
  ctx: ModuleContext,
  transport: (() => Promise<Transport>) | undefined,
  o: ModuleRunOptions,
): Promise<ModuleOutcome> {
  const t = transport ? await transport() : undefined;
  const r = await m.run(args, { ...ctx, ...(t ? { transport: t } : {}), runOpts: o.runOpts });
  return { ...r, changesMade: [] };
}

function describeStep(s: ApplyStep, wrap: (c: ShellCommand) => ShellCommand): string {
  return 'run' in s ? wrap(s.run).redacted : `put ${s.put.path}`;
}

async function applyStep(
  t: Transport,
  s: ApplyStep,
  o: ModuleRunOptions,
  wrap: (c: ShellCommand) => ShellCommand,
  applied: ExecResult[],
): Promise<string | undefined> {
  if ('run' in s) {
    const cmd = wrap(toCommand(s.run));
    const r = await t.run(cmd, {
      ...o.runOpts,
      ...(s.stdin !== undefined ? { stdin: s.stdin } : {}),
      ...(s.timeoutMs ? { timeoutMs: s.timeoutMs } : {}),
    });
    applied.push(r);
    if (r.timedOut) return `timed out after ${Math.round(r.ms / 1000)}s: ${cmd.redacted}`;
    const ok = s.okCodes === 'any' || (s.okCodes ?? [0]).includes(r.code ?? -1);
    if (!ok)
      return `command failed (rc=${r.code ?? r.signal}): ${cmd.redacted}${r.stderr.trim() ? `: ${cmd.redact(r.stderr.trim())}` : ''}`;
    return undefined;
  }
  const { path, content, opts } = s.put;
  const r = await t.put(path, content, {
    ...opts,
    ...(o.runOpts.become !== undefined ? { become: o.runOpts.become } : {}),
  });
  applied.push(r);
  if (!r.ok) return putFailure(path, r.failedStep ?? 'write', r.stderr);
  return undefined;
}

/** Why an atomic write failed, and what to do when the cause is the target's filesystem. */
export function putFailure(path: string, step: string, stderr: string): string {
  const dir = posix.dirname(path);
  const why = stderr.trim();
  const todo = /No space left on device/.test(why)
    ? `; the filesystem of ${dir} is full: free space there (df -h ${dir}) and run again`
    : /Disk quota exceeded/.test(why)
      ? `; the disk quota of ${dir} is used up: free space or raise the quota, and run again`
      : /Read-only file system/.test(why)
        ? `; ${dir} is on a read-only filesystem: remount it read-write, or manage the file elsewhere`
        : '';
  return `could not write ${path} (${step} failed)${why ? `: ${why}` : ''}; the old file is left as it was${todo}`;
}

/** stdout/stderr/rc a module registered are also the task's own output fields. */
function outputOf(data: Record<string, unknown>): { stdout?: string; stderr?: string; rc?: number } {
  const o: { stdout?: string; stderr?: string; rc?: number } = {};
  if (typeof data.stdout === 'string') o.stdout = data.stdout;
  if (typeof data.stderr === 'string') o.stderr = data.stderr;
  if (typeof data.rc === 'number') o.rc = data.rc;
  return o;
}

function lastOutput(applied: ExecResult[]): { stdout?: string; stderr?: string; rc?: number } {
  const r = applied.at(-1);
  if (!r) return {};
  return { stdout: r.stdout, stderr: r.stderr, ...(r.code !== null ? { rc: r.code } : {}) };
}

/**
 * A failure to read or plan. In a check run after changes that were predicted but not made, the
 * failure may only mean that those changes are missing (a template for a package not yet
 * installed): say "unknown" and why, instead of a false failure or a guess.
 */
function cannotPredict(
  o: ModuleRunOptions,
  why: string,
  commands: string[],
  data?: Record<string, unknown>,
): ModuleOutcome {
  if (o.check && o.unapplied.length) {
    const earlier = o.unapplied.slice(-3).join('; ');
    return {
      status: 'unknown',
      msg: `cannot be predicted in check mode: ${why}. It may depend on earlier changes check mode did not make (${earlier})`,
      changes: [],
      changesMade: [],
      commands,
      ...(data ? { data } : {}),
    };
  }
  return { status: 'failed', msg: why, changes: [], changesMade: [], commands, ...(data ? { data } : {}) };
}

function recordPredictedWrites(changes: Change[], predicted: Map<string, PredictedFile>): void {
  for (const c of changes) {
    for (const s of c.steps) {
      if ('run' in s) {
        if (s.writes) predicted.set(s.writes.path, { content: Buffer.from(s.writes.content, 'utf8') });
        continue;
      }
      const { path, content, opts } = s.put;
      const p: PredictedFile = { content: typeof content === 'string' ? Buffer.from(content, 'utf8') : content };
      if (opts.mode !== undefined) p.mode = opts.mode;
      if (opts.owner !== undefined) p.owner = opts.owner;
      if (opts.group !== undefined) p.group = opts.group;
      predicted.set(path, p);
    }
  }
}
