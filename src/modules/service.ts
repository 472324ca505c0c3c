// service: SysV init, systemd and OpenRC behind one name; `systemd` and `sysvinit` answer too
// because, for the arguments accepted here, their meaning is the same. A start or restart waits
// until the service really runs: an init script that prints success is not proof (keepalived
// without IPVS, or a restart while the old process still exits, both leave it stopped).
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { sh, type ShellCommand } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { bool, choice, int, moduleArgs, str } from './args.js';
import {
  isRunning,
  parseServiceProbe,
  runningTest,
  serviceProbeCommand,
  systemctl,
  type ServiceState,
  type SystemdScope,
} from './init-probe.js';
import type { ApplyStep, Change, PlanOutcome, StateModule } from './runtime.js';

const serviceArgs = moduleArgs(
  {
    name: str().optional(),
    state: choice('started', 'stopped', 'restarted', 'reloaded').optional(),
    enabled: bool().optional(),
    pattern: str().optional(),
    daemon_reload: bool().optional(),
    daemon_reexec: bool().optional(),
    masked: bool().optional(),
    scope: choice('system', 'user', 'global').optional(),
    sleep: int().optional(),
  },
  { service: 'name', unit: 'name', 'daemon-reload': 'daemon_reload', 'daemon-reexec': 'daemon_reexec' },
).superRefine((a, ctx) => {
  if (a.name === undefined && !a.daemon_reload && !a.daemon_reexec)
    ctx.addIssue({ code: 'custom', path: ['name'], message: 'is required' });
  // Templated values are typed after rendering: only literal ones are judged here.
  if (a.scope === 'global' && typeof a.state === 'string' && !a.state.includes('{{'))
    ctx.addIssue({
      code: 'custom',
      path: ['state'],
      message:
        "cannot be used with scope: global (no manager runs the units of every user; only enabled and masked apply there): use scope: user to start or stop a user's unit",
    });
});

type ServiceArgs = Revealed<z.output<typeof serviceArgs>>;

/** How long a start or stop may take to show before the task fails. */
export const SETTLE_SECONDS = 10;

/** `keepalived.service` names the same service as `keepalived` outside systemd. */
const baseName = (n: string) => n.replace(/\.service$/, '');

function control(
  s: ServiceState,
  name: string,
  action: 'start' | 'stop' | 'reload',
  scope: SystemdScope = 'system',
): ShellCommand {
  if (s.init === 'systemd') return sh`${systemctl(scope)} ${action} ${name}`;
  if (s.init === 'openrc') return sh`rc-service ${name} ${action}`;
  return sh`/etc/init.d/${baseName(name)} ${action}`;
}

/** Polls the running test until it says `want`, for at most SETTLE_SECONDS. */
function settle(test: ShellCommand, name: string, want: boolean): ApplyStep {
  const cond = want ? sh`${test}` : sh`! { ${test}; }`;
  const tries = SETTLE_SECONDS * 5;
  const why = want
    ? `${name} is not running ${SETTLE_SECONDS}s after its start (see its logs; an init script may report success and exit)`
    : `${name} still runs ${SETTLE_SECONDS}s after its stop`;
  return {
    run: sh`lv_n=0; until ${cond}; do lv_n=$((lv_n+1)); if [ $lv_n -ge ${tries} ]; then echo ${why} >&2; exit 1; fi; sleep 0.2; done`,
  };
}

function enableCommand(s: ServiceState, name: string, on: boolean, scope: SystemdScope = 'system'): ShellCommand {
  if (s.init === 'systemd') return sh`${systemctl(scope)} ${on ? 'enable' : 'disable'} ${name}`;
  if (s.init === 'openrc') return on ? sh`rc-update add ${name} default` : sh`rc-update del ${name} default`;
  const n = baseName(name);
  // Debian's update-rc.d (defaults creates the links from the LSB header; enable turns K into S);
  // chkconfig on Red Hat style SysV hosts.
  return on
    ? sh`if command -v update-rc.d >/dev/null 2>&1; then update-rc.d ${n} defaults >/dev/null && update-rc.d ${n} enable; else chkconfig ${n} on; fi`
    : sh`if command -v update-rc.d >/dev/null 2>&1; then update-rc.d ${n} disable; else chkconfig ${n} off; fi`;
}

