// What the first `lvsplay run site.yaml` will change on the adopted cluster, task by task, and
// why: a fix lint asked for, or something the bundled roles manage that the hand-built cluster
// does without (a firewall, sysctls kept in /etc/sysctl.d, the roles' own init scripts). The
// task names are the bundled roles' own, as check mode prints them. Pure.
import type { LintReport } from '../lint/index.js';
import type { Adoption, ExpectedChange } from './model.js';
import { formatState } from '../modules/iptables_state.js';
import {
  FIREWALL_RULES_FILE,
  IPVS_AT_BOOT,
  KEEPALIVED_AUTH,
  KEEPALIVED_CONF,
  KEEPALIVED_DEFAULTS,
  ROLE_IPVS_SYSCTLS,
  type AdoptReading,
} from './probe.js';

const LVS_SERVER = '/etc/init.d/lvs_server';
const DIRECTOR_SYSCTL_FILE = '/etc/sysctl.d/60-lvs-director.conf';
/** mysql-master's default mysql_connect_retry. */
const ROLE_CONNECT_RETRY = '5';

/** The roles' rule tasks (each notifies the firewall role's handler that saves the rules). */
const RULE_TASKS = [
  'firewall : Accept loopback traffic',
  'firewall : Accept replies to connections this host opened',
  'firewall : Keep ssh open',
  'firewall : Accept ping',
  'firewall : Drop any other incoming traffic',
  'director : Accept VRRP adverts from the other directors',
  'director : Accept the clients of the virtual service',
  'realserver : Accept web clients',
  'mysql-master : Accept MariaDB clients from the peer and the real servers only',
];
const FIREWALL_BOOT = 'firewall-rules';

const FIREWALL = {
  loopback: { task: 'Accept loopback traffic', has: /-i lo\b.*-j ACCEPT/ },
  replies: { task: 'Accept replies to connections this host opened', has: /ESTABLISHED.*-j ACCEPT/ },
  ssh: { task: 'Keep ssh open', has: /--dport 22\b.*-j ACCEPT/ },
  ping: { task: 'Accept ping', has: /-p icmp\b.*-j ACCEPT/ },
  drop: { task: 'Drop any other incoming traffic', has: /^-A INPUT -j DROP$/ },
};

/** The LSB status action the service module looks for (without one it looks for a process). */
const STATUS_ACTION = /^\s*([\w|-]*[|])?status([|][\w|-]*)?[)]/m;

const startsAtBoot = (r: AdoptReading, service: string): boolean =>
  r.boot.some((l) => new RegExp(`^S\\d\\d${service}$`).test(l));
const persistedIn = (r: AdoptReading, file: string, setting: string): boolean =>
  r.persisted.some((l) => l.startsWith(`${file}:`) && l.includes(setting));

