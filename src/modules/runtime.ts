// How a module runs (DESIGN.md: a module is data in, commands out). Two kinds:
// - a state module reads the host with one probe command (pure `parse`), compares it with what
//   the arguments ask in a pure `plan`, and returns the changes, each with its apply steps and
//   diff. Check mode is "plan but do not apply": no module has an `if (check)` branch.
// - an action module (command, wait_for, debug, set_fact...) does its work in `run`; those on
//   the controller never touch the transport.
import type { SourcePos } from '../diagnostics.js';
import type { ChangeSummary, TaskResult } from '../exec/events.js';
import type { ShellCommand } from '../transport/quote.js';
import type { ExecResult, PutOpts, RunOpts, Transport } from '../transport/types.js';
import type { Templar } from '../vars/templar.js';
import type { Vars } from '../vars/precedence.js';
import type { ModuleSpec } from './types.js';
import type { Revealed } from '../secret.js';
import type { PredictedFile } from './fileinfo.js';

/** What a module may know about where it runs. */
export interface ModuleContext {
  host: string;
  /** The task's variables (lazy: templated on read), with facts and registered results. */
  vars: Vars;
  templar: Templar;
  /** Finds a role/playbook file for `src:` (`files/` for copy, `templates/` for template). */
  findFile(kind: 'files' | 'templates', name: string): string | undefined;
  check: boolean;
  diff: boolean;
  /** Check mode: files earlier tasks of this run would have written on this host. */
  predictedFiles?: ReadonlyMap<string, PredictedFile>;
  /** Where the task is written, for messages. */
  where?: SourcePos;
  /** Arguments that held a secret (revealed for the module): their content must not be shown. */
  secretArgs?: ReadonlySet<string>;
}

export interface Probe<S> {
  /** Read-only shell that prints the current state; a non-zero exit is for `parse` to judge. */
  cmd: ShellCommand;
  /** Sent to the probe's stdin (a login password must never be on a command line). */
  stdin?: string | Buffer;
  parse(r: ExecResult): S;
}

export type ApplyStep =
  /** okCodes: exit codes that mean success (default [0]); 'any' leaves the judgement to `collect`. */
  /**
   * `writes`: the file the command writes and its content as far as the plan knows it, so a
   * check run lets later tasks plan against it as they would after the real write.
   */
  | {
      run: ShellCommand;
      stdin?: string | Buffer;
      okCodes?: number[] | 'any';
      timeoutMs?: number;
      writes?: { path: string; content: string };
    }
  | { put: { path: string; content: Buffer | string; opts: PutOpts } };

/** One change: what it is (for recap, -v and --diff) and how to make it. */
export interface Change extends ChangeSummary {
  steps: ApplyStep[];
}

export type PlanOutcome =
  | {
      changes: Change[];
      data?: Record<string, unknown>;
      warnings?: string[];
      msg?: string;
      /** Nothing to do, reported as Ansible's module reports it: skipped, not ok (unarchive's creates). */
      skipped?: true;
    }
  | { failed: string; data?: Record<string, unknown> };

// The defaults are for the module registry, which holds modules of every argument type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface StateModule<A = any, S = any> extends ModuleSpec<A> {
  exec: 'state';
  /** Undefined when there is nothing to read: no round trip is spent. */
  probe(a: Revealed<A>, ctx: ModuleContext): Probe<S> | undefined;
  plan(a: Revealed<A>, state: S, ctx: ModuleContext): PlanOutcome;
  /**
   * Check mode: the state as it would be after earlier predicted (not made) file writes of this
   * run, so a later task that reads the same file plans what the real run would do.
   */
  overlay?(state: S, predicted: ReadonlyMap<string, PredictedFile>): S;
  /** Values to register after the steps ran (e.g. stdout of an applied command), and whether they mean failure. */
  collect?(a: Revealed<A>, state: S, applied: ExecResult[]): { data?: Record<string, unknown>; failed?: string };
}

export interface ActionContext extends ModuleContext {
  /** Absent for controller-only modules. */
  transport?: Transport;
  runOpts: RunOpts;
}

/** What an action module returns: a task result, plus variables it sets for the host. */
export type ActionResult = Partial<TaskResult> &
  Pick<TaskResult, 'status'> & {
    /** set_fact, include_vars: host variables at set_fact precedence. */
    setFacts?: Vars;
    /** setup: gathered facts (ansible_facts), also injected as ansible_* variables. */
    facts?: Vars;
    /** group_by, add_host: changes to the run's inventory (later plays see them). */
    inventory?: InventoryChange[];
  };

/** A change a task makes to the run's inventory, as Ansible's add_host and group_by results do. */
export type InventoryChange =
  | { addHost: { name: string; groups: string[]; vars: Vars } }
  | { groupBy: { host: string; group: string; parents: string[] } };

/** An action module that runs on a host: its arguments arrive revealed (see moduleInput). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface HostActionModule<A = any> extends ModuleSpec<A> {
  exec: 'action';
  local?: false;
  run(a: Revealed<A>, ctx: ActionContext): Promise<ActionResult>;
}

/** A controller-side module (debug, set_fact, assert...): it keeps its Secrets, so what it prints stays masked. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ControllerModule<A = any> extends ModuleSpec<A> {
  exec: 'action';
  local: true;
  run(a: A, ctx: ActionContext): Promise<ActionResult>;
}

export type ActionModule = HostActionModule | ControllerModule;

export type RunnableModule = StateModule | ActionModule;

export function isRunnable(m: ModuleSpec | undefined): m is RunnableModule {
  return !!m && ((m as RunnableModule).exec === 'state' || (m as RunnableModule).exec === 'action');
}