/** Arguments only systemd has: on another init system they fail, as Ansible's modules do there. */
function systemdOnly(a: ServiceArgs, s: ServiceState): string | undefined {
  if (s.init === 'systemd') return undefined;
  const given = [
    a.masked !== undefined ? 'masked' : '',
    a.daemon_reexec ? 'daemon_reexec' : '',
    a.scope !== undefined && a.scope !== 'system' ? `scope: ${a.scope}` : '',
  ].filter(Boolean);
  if (!given.length) return undefined;
  return `${given.join(', ')}: only systemd has ${given.length > 1 ? 'these' : 'this'}, and this host runs ${s.init === 'openrc' ? 'OpenRC' : 'SysV init'}; guard the task with when: ansible_service_mgr == 'systemd'`;
}

/** scope: user needs the manager of the user the task runs as; say why it is not reachable. */
function userManagerMissing(a: ServiceArgs, s: ServiceState): string | undefined {
  if (a.scope !== 'user' || s.init !== 'systemd' || s.userBus !== false) return undefined;
  return (
    `scope: user: no systemd user manager for uid ${s.uid ?? '?'} (no bus at ${s.runtimeDir ?? '/run/user/UID'}/bus). ` +
    'Run the task as the user who owns the unit (become_user), give that user a manager that outlives the ' +
    'login (loginctl enable-linger USER), or set XDG_RUNTIME_DIR in environment: if it lives elsewhere'
  );
}

const boolDiff = (name: string, header: string, before: string, after: string) => ({
  before: `${name}: ${before}\n`,
  after: `${name}: ${after}\n`,
  beforeHeader: header,
  afterHeader: header,
});

/** daemon-reload then daemon-reexec, before anything else, in Ansible's order. */
function managerChanges(a: ServiceArgs, s: ServiceState, reloadForScript: boolean, sc: ShellCommand): Change[] {
  const changes: Change[] = [];
  if (reloadForScript)
    changes.push({
      summary: 'systemd daemon-reload (a new init script)',
      steps: [{ run: sh`${sc} daemon-reload` }],
    });
  else if (a.daemon_reload && s.init === 'systemd')
    changes.push({ summary: 'systemd daemon-reload', steps: [{ run: sh`${sc} daemon-reload` }] });
  if (a.daemon_reexec && s.init === 'systemd')
    changes.push({ summary: 'systemd daemon-reexec', steps: [{ run: sh`${sc} daemon-reexec` }] });
  return changes;
}