export function expectedChanges(a: Adoption, readings: AdoptReading[], lint: LintReport): ExpectedChange[] {
  const out: ExpectedChange[] = [];
  const byHost = new Map(readings.map((r) => [r.host, r]));
  let role = 'firewall';
  // check mode names a role's task `role : name`
  const add = (host: string, name: string, why: string, rule?: string): void => {
    const task = `${role} : ${name}`;
    if (!out.some((c) => c.host === host && c.task === task)) out.push({ host, task, why, ...(rule ? { rule } : {}) });
  };
  const port = Number(a.cluster.get('lvs_port')?.value ?? 80);
  const vip = String(a.cluster.get('lvs_vip')?.value ?? '');
  const mysqlPort = Number(a.cluster.get('mysql_port')?.value ?? 3306);
  const directors = new Set(a.directors.map((d) => d.host));
  const realServers = new Set(a.realServers.map((d) => d.host));
  const databases = new Set(a.databases.map((d) => d.host));

  for (const r of readings.filter((x) => directors.has(x.host) || realServers.has(x.host) || databases.has(x.host))) {
    const rules = r.iptables.filter((l) => l.startsWith('-A INPUT'));
    const allowed = new Set([
      22,
      ...(realServers.has(r.host) ? [port] : []),
      ...(databases.has(r.host) ? [mysqlPort] : []),
    ]);
    const closed = r.status.listening.filter((p) => !allowed.has(p));
    if (!startsAtBoot(r, FIREWALL_BOOT)) {
      const why = `the firewall role loads ${FIREWALL_RULES_FILE} at boot with /etc/init.d/${FIREWALL_BOOT}`;
      add(r.host, 'Load the saved rules at boot (the script)', why);
      add(r.host, 'Load the saved rules at boot', why);
    }
    const dropWhy = `the firewall role drops what the roles do not open${closed.length ? `: ports ${closed.join(', ')}, open here now, will be closed` : ''}`;
    for (const f of Object.values(FIREWALL)) {
      if (!rules.some((l) => f.has.test(l)))
        add(
          r.host,
          f.task,
          f === FIREWALL.drop
            ? dropWhy
            : rules.length
              ? 'the firewall role adds this rule'
              : 'no firewall here now (INPUT accepts everything): the firewall role sets one up',
        );
    }
  }

  role = 'director';
  for (const d of a.directors) {
    const r = byHost.get(d.host)!;
    const rules = r.iptables;
    if (!rules.some((l) => /-p (vrrp|112)\b.*-j ACCEPT/.test(l)) && a.directors.length > 1)
      add(
        d.host,
        'Accept VRRP adverts from the other directors',
        'the director role lets VRRP (protocol 112) in from the other directors',
      );
    if (!rules.some((l) => l.includes(`--dport ${port}`) && l.includes(vip)))
      add(d.host, 'Accept the clients of the virtual service', `the director role lets clients reach ${vip}:${port}`);
    const packages = d.mode === 'script' ? ['ipvsadm'] : ['keepalived', 'ipvsadm'];
    if (!packages.every((p) => r.packages.includes(p)))
      add(d.host, "Install the director's packages", `${packages.join(' or ')} is not installed`);
    if (r.sysctl.ip_forward !== '1' || !persistedIn(r, DIRECTOR_SYSCTL_FILE, 'ip_forward'))
      add(
        d.host,
        'Forward IP packets, now and at boot',
        `the director role keeps net.ipv4.ip_forward=1 in ${DIRECTOR_SYSCTL_FILE} (now ${r.sysctl.ip_forward ?? '?'}${
          r.persisted.some((l) => l.includes('ip_forward'))
            ? `, set in ${r.persisted
                .filter((l) => l.includes('ip_forward'))
                .map((l) => l.split(':')[0])
                .join(', ')}`
            : ', not persisted'
        })`,
      );
    if (r.ipvsPossible) {
      if (!/^\s*ip_vs\s*$/m.test(r.status.files.get(IPVS_AT_BOOT) ?? ''))
        add(
          d.host,
          'Load IPVS at boot, before the sysctls that tune it',
          `the director role lists ip_vs in ${IPVS_AT_BOOT}`,
        );
      if (r.status.ipvs === undefined) add(d.host, 'Load IPVS now', 'ip_vs is not loaded (nothing balances here now)');
      const off = Object.entries(ROLE_IPVS_SYSCTLS).filter(
        ([k, v]) => r.sysctl[`vs.${k}`] !== v || !persistedIn(r, DIRECTOR_SYSCTL_FILE, k),
      );
      if (off.length)
        add(
          d.host,
          'Tune IPVS for direct routing, now and at boot',
          `the director role keeps ${off.map(([k, v]) => `net.ipv4.vs.${k}=${v}`).join(' and ')} in ${DIRECTOR_SYSCTL_FILE} (now ${off.map(([k]) => r.sysctl[`vs.${k}`] || '-').join(' and ')}): a client reusing a finished connection's port otherwise goes to the same real server, and is dropped while that server is out`,
        );
    }
    if (d.mode === 'script') {
      const script = r.status.files.get(LVS_SERVER);
      add(
        d.host,
        'Install /etc/init.d/lvs_server',
        script
          ? "the director role's script replaces the one found (same VIP, service and real servers)"
          : `the director role installs ${LVS_SERVER} (the IPVS service was programmed by another script)`,
      );
      add(d.host, 'restart lvs_server', 'handler: the new init script takes over the VIP and the IPVS service');
      if (!script || !STATUS_ACTION.test(script) || !startsAtBoot(r, 'lvs_server'))
        add(
          d.host,
          'Start lvs_server now and at boot',
          script && !STATUS_ACTION.test(script)
            ? "the script found has no status action, so check mode cannot see it running (the run installs the role's script first, which has one)"
            : 'lvs_server does not start at boot',
        );
      continue;
    }
    const wanted = `DAEMON_ARGS="${r.ipvsPossible ? '' : '--vrrp'}"`;
    const argsLines = (r.status.files.get(KEEPALIVED_DEFAULTS) ?? '')
      .split('\n')
      .filter((l) => /^#?\s*DAEMON_ARGS=/.test(l));
    let keepalivedRestart = false;
    if (argsLines[argsLines.length - 1] !== wanted) {
      add(
        d.host,
        "Set keepalived's options (VRRP only, --vrrp, where the kernel has no IPVS)",
        `${KEEPALIVED_DEFAULTS} gets ${wanted}${r.ipvsPossible ? '' : ' (this kernel has no IPVS)'}`,
      );
      keepalivedRestart = true;
    }
    if (r.status.files.get(KEEPALIVED_AUTH) == null)
      add(
        d.host,
        'Write the VRRP password for keepalived.conf to include',
        `the director role keeps auth_pass in ${KEEPALIVED_AUTH} (root only), out of keepalived.conf`,
      );
    const fixes = lint.findings.filter(
      (f) => f.pos?.file.includes(`/${d.host}${KEEPALIVED_CONF}`) && f.rule === 'keepalived-deprecated-keyword',
    );
    add(
      d.host,
      'Write keepalived.conf (checked by keepalived -t before it replaces the old one)',
      `rewritten from the role's template with the settings read${fixes.length ? `, fixing what lint found: ${[...new Set(fixes.map((f) => f.message))].join('; ')}` : ''}`,
      fixes[0]?.rule,
    );
    add(d.host, 'reload keepalived', 'handler: keepalived reads the rewritten configuration (SIGHUP; the VIP stays)');
    if (keepalivedRestart)
      for (const h of ['stop keepalived', 'wait for keepalived to exit', 'start keepalived'])
        add(d.host, h, `handler: keepalived restarts with ${wanted}`);
    if (r.status.keepalived !== 'running' || !startsAtBoot(r, 'keepalived'))
      add(
        d.host,
        'Start keepalived now and at boot',
        `keepalived is ${r.status.keepalived}${startsAtBoot(r, 'keepalived') ? '' : ' and does not start at boot'}`,
      );
  }

  role = 'realserver';
  for (const rs of a.realServers) {
    const r = byHost.get(rs.host)!;
    if (!r.iptables.some((l) => l.includes(`--dport ${port}`) && l.includes('ACCEPT')))
      add(rs.host, 'Accept web clients', `the realserver role lets clients in on port ${port}`);
    if (!r.packages.includes('lighttpd'))
      add(
        rs.host,
        'Install the web server',
        `the realserver role serves with lighttpd${r.packages.some((p) => p === 'apache2' || p === 'nginx') ? ` (this host has ${r.packages.filter((p) => p === 'apache2' || p === 'nginx').join(', ')}: both would want port ${port})` : ''}`,
      );
    if (a.cluster.get('realserver_index_page')?.value !== false)
      add(
        rs.host,
        'Serve a page naming this real server',
        'the realserver role writes its own index.html (naming the host) over the page found',
      );
    if (!r.running.includes('lighttpd') || !startsAtBoot(r, 'lighttpd'))
      add(rs.host, 'Start the web server now and at boot', 'lighttpd is not running or does not start at boot');
    const arp = ['lo.arp_ignore', 'lo.arp_announce', 'all.arp_ignore', 'all.arp_announce'];
    if (!arp.every((k) => persistedIn(r, '/etc/sysctl.d/60-lvs-realserver.conf', k)))
      add(
        rs.host,
        'Do not answer ARP for the VIP, now and at boot',
        `arp_ignore/arp_announce are ${r.persisted.some((l) => /arp_(ignore|announce)/.test(l)) ? 'persisted elsewhere' : 'set at run time only (not in /etc/sysctl.d)'}: the realserver role keeps them in /etc/sysctl.d/60-lvs-realserver.conf, so they hold from boot`,
      );
    const script = r.status.files.get('/etc/init.d/realserver');
    add(
      rs.host,
      'Install /etc/init.d/realserver (the VIP on lo)',
      script
        ? "the realserver role's script replaces the one found (same VIP on lo and ARP settings, plus a status action)"
        : 'no /etc/init.d/realserver here: the realserver role installs one',
    );
    add(rs.host, 'restart realserver', 'handler: the new init script takes over the VIP on lo');
    if (!script || !STATUS_ACTION.test(script) || !startsAtBoot(r, 'realserver'))
      add(
        rs.host,
        'Hold the VIP on lo now and at boot',
        script && !STATUS_ACTION.test(script)
          ? "the script found has no status action, so check mode cannot see that the VIP is held (the run installs the role's script first, which has one)"
          : 'realserver does not start at boot',
      );
  }

  role = 'mysql-master';
  for (const db of a.databases) {
    const r = byHost.get(db.host)!;
    const m = r.mysql!;
    if (!r.iptables.some((l) => l.includes(`--dport ${mysqlPort}`)))
      add(
        db.host,
        'Accept MariaDB clients from the peer and the real servers only',
        `the mysql-master role lets the peer and the real servers reach port ${mysqlPort}`,
      );
    const dbPackages = ['mariadb-server', 'mariadb-client', 'python3-pymysql'];
    if (!dbPackages.every((p) => r.packages.includes(p)))
      add(
        db.host,
        'Install MariaDB server and client',
        `${dbPackages.filter((p) => !r.packages.includes(p)).join(', ')} not installed (python3-pymysql: for ansible-playbook's mysql modules)`,
      );
    const adds = [
      m.vars.skip_name_resolve !== '1'
        ? 'skip-name-resolve (clients are then matched by address only: grants must name addresses)'
        : '',
    ].filter(Boolean);
    add(
      db.host,
      'Configure the server as one of two masters',
      `the mysql-master role rewrites ${a.cluster.get('mysql_config')?.value ?? 'its configuration'} with the settings read${adds.length ? `, adding ${adds.join(', ')}` : ''}`,
    );
    add(
      db.host,
      'restart mariadb',
      'handler: MariaDB restarts to read the rewritten configuration (replication resumes from its position)',
    );
    if (!r.running.includes('mariadbd') || !startsAtBoot(r, 'mariadb'))
      add(db.host, 'Start MariaDB now and at boot', 'MariaDB is not running or does not start at boot');
    const peer = a.databases.find((x) => x.host !== db.host);
    const peerAddress = peer ? byHost.get(peer.host)?.address : undefined;
    const user = String(a.cluster.get('mysql_replication_user')?.value ?? 'replicator');
    if (!m.replicationUsers.includes(`${user}@${peerAddress}`))
      add(db.host, 'Create the replication user the peer connects as', `${user}@${peerAddress} does not exist here`);
    if (!m.slave.Slave_IO_Running) add(db.host, 'Replicate from the peer', 'this server replicates from nobody now');
    else if (String(a.cluster.get('mysql_connect_retry')?.value ?? ROLE_CONNECT_RETRY) !== m.slave.Connect_Retry) {
      add(
        db.host,
        'Stop replicating to change the retry interval',
        'the server refuses CHANGE MASTER on a running replica ("Start replicating" starts it again)',
      );
      add(
        db.host,
        'Retry a lost connection to the peer every few seconds, not every minute',
        `the replica retries a lost peer every ${m.slave.Connect_Retry ?? '?'} s; the role sets ${a.cluster.get('mysql_connect_retry')?.value ?? ROLE_CONNECT_RETRY} s (the log position is kept)`,
      );
    }
    // the role starts a replica whose IO thread is not running (Connecting: it runs, and retries)
    if (!['Yes', 'Connecting'].includes(m.slave.Slave_IO_Running ?? '') || m.slave.Slave_SQL_Running !== 'Yes')
      add(db.host, 'Start replicating', 'replication is not running');
  }

  // A rule task that changes notifies the handler; in check mode no rule is added, so it
  // changes only where the file is not what the running rules would be saved as.
  role = 'firewall';
  for (const r of readings) {
    if (!out.some((c) => c.host === r.host && RULE_TASKS.includes(c.task))) continue;
    if (r.savedRules?.join('\n') === formatState(r.iptablesSave.join('\n'), false).join('\n')) continue;
    add(
      r.host,
      'save the firewall rules',
      `handler: the rules are saved to ${FIREWALL_RULES_FILE}${r.savedRules ? ' (it holds other rules now)' : ''}`,
    );
  }
  return out;
}
