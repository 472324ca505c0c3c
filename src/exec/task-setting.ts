// How a task is set up on one host: its templar (with the role's search path), its conditions,
// become, check mode, environment and which host it connects to. Shared by the task runner and
// the read-ahead, so both see a task the same way.
import { dirname } from 'node:path';
import { ExitCode, LvsplayError, type SourcePos } from '../diagnostics.js';
import { LOCALHOST_NAMES } from '../inventory/index.js';
import type { PlannedTask } from '../plan/compile.js';
import { Secret } from '../secret.js';
import type { BecomeOpts, RunOpts } from '../transport/index.js';
import { raw, sh, type ShellCommand } from '../transport/quote.js';
import type { Vars } from '../vars/precedence.js';
import type { Templar } from '../vars/templar.js';
import { taskVars, type PlayPosition, type RunContext } from './context.js';
import { asBool, keyword } from './keywords.js';
import { becomeMethodName, checkBecomeMethod } from '../playbook/strict-values.js';

export function templarFor(base: Templar, planned: PlannedTask): Templar {
  const role = planned.task.role;
  const taskDir = dirname(planned.task.pos.file);
  const path = role ? [role.path, taskDir] : [taskDir];
  return base.withSearchPath([...path, ...base.searchPath]);
}

export function conditionsHold(templar: Templar, planned: PlannedTask, vars: Vars, where: SourcePos): boolean {
  for (const c of planned.when) if (!templar.evalCondition(c, vars, where)) return false;
  return true;
}

/** `check_mode: false` runs a task for real in a check run; `check_mode: true` never changes anything. */
export function effectiveCheck(
  run: RunContext,
  templar: Templar,
  play: PlayPosition['pp']['play'],
  planned: PlannedTask,
  vars: Vars,
): boolean {
  const v = keyword(play, planned, 'check_mode');
  if (v === undefined || v === null) return run.plan.check;
  return asBool(templar.render(v, vars, planned.task.pos), run.plan.check);
}

export function becomeOpts(
  templar: Templar,
  play: PlayPosition['pp']['play'],
  planned: PlannedTask,
  vars: Vars,
): RunOpts {
  const get = (k: string) => templar.render(keyword(play, planned, k), vars, planned.task.pos);
  const become = get('become');
  if (become === undefined || become === null) {
    const user = get('become_user');
    return user ? { become: { user: String(user) } } : {};
  }
  if (!asBool(become)) return { become: false };
  const o: BecomeOpts = {};
  const user = get('become_user');
  const method = get('become_method');
  if (user) o.user = String(user);
  if (method !== undefined && method !== null) {
    // A templated method is known only now: one lvsplay cannot run fails the task, never sudo.
    const bad = checkBecomeMethod(String(method), planned.task.pos);
    if (bad) throw new LvsplayError(bad, ExitCode.error);
    o.method = becomeMethodName(String(method));
  }
  return { become: Object.keys(o).length ? o : true };
}

/** delegate_to: connect to the delegate with its own connection variables. */
export function connectionVars(
  run: RunContext,
  at: PlayPosition,
  planned: PlannedTask,
  host: string,
  vars: Vars,
  templar: Templar,
): { host: string; vars: Vars } {
  const d = keyword(at.pp.play, planned, 'delegate_to');
  if (d === undefined || d === null || d === '')
    return { host, vars: templar.render(connectionSubset(vars), vars) as Vars };
  const target = String(templar.render(d, vars, planned.task.pos));
  if (run.plan.inventory.hosts.has(target)) {
    const dv = taskVars(run, at, target);
    return { host: target, vars: templar.render(connectionSubset(dv), dv) as Vars };
  }
  if (LOCALHOST_NAMES.includes(target)) return { host: target, vars: { ansible_connection: 'local' } };
  return { host: target, vars: { ansible_host: target } };
}

/** Only the connection variables are rendered for connecting (others may not even render). */
export function connectionSubset(vars: Vars): Vars {
  const out: Vars = {};
  for (const [k, v] of Object.entries(vars))
    if (
      (k.startsWith('ansible_') && !k.startsWith('ansible_facts') && k !== 'ansible_play_hosts') ||
      k === 'lvsplay_run_lock'
    )
      out[k] = v;
  return out;
}

export function withEnvironment(env: Vars): (c: ShellCommand) => ShellCommand {
  const names = Object.keys(env).filter((k) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k));
  return (c) => {
    const assigns = names.map((k) => {
      const v = env[k];
      return sh`${raw(k)}=${v instanceof Secret ? v : String(v ?? '')}; export ${raw(k)};`;
    });
    return sh`${assigns} ${c}`;
  };
}
