// What adopt reads from each host, in one read-only round trip: status's probe (addresses,
// keepalived, /proc/net/ip_vs, ARP sysctls, replication, whole files) plus what only adopt
// needs: persisted sysctls, hand-made init scripts (no package owns them) that touch LVS, MariaDB's settings and replication
// user, the firewall's INPUT chain and the services that start at boot.
import { joinCommands, raw, sh, type ShellCommand } from '../transport/index.js';
import { probeScript, splitSections } from '../status/probe.js';
import { parseKeyValues, parseVerticalRow } from '../status/parse.js';
import { readingFromOutput, type HostReading } from '../status/reading.js';

export const KEEPALIVED_CONF = '/etc/keepalived/keepalived.conf';
export const KEEPALIVED_DEFAULTS = '/etc/default/keepalived';
/** Where the director role keeps auth_pass; read only to know whether it is there. */
export const KEEPALIVED_AUTH = '/etc/keepalived/vrrp_auth.conf';
/** Where the director role has IPVS loaded at boot; read only to know whether it says so. */
export const IPVS_AT_BOOT = '/etc/modules-load.d/lvs-director.conf';
/** Where the firewall role's handler saves the running rules (community.general.iptables_state). */
export const FIREWALL_RULES_FILE = '/etc/iptables/rules.v4';
/** The director role's default lvs_ipvs_sysctls (under net.ipv4.vs.): read live and persisted. */
export const ROLE_IPVS_SYSCTLS: Readonly<Record<string, string>> = { conn_reuse_mode: '2', expire_nodest_conn: '1' };
const IPVS_KEYS = Object.keys(ROLE_IPVS_SYSCTLS);

// Every section is opened by `s NAME` (defined by status's probe). Nothing here writes.
const EXTRA = String.raw`s adopt_sysctl
printf 'ip_forward=%s\n' "$(cat /proc/sys/net/ipv4/ip_forward 2>/dev/null)"
for k in ${IPVS_KEYS.join(' ')}; do printf 'vs.%s=%s\n' "$k" "$(cat /proc/sys/net/ipv4/vs/$k 2>/dev/null)"; done
for c in /proc/sys/net/ipv4/conf/*; do d=$(basename "$c"); case "$d" in all|lo|default) ;; *) for k in arp_ignore arp_announce; do printf '%s.%s=%s\n' "$d" "$k" "$(cat "$c/$k" 2>/dev/null)"; done;; esac; done
s adopt_persisted; grep -rsHn -E '^[[:space:]]*net\.ipv4\.(ip_forward|vs\.(${IPVS_KEYS.join('|')})|conf\.[a-z0-9]+\.arp_(ignore|announce))' /etc/sysctl.conf /etc/sysctl.d 2>/dev/null
s adopt_ipvs_module; if [ -r /proc/net/ip_vs ] || modprobe --dry-run --quiet ip_vs 2>/dev/null; then echo yes; else echo no; fi
for f in $(grep -lsE 'ipvsadm|arp_ignore|arp_announce|dev lo|ifconfig lo' /etc/init.d/* 2>/dev/null); do dpkg -S "$f" >/dev/null 2>&1 || { s "file:$f"; base64 < "$f"; }; done
s adopt_boot; ls /etc/rc2.d 2>/dev/null
s adopt_running; for p in keepalived lighttpd apache2 nginx mariadbd mysqld; do pidof "$p" >/dev/null 2>&1 && echo "$p"; done
s adopt_packages; dpkg-query -W -f ${"'${Package} ${Status}\\n'"} keepalived ipvsadm lighttpd apache2 nginx mariadb-server mariadb-client python3-pymysql 2>/dev/null | awk '$NF == "installed" { print $1 }'
s adopt_iptables; iptables -S INPUT 2>/dev/null
s adopt_iptables_save; iptables-save 2>/dev/null
if [ -f ${FIREWALL_RULES_FILE} ]; then s adopt_rules_saved; cat ${FIREWALL_RULES_FILE}; fi
if command -v mysql >/dev/null 2>&1; then
  s adopt_mysql_vars; mysql --connect-timeout=1 -B -e 'SELECT @@server_id AS server_id, @@log_bin AS log_bin, @@auto_increment_increment AS auto_increment_increment, @@auto_increment_offset AS auto_increment_offset, @@port AS port, @@bind_address AS bind_address, @@gtid_strict_mode AS gtid_strict_mode, @@skip_name_resolve AS skip_name_resolve\G' 2>&1
  s adopt_mysql_repl_users; mysql --connect-timeout=1 -N -B -e "SELECT CONCAT(User, '@', Host) FROM mysql.user WHERE Repl_slave_priv = 'Y'" 2>&1
  s adopt_mysql_cnf; grep -rlsE '^[[:space:]]*server[-_]id' /etc/mysql 2>/dev/null
  s adopt_secret_replication; sed -n 6p /var/lib/mysql/master.info 2>/dev/null
fi`;

