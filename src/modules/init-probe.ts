// What the service module reads from a host: which init system runs it, whether the service is
// running and whether it starts at boot. SysV scripts often cannot say if their daemon runs
// (Debian's keepalived script has no `status`), so the running state is also read from the
// process table (/proc, no ps needed) and from pidfiles; the plan picks the source to trust.
import { sh, raw, type ShellCommand } from '../transport/quote.js';

export type InitSystem = 'systemd' | 'openrc' | 'sysv';
/** Which systemd manager a unit belongs to: the system's, the task user's own, or every user's (unit files only). */
export type SystemdScope = 'system' | 'user' | 'global';

/**
 * systemctl for a scope, as Ansible's systemd module calls it: `--user` talks to the manager of
 * the user the task runs as, found through XDG_RUNTIME_DIR (default /run/user/UID, as Ansible sets it).
 */
export function systemctl(scope: SystemdScope = 'system'): ShellCommand {
  if (scope === 'user') return sh`XDG_RUNTIME_DIR=\${XDG_RUNTIME_DIR:-/run/user/$(id -u)} systemctl --user`;
  return scope === 'global' ? sh`systemctl --global` : sh`systemctl`;
}

/** `systemctl is-enabled` words that mean the unit exists (Ansible's list, from systemctl(1)). */
const UNIT_WORDS = new Set([
  'enabled',
  'enabled-runtime',
  'linked',
  'linked-runtime',
  'masked',
  'masked-runtime',
  'static',
  'indirect',
  'disabled',
  'generated',
  'transient',
  'alias',
]);
/** How the running state was found, reused to wait for a start or a stop to take effect. */
export type RunningSource = 'systemd' | 'openrc' | 'status' | 'pattern' | 'process';

export interface ServiceState {
  init: InitSystem;
  /** An init script or unit by that name exists. */
  known: boolean;
  /** SysV: the script has a `status` action; its exit code when it does. */
  statusAction?: boolean;
  statusRc?: number;
  byPattern?: boolean;
  byProcess?: boolean;
  byPidfile?: boolean;
  /** systemd: no unit by that name is loaded, but /etc/init.d has the script (systemd-sysv-generator
   * makes its unit at the next daemon-reload). */
  newInitScript?: boolean;
  /** systemd `is-active` / `is-enabled` words. */
  active?: string;
  enabledWord?: string;
  enabled: boolean;
  /** The SysV script the name stands for (/etc/init.d/NAME), for check mode's predicted files. */
  script?: string;
  /** scope user: the uid the task runs as, its runtime directory, and whether its manager's bus is there. */
  uid?: string;
  runtimeDir?: string;
  userBus?: boolean;
}

/** Shell functions the probe and the apply steps share, so both judge "running" the same way. */
function helpers(name: string, pattern: string | undefined): ShellCommand {
  const comm = name.slice(0, 15); // the kernel cuts comm to 15 characters
  return sh`lv_procs() { for lv_p in /proc/[0-9]*; do lv_i=\${lv_p#/proc/}; [ "$lv_i" = "$$" ] && continue
  lv_pp=; while read -r lv_k lv_v; do [ "$lv_k" = PPid: ] && lv_pp=$lv_v && break; done < $lv_p/status 2>/dev/null
  [ "$lv_pp" = "$$" ] && continue; "$@" "$lv_p" && return 0; done; return 1; }
lv_is_name() { lv_c=; read -r lv_c 2>/dev/null < "$1/comm"; [ "$lv_c" = ${comm} ] && return 0; lv_a=$(tr '\\000' '\\n' < "$1/cmdline" 2>/dev/null | head -n1); [ "\${lv_a##*/}" = ${name} ]; }
lv_is_pattern() { lv_a=$(tr '\\000' ' ' < "$1/cmdline" 2>/dev/null); case "$lv_a" in *${pattern ?? name}*) return 0;; esac; return 1; }
lv_pidfile() { for lv_f in /run/${name}.pid /var/run/${name}.pid /run/${name}/${name}.pid /var/run/${name}/${name}.pid; do [ -r "$lv_f" ] && read -r lv_pid < "$lv_f" && [ -n "$lv_pid" ] && kill -0 "$lv_pid" 2>/dev/null && return 0; done; return 1; }
`;
}

/** A command exiting 0 while the service runs, by the source the probe trusted. */
export function runningTest(
  src: RunningSource,
  name: string,
  pattern: string | undefined,
  scope: SystemdScope = 'system',
): ShellCommand {
  const fns = helpers(name, pattern);
  switch (src) {
    case 'systemd':
      return sh`${systemctl(scope)} is-active --quiet ${name}`;
    case 'openrc':
      return sh`rc-service ${name} status >/dev/null 2>&1`;
    case 'status':
      return sh`/etc/init.d/${name} status >/dev/null 2>&1`;
    case 'pattern':
      return sh`${fns}lv_procs lv_is_pattern`;
    case 'process':
      return sh`${fns}{ lv_procs lv_is_name || lv_pidfile; }`;
  }
}