function planService(a: ServiceArgs, s: ServiceState): PlanOutcome {
  const refused = systemdOnly(a, s) ?? userManagerMissing(a, s);
  if (refused) return { failed: refused };
  const scope = a.scope ?? 'system';
  const sc = systemctl(scope);
  // An init script systemd has not seen yet has no unit until systemd-sysv-generator runs again:
  // reload first, as an admin would after installing the script.
  const reloadForScript =
    s.init === 'systemd' && scope === 'system' && !s.known && !!s.newInitScript && a.name !== undefined;
  const changes = managerChanges(a, s, reloadForScript, sc);
  if (reloadForScript) s = { ...s, known: true, active: 'inactive' };
  if (a.name === undefined) return { changes };
  const name = a.name;
  // Masking comes first and works on a unit not installed yet (Ansible's order).
  const masked = s.enabledWord === 'masked';
  if (a.masked !== undefined && a.masked !== masked) {
    changes.push({
      summary: `${a.masked ? 'mask' : 'unmask'} ${name}`,
      diff: boolDiff(name, 'unit mask', masked ? 'masked' : 'not masked', a.masked ? 'masked' : 'not masked'),
      steps: [{ run: sh`${sc} ${a.masked ? 'mask' : 'unmask'} ${name}` }],
    });
  }
  if (!s.known && (a.state !== undefined || a.enabled !== undefined)) {
    return {
      failed: `no service named ${name} on this host (${s.init === 'systemd' ? `no such systemd unit${scope === 'system' ? '' : ` in scope ${scope}`}` : `no /etc/init.d/${baseName(name)}`}); install its package first, or check the name`,
    };
  }
  const { running, source } = isRunning(s, a.pattern);
  const test = runningTest(source, baseName(name), a.pattern, scope);
  const stateDiff = (before: string, after: string) => boolDiff(name, 'service state', before, after);
  const now = running ? 'running' : 'stopped';
  const start: ApplyStep[] = [{ run: control(s, name, 'start', scope) }, settle(test, name, true)];
  const stop: ApplyStep[] = [{ run: control(s, name, 'stop', scope) }, settle(test, name, false)];
  const warnings: string[] = [];
  // Ansible's service action drops sleep for systemd, with this warning; its SysV path sleeps.
  const pause: ApplyStep[] = [];
  if (a.sleep !== undefined && s.init === 'systemd') warnings.push('Ignoring "sleep" as it is not used in "systemd"');
  else if (a.sleep) pause.push({ run: sh`sleep ${String(a.sleep)}` });
  switch (a.state) {
    case 'started':
      if (!running) changes.push({ summary: `start ${name}`, diff: stateDiff(now, 'running'), steps: start });
      break;
    case 'stopped':
      if (running) changes.push({ summary: `stop ${name}`, diff: stateDiff(now, 'stopped'), steps: stop });
      break;
    case 'restarted':
      // Stop, wait for the old process to be gone, then start: an init script's own restart
      // races with a daemon that is still exiting.
      changes.push({
        summary: `restart ${name}`,
        diff: stateDiff(now, 'running (restarted)'),
        steps: running ? [...stop, ...pause, ...start] : start,
      });
      break;
    case 'reloaded':
      changes.push({
        summary: running ? `reload ${name}` : `start ${name} (was stopped, so reload starts it)`,
        diff: stateDiff(now, 'running (reloaded)'),
        steps: running ? [{ run: control(s, name, 'reload', scope) }] : start,
      });
      break;
    case undefined:
      break;
  }
  if (a.enabled !== undefined && a.enabled !== s.enabled) {
    changes.push({
      summary: `${a.enabled ? 'enable' : 'disable'} ${name} at boot`,
      diff: boolDiff(name, 'service boot', s.enabled ? 'enabled' : 'disabled', a.enabled ? 'enabled' : 'disabled'),
      steps: [{ run: enableCommand(s, name, a.enabled, scope) }],
    });
  }
  const after = a.state === 'stopped' ? 'stopped' : a.state ? 'started' : running ? 'started' : 'stopped';
  return {
    changes,
    warnings,
    data: { name, state: after, enabled: a.enabled ?? s.enabled, status: { init: s.init, running_by: source } },
  };
}

export const serviceModule: StateModule<z.output<typeof serviceArgs>, ServiceState> = {
  name: 'service',
  aliases: [
    'systemd',
    'systemd_service',
    'sysvinit',
    'ansible.builtin.service',
    'ansible.builtin.systemd',
    'ansible.builtin.systemd_service',
    'ansible.builtin.sysvinit',
  ],
  exec: 'state',
  args: serviceArgs,
  probe: (a) => {
    // Without a name (daemon_reload alone) the probe still says which init system runs.
    const name = a.name ?? '';
    return {
      cmd: serviceProbeCommand(
        baseName(name),
        a.pattern === undefined ? undefined : String(a.pattern),
        a.scope ?? 'system',
      ),
      parse: (r: ExecResult): ServiceState => ({
        ...parseServiceProbe(r.stdout),
        ...(name ? { script: `/etc/init.d/${baseName(name)}` } : {}),
      }),
    };
  },
  // Check mode: an init script an earlier task of this run would install is there, new, stopped
  // and not enabled, so enabling or starting it is predicted as the run will do it.
  overlay: (s, predicted) => {
    if (s.known || !s.script || !predicted.has(s.script)) return s;
    if (s.init === 'systemd')
      return { ...s, known: true, newInitScript: true, active: 'inactive', enabledWord: 'disabled', enabled: false };
    return { ...s, known: true, enabled: false, statusAction: false, byProcess: false, byPidfile: false };
  },
  plan: (a, s) => planService(a, s ?? { init: 'sysv', known: false, enabled: false }),
};