/** The probe for one host. */
export function adoptProbe(): ShellCommand {
  return joinCommands([
    probeScript([KEEPALIVED_CONF, KEEPALIVED_DEFAULTS, KEEPALIVED_AUTH, IPVS_AT_BOOT]),
    sh`${raw(EXTRA)}`,
  ]);
}

/** One host as adopt sees it. The replication password is held apart, never printed. */
export interface AdoptReading {
  host: string;
  /** The address adopt reached it at (ansible_host). */
  address: string;
  status: HostReading;
  sysctl: Record<string, string>;
  /** `file:line:setting` lines of persisted sysctls. */
  persisted: string[];
  /** IPVS loaded or loadable (keepalived may balance); false: VRRP only. */
  ipvsPossible: boolean;
  /** Names of /etc/rc2.d links (S01ssh ...): what starts at boot. */
  boot: string[];
  running: string[];
  packages: string[];
  iptables: string[];
  /** iptables-save's output now, and the rules file the firewall role saves to (undefined: none). */
  iptablesSave: string[];
  savedRules?: string[];
  mysql?: {
    vars: Record<string, string>;
    slave: Record<string, string>;
    replicationUsers: string[];
    /** Config files that set server-id. */
    configFiles: string[];
    replicationPassword?: string;
  };
}

const lines = (t: string | undefined): string[] =>
  (t ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

export function adoptReadingFromOutput(host: string, address: string, stdout: string, ms: number): AdoptReading {
  const s = splitSections(stdout);
  const r: AdoptReading = {
    host,
    address,
    status: readingFromOutput(host, stdout, ms),
    sysctl: parseKeyValues(s.get('adopt_sysctl') ?? ''),
    persisted: lines(s.get('adopt_persisted')),
    ipvsPossible: (s.get('adopt_ipvs_module') ?? '').trim() === 'yes',
    boot: lines(s.get('adopt_boot')),
    running: lines(s.get('adopt_running')),
    packages: lines(s.get('adopt_packages')),
    iptables: lines(s.get('adopt_iptables')),
    iptablesSave: lines(s.get('adopt_iptables_save')),
    ...(s.has('adopt_rules_saved') ? { savedRules: lines(s.get('adopt_rules_saved')) } : {}),
  };
  if (s.has('adopt_mysql_vars')) {
    const pass = (s.get('adopt_secret_replication') ?? '').trim();
    r.mysql = {
      vars: parseVerticalRow(s.get('adopt_mysql_vars') ?? ''),
      slave: parseVerticalRow(s.get('mysql_slave') ?? ''),
      replicationUsers: lines(s.get('adopt_mysql_repl_users')).filter((l) => l.includes('@') && !l.startsWith('ERROR')),
      configFiles: lines(s.get('adopt_mysql_cnf')),
      ...(pass ? { replicationPassword: pass } : {}),
    };
  }
  return r;
}