export function serviceProbeCommand(
  name: string,
  pattern: string | undefined,
  scope: SystemdScope = 'system',
): ShellCommand {
  const script = `/etc/init.d/${name}`;
  const sc = systemctl(scope);
  // A user manager is reached through its bus in the runtime directory: say whether it is there,
  // so the plan can refuse with the reason instead of systemctl's "Failed to connect to bus".
  const userBus =
    scope === 'user'
      ? sh`lv_x=\${XDG_RUNTIME_DIR:-/run/user/$(id -u)}; echo uid=$(id -u); echo runtime_dir=$lv_x
  if [ -S "$lv_x/bus" ]; then echo user_bus=1; else echo user_bus=0; fi
`
      : sh``;
  // --global has no running manager: only unit files (is-enabled says whether there is one).
  const unitKnown =
    scope === 'global'
      ? sh`echo known_by_word=1`
      : sh`if ${sc} cat ${name} >/dev/null 2>&1; then echo known=1; else echo known=0
    if [ -x ${script} ]; then echo new_init_script=1; fi; fi
  echo active=$(${sc} is-active ${name} 2>/dev/null)`;
  const yes = (t: ShellCommand, key: string) => sh`if ${t}; then echo ${raw(key)}=1; else echo ${raw(key)}=0; fi`;
  // Only what isRunning() will read: the process table costs forks for every process on the
  // host, so it is scanned by pattern when one is given, else by name only when the init
  // script has no status action that answers (LSB codes 0-3).
  const scans =
    pattern !== undefined
      ? yes(sh`lv_procs lv_is_pattern`, 'by_pattern')
      : sh`if [ "$lv_rc" -gt 3 ]; then ${yes(sh`lv_procs lv_is_name`, 'by_process')}; ${yes(sh`lv_pidfile`, 'by_pidfile')}; fi`;
  return sh`LC_ALL=C; export LC_ALL
${helpers(name, pattern)}
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  echo init=systemd
  ${userBus}${unitKnown}
  echo enabled_word=$(${sc} is-enabled ${name} 2>/dev/null)
elif command -v rc-service >/dev/null 2>&1 && [ -x /sbin/openrc-run ]; then
  echo init=openrc
  if [ -e ${script} ]; then echo known=1; else echo known=0; fi
  rc-service ${name} status >/dev/null 2>&1; echo status_rc=$?
  if rc-update show 2>/dev/null | grep -Eq ${`^ *${name.replace(/[.[\]*^$\\]/g, '\\$&')} \\|`}; then echo enabled=1; else echo enabled=0; fi
else
  echo init=sysv
  if [ -x ${script} ]; then echo known=1; else echo known=0; fi
  if [ -f ${script} ] && grep -Eq '^[[:space:]]*([[:alnum:]|_-]*[|])?status([|][[:alnum:]|_-]*)?[)]' ${script}; then
    echo status_action=1; ${script} status >/dev/null 2>&1; lv_rc=$?; echo status_rc=$lv_rc
  else echo status_action=0; lv_rc=9; fi
  ${scans}
  lv_e=0; for lv_f in /etc/rc[2345].d/S[0-9][0-9]${name} /etc/rc[2345].d/S${name}; do [ -e "$lv_f" ] && lv_e=1; done; echo enabled=$lv_e
fi
echo end=1`;
}

export function parseServiceProbe(stdout: string): ServiceState {
  const kv = new Map<string, string>();
  for (const l of stdout.split('\n')) {
    const i = l.indexOf('=');
    if (i > 0) kv.set(l.slice(0, i), l.slice(i + 1));
  }
  if (kv.get('end') !== '1') throw new Error('the service probe did not finish');
  const flag = (k: string) => (kv.has(k) ? kv.get(k) === '1' : undefined);
  const num = (k: string) => (kv.has(k) ? Number(kv.get(k)) : undefined);
  const init = (kv.get('init') ?? 'sysv') as InitSystem;
  const enabledWord = kv.get('enabled_word');
  const s: ServiceState = {
    init,
    // A masked unit is one systemd knows, though `systemctl cat` refuses to show it; --global
    // has only unit files, so is-enabled's word is all there is to go by.
    known:
      (flag('known') ?? false) ||
      (init === 'systemd' &&
        (enabledWord === 'masked' ||
          enabledWord === 'masked-runtime' ||
          (flag('known_by_word') === true && UNIT_WORDS.has(enabledWord ?? '')))),
    enabled:
      init === 'systemd'
        ? enabledWord === 'enabled' ||
          enabledWord === 'enabled-runtime' ||
          enabledWord === 'static' ||
          enabledWord === 'alias'
        : (flag('enabled') ?? false),
  };
  const opt = {
    statusAction: flag('status_action'),
    statusRc: num('status_rc'),
    byPattern: flag('by_pattern'),
    byProcess: flag('by_process'),
    byPidfile: flag('by_pidfile'),
    newInitScript: flag('new_init_script'),
    active: kv.get('active'),
    enabledWord,
    uid: kv.get('uid'),
    runtimeDir: kv.get('runtime_dir'),
    userBus: flag('user_bus'),
  };
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) (s as unknown as Record<string, unknown>)[k] = v;
  return s;
}

/**
 * Whether it runs, and by which source. An explicit `pattern` wins (Ansible's rule); then an
 * LSB status code that means something (0 running; 1-3 stopped); then the process table by
 * name or a live pidfile, as Ansible's sysvinit fallback does.
 */
export function isRunning(s: ServiceState, pattern: string | undefined): { running: boolean; source: RunningSource } {
  if (s.init === 'systemd')
    return {
      running: s.active === 'active' || s.active === 'reloading' || s.active === 'activating',
      source: 'systemd',
    };
  if (s.init === 'openrc') return { running: s.statusRc === 0, source: 'openrc' };
  if (pattern !== undefined) return { running: !!s.byPattern, source: 'pattern' };
  if (s.statusAction && s.statusRc !== undefined && s.statusRc <= 3)
    return { running: s.statusRc === 0, source: 'status' };
  return { running: !!s.byProcess || !!s.byPidfile, source: 'process' };
}
