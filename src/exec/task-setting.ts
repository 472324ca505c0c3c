// How a task is set up on one host: its templar (with the role's search path), its conditions,
// become, check mode, environment and which host it connects to. Shared by the task runner and
// the read-ahead, so both see a task the same way.
import { dirname } from 'node:path';
import { ExitCode, LvsplayError, diag, type SourcePos } from '../diagnostics.js';
import { LOCALHOST_NAMES } from '../inventory/index.js';
import type { PlannedTask } from '../plan/compile.js';
import { Secret } from '../secret.js';
import { shlexSplit } from '../shlex.js';
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
  conn: Vars = {},
): RunOpts {
  return connectionVarsWin(keywordBecome(templar, play, planned, vars), conn);
}

/**
 * As in Ansible (PlayContext applies its "magic" variables after the task's keywords), the
 * connection's ansible_become, ansible_become_user and ansible_become_method, set for the host
 * or the delegate, win over become, become_user and become_method of the play or the task. The
 * transport applies the host's values where the options leave them out (its flags win already).
 */
function connectionVarsWin(o: RunOpts, conn: Vars): RunOpts {
  const on = conn.ansible_become;
  const varSet = on !== undefined && on !== null;
  if (varSet && !asBool(on)) return { become: false };
  const b = varSet && (o.become === undefined || o.become === false) ? true : o.become;
  if (typeof b !== 'object') return b === undefined ? {} : { become: b };
  const rest: BecomeOpts = { ...b };
  if (conn.ansible_become_user !== undefined) delete rest.user;
  if (conn.ansible_become_method !== undefined) delete rest.method;
  if (varSet) delete rest.ifHost;
  return { become: Object.keys(rest).length ? rest : true };
}

function keywordBecome(templar: Templar, play: PlayPosition['pp']['play'], planned: PlannedTask, vars: Vars): RunOpts {
  const get = (k: string) => templar.render(keyword(play, planned, k), vars, planned.task.pos);
  const become = get('become');
  const rawFlags = get('become_flags');
  const flags =
    rawFlags === undefined || rawFlags === null || rawFlags === '' ? undefined : shlexSplit(String(rawFlags));
  if (become === undefined || become === null) {
    const user = get('become_user');
    if (user) return { become: { user: String(user), ...(flags ? { flags } : {}) } };
    return flags ? { become: { flags, ifHost: true } } : {};
  }
  if (!asBool(become)) return { become: false };
  const o: BecomeOpts = flags ? { flags } : {};
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

/** The task's rendered delegate_to, or undefined when it has none. */
export function delegateOf(at: PlayPosition, planned: PlannedTask, vars: Vars, templar: Templar): string | undefined {
  const d = keyword(at.pp.play, planned, 'delegate_to');
  if (d === undefined || d === null || d === '') return undefined;
  return String(templar.render(d, vars, planned.task.pos));
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
  const target = delegateOf(at, planned, vars, templar);
  const login = loginKeywords(at.pp.play, planned, vars, templar);
  // Ansible's implicit localhost has ansible_connection=local as a variable, which beats the keyword.
  if (LOCALHOST_NAMES.includes(host) && !run.plan.inventory.hosts.has(host)) delete login.ansible_connection;
  if (target === undefined)
    return { host, vars: { ...login, ...(templar.render(connectionSubset(vars), vars) as Vars) } };
  if (run.plan.inventory.hosts.has(target)) {
    const dv = taskVars(run, at, target);
    return { host: target, vars: { ...login, ...(templar.render(connectionSubset(dv), dv) as Vars) } };
  }
  if (LOCALHOST_NAMES.includes(target)) return { host: target, vars: { ...login, ansible_connection: 'local' } };
  return { host: target, vars: { ...login, ansible_host: target } };
}

/**
 * remote_user, port and connection as the variables they stand for; as in Ansible, a variable
 * set for the host (ansible_user, ansible_port, ansible_connection) wins over the keyword.
 */
const LOGIN_KEYWORDS = { remote_user: 'ansible_user', port: 'ansible_port', connection: 'ansible_connection' };

function loginKeywords(play: PlayPosition['pp']['play'], planned: PlannedTask, vars: Vars, templar: Templar): Vars {
  const out: Vars = {};
  for (const [k, v] of Object.entries(LOGIN_KEYWORDS)) {
    const value = keyword(play, planned, k);
    if (value !== undefined && value !== null && value !== '') out[v] = templar.render(value, vars, planned.task.pos);
  }
  if (typeof out.ansible_connection === 'string')
    out.ansible_connection = out.ansible_connection.replace(/^ansible\.builtin\./, '');
  return out;
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

/** A task's limits on one host, resolved once before it runs. */
export interface TaskLimits {
  /** `timeout:` in seconds; absent or 0: none. */
  timeoutSec?: number;
  ignoreUnreachable: boolean;
  ignoreErrors: boolean;
}

export function taskTimeout(
  templar: Templar,
  play: PlayPosition['pp']['play'],
  planned: PlannedTask,
  vars: Vars,
): number | undefined {
  const v = keyword(play, planned, 'timeout');
  if (v === undefined || v === null) return undefined;
  const n = Number(templar.render(v, vars, planned.task.pos));
  if (!Number.isInteger(n) || n < 0)
    throw new LvsplayError(
      diag(
        `'timeout' must be a whole number of seconds, got ${JSON.stringify(v)}`,
        planned.task.pos,
        'write timeout: 30',
      ),
      ExitCode.error,
    );
  return n || undefined;
}

/** Templating errors here are left to the task itself, which reports them with its own result. */
export function taskLimits(run: RunContext, at: PlayPosition, planned: PlannedTask, host: string): TaskLimits {
  const play = at.pp.play;
  const templar = templarFor(run.templar, planned);
  const none: TaskLimits = { ignoreUnreachable: false, ignoreErrors: false };
  let vars: Vars;
  try {
    vars = taskVars(run, at, host, planned);
  } catch {
    return none;
  }
  const get = <T>(f: () => T, dflt: T): T => {
    try {
      return f();
    } catch {
      return dflt;
    }
  };
  const flag = (k: string) =>
    get(() => asBool(templar.render(keyword(play, planned, k), vars, planned.task.pos)), false);
  const timeoutSec = get(() => taskTimeout(templar, play, planned, vars), undefined);
  return {
    ...(timeoutSec ? { timeoutSec } : {}),
    ignoreUnreachable: flag('ignore_unreachable'),
    ignoreErrors: flag('ignore_errors'),
  };
}
