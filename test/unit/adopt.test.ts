// adopt's pure parts: the probe's output decoded, hosts classified, settings and secrets taken,
// what the roles cannot express, the files written, and the changes predicted from the state read.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveAdoption } from '../../src/adopt/derive.js';
import { groupDisagreements } from '../../src/adopt/index.js';
import { adoptFindings } from '../../src/adopt/findings.js';
import { expectedChanges } from '../../src/adopt/changes.js';
import { foundFiles, parseFoundKeepalived, redactAuthPass, writeFound } from '../../src/adopt/found.js';
import { adoptReadingFromOutput, type AdoptReading } from '../../src/adopt/probe.js';
import { MARK } from '../../src/status/probe.js';
import { checkWritable, clusterYml, hostsIni, vaultYml } from '../../src/adopt/write.js';
import { loadInventory } from '../../src/inventory/index.js';
import { decryptVaultText } from '../../src/vars/vault.js';
import { Secret, SECRET_MASK } from '../../src/secret.js';
import type { Inventory } from '../../src/inventory/index.js';

const KEEPALIVED = (prio: number, state: string) => `! hand written
global_defs {
   notification_email {
     ops@example.com
   }
   router_id LVS_${prio}
}
vrrp_instance VI_9 {
    state ${state}
    interface eth0
    virtual_router_id 77
    priority ${prio}
    advert_int 2
    authentication {
        auth_type PASS
        auth_pass s3cret
    }
    virtual_ipaddress {
        192.0.2.10
    }
}
virtual_server 192.0.2.10 8080 {
    delay_loop 5
    lb_algo rr
    lb_kind DR
    protocol TCP
    persistence_timeout 300
    real_server 192.0.2.21 8080 {
        weight 7
        TCP_CHECK {
            connect_timeout 4
            nb_get_retry 2
        }
    }
    real_server 192.0.2.99 8080 {
        weight 1
    }
}
`;

/** A probe's output as a host prints it (sections, files in base64). */
function probeOutput(s: Record<string, string>, files: Record<string, string | null> = {}): string {
  const out: string[] = [];
  for (const [name, text] of Object.entries(s)) out.push(`${MARK}${name}`, text);
  for (const [path, text] of Object.entries(files))
    out.push(text === null ? `${MARK}nofile:${path}` : `${MARK}file:${path}\n${Buffer.from(text).toString('base64')}`);
  return `${out.join('\n')}\n`;
}

const addr = (ip: string, lo?: string) =>
  `1: lo    inet 127.0.0.1/8 scope host lo\\\n${lo ? `1: lo    inet ${lo}/32 scope global lo:0\\\n` : ''}2: eth0    inet ${ip}/24 scope global eth0\\`;
const SYSCTL_RS = 'all.arp_ignore=1\nall.arp_announce=2\nlo.arp_ignore=1\nlo.arp_announce=2';

function director(host: string, ip: string, prio: number, state: string): AdoptReading {
  return adoptReadingFromOutput(
    host,
    ip,
    probeOutput(
      {
        addr: addr(ip),
        keepalived: 'running',
        sysctl: '',
        adopt_sysctl: 'ip_forward=1',
        adopt_persisted: '/etc/sysctl.conf:28:net.ipv4.ip_forward = 1',
        adopt_ipvs_module: 'yes',
        adopt_boot: 'S01keepalived\nS01ssh',
        adopt_running: 'keepalived',
        adopt_packages: 'keepalived\nipvsadm',
        adopt_iptables: '-P INPUT ACCEPT',
      },
      {
        '/etc/keepalived/keepalived.conf': KEEPALIVED(prio, state),
        '/etc/default/keepalived': 'DAEMON_ARGS=""\n',
        '/etc/keepalived/vrrp_auth.conf': null,
        '/etc/init.d/lvs_forward': '#!/bin/sh\nsysctl -w net.ipv4.ip_forward=1\nipvsadm --clear\n',
      },
    ),
    5,
  );
}

function realServer(host: string, ip: string, serverId: number, persisted = '', sysctl = SYSCTL_RS): AdoptReading {
  return adoptReadingFromOutput(
    host,
    ip,
    probeOutput(
      {
        addr: addr(ip, '192.0.2.10'),
        keepalived: 'absent',
        sysctl,
        tcp: '',
        adopt_sysctl: 'ip_forward=0',
        adopt_persisted: persisted,
        adopt_ipvs_module: 'no',
        // the firewall role's boot script loads the saved rules
        adopt_boot: 'S01firewall-rules\nS01lighttpd\nS01mariadb\nS01realserver',
        adopt_running: 'lighttpd\nmariadbd',
        adopt_packages: 'lighttpd\nmariadb-server\nmariadb-client\npython3-pymysql',
        adopt_iptables:
          '-P INPUT ACCEPT\n-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 3306 -j ACCEPT\n-A INPUT -j DROP',
        mysql_slave: `Slave_IO_Running: Yes\nSlave_SQL_Running: Yes\nMaster_Host: x\nMaster_User: repl\nConnect_Retry: 10`,
        adopt_mysql_vars: `server_id: ${serverId}\nlog_bin: 1\nauto_increment_increment: 2\nauto_increment_offset: ${serverId}\nport: 3306\nbind_address: 0.0.0.0\ngtid_strict_mode: 1\nskip_name_resolve: 1`,
        adopt_mysql_repl_users: `root@localhost\nrepl@${ip === '192.0.2.21' ? '192.0.2.22' : '192.0.2.21'}`,
        adopt_mysql_cnf: '/etc/mysql/conf.d/repl.cnf',
        adopt_secret_replication: 'replPass',
      },
      {
        '/etc/init.d/realserver':
          '#!/bin/sh\ncase "$1" in\nstart) ip addr add 192.0.2.10/32 dev lo ;;\nstatus) exit 0 ;;\nesac\n',
      },
    ),
    5,
  );
}

function inventoryOf(hosts: Record<string, string>): Inventory {
  const dir = mkdtempSync(join(tmpdir(), 'adopt-inv-'));
  writeFileSync(
    join(dir, 'hosts.ini'),
    `${Object.entries(hosts)
      .map(([h, ip]) => `${h} ansible_host=${ip}`)
      .join('\n')}\n[all:vars]\nansible_user=root\n`,
  );
  return loadInventory([join(dir, 'hosts.ini')]).inventory;
}

function adopted() {
  const readings = [
    director('d1', '192.0.2.1', 150, 'MASTER'),
    director('d2', '192.0.2.2', 100, 'BACKUP'),
    realServer('w1', '192.0.2.21', 1),
    realServer(
      'w2',
      '192.0.2.22',
      2,
      '/etc/sysctl.d/60-lvs-realserver.conf:1:net.ipv4.conf.lo.arp_ignore = 1\n/etc/sysctl.d/60-lvs-realserver.conf:2:net.ipv4.conf.lo.arp_announce = 2\n/etc/sysctl.d/60-lvs-realserver.conf:3:net.ipv4.conf.all.arp_ignore = 1\n/etc/sysctl.d/60-lvs-realserver.conf:4:net.ipv4.conf.all.arp_announce = 2',
    ),
  ];
  const files = foundFiles(readings, 'out');
  const parsed = parseFoundKeepalived(files);
  return { readings, files, adoption: deriveAdoption(readings, parsed.byHost) };
}

describe('adopt: reading a hand-built cluster', () => {
  it('redacts auth_pass in the copies, one number per distinct password, lines kept', () => {
    const n = new Map<string, number>();
    const a = redactAuthPass('x\n  auth_pass one\n', n);
    const b = redactAuthPass('  auth_pass "two"\n  auth_pass one # c\n', n);
    expect(a).toBe('x\n  auth_pass REDACTED-1  # adopt moved the password to the vault (vrrp_auth_pass)\n');
    expect(b.split('\n').map((l) => l.split('  #')[0]!.trim())).toEqual([
      'auth_pass REDACTED-2',
      'auth_pass REDACTED-1',
      '',
    ]);
  });

  it('classifies hosts and takes the settings of the highest-priority director', () => {
    const { adoption: a, files } = adopted();
    expect(files.map((f) => f.local)).toEqual([
      'out/found/d1/etc/keepalived/keepalived.conf',
      'out/found/d1/etc/init.d/lvs_forward',
      'out/found/d2/etc/keepalived/keepalived.conf',
      'out/found/d2/etc/init.d/lvs_forward',
      'out/found/w1/etc/init.d/realserver',
      'out/found/w2/etc/init.d/realserver',
    ]);
    expect(files.every((f) => !f.text.includes('s3cret'))).toBe(true);
    expect(a.directors).toEqual([
      { host: 'd2', mode: 'keepalived', priority: 100, state: 'BACKUP', routerId: 'LVS_100' },
      { host: 'd1', mode: 'keepalived', priority: 150, state: 'MASTER', routerId: 'LVS_150' },
    ]);
    expect(a.realServers).toEqual([
      { host: 'w1', weight: 7 },
      { host: 'w2', weight: 1 },
    ]);
    expect(a.databases).toEqual([
      { host: 'w1', serverId: 1, autoIncrementOffset: 1 },
      { host: 'w2', serverId: 2, autoIncrementOffset: 2 },
    ]);
    expect(Object.fromEntries([...a.cluster].map(([k, s]) => [k, s.value]))).toMatchObject({
      lvs_vip: '192.0.2.10',
      lvs_vip_prefix: 32,
      lvs_port: 8080,
      lvs_algorithm: 'rr',
      lvs_delay_loop: 5,
      lvs_check_connect_timeout: 4,
      lvs_check_retries: 2,
      vrrp_instance_name: 'VI_9',
      vrrp_router_id: 77,
      vrrp_advert_int: 2,
      mysql_replication_user: 'repl',
      mysql_connect_retry: 10,
      mysql_config: '/etc/mysql/conf.d/repl.cnf',
    });
    expect(a.cluster.get('lvs_algorithm')?.from).toBe('out/found/d1/etc/keepalived/keepalived.conf:24');
    expect(String(a.secrets.vrrp_auth_pass?.value)).toBe(SECRET_MASK);
    expect(a.secrets.vrrp_auth_pass?.value.reveal()).toBe('s3cret');
    expect(a.secrets.mysql_replication_password?.value.reveal()).toBe('replPass');
  });

  it('lists what the roles cannot express, at its line', () => {
    const { adoption: a } = adopted();
    expect(
      a.notReproduced
        .filter((n) => n.host === 'd1')
        .map(
          (n) =>
            `${n.pos?.line ?? '-'} ${n.what.split(':')[0]}${n.what.includes('keepalived.conf') ? n.what.split(':')[1] : ''}`,
        ),
    ).toEqual([
      '3 keepalived.conf `notification_email` in global_defs',
      '27 keepalived.conf `persistence_timeout 300` in virtual_server',
      '35 real server 192.0.2.99',
      '- /etc/init.d/lvs_forward',
    ]);
    expect(a.notReproduced.filter((n) => n.host === 'w1').map((n) => n.what)).toEqual([
      'gtid_strict_mode=1: the mysql-master role does not set it',
    ]);
    // a hand-made init script no role replaces stays, and keeps running at boot
    expect(a.notReproduced.filter((n) => n.host === 'd2').map((n) => n.what.split(':')[0])).toEqual([
      'keepalived.conf',
      'keepalived.conf',
      '/etc/init.d/lvs_forward',
    ]);
    // and says what it does, read with lint's script model
    expect(a.notReproduced.find((n) => n.host === 'd2' && n.what.startsWith('/etc/init.d/'))?.what).toContain(
      'keeps doing what it does (always: sets net.ipv4.ip_forward=1, clears the IPVS table)',
    );
  });

  it('writes the inventory, the settings and the vault; no secret without a vault password', () => {
    const { adoption: a } = adopted();
    const ini = hostsIni(
      a,
      inventoryOf({ d1: '192.0.2.1', d2: '192.0.2.2', w1: '192.0.2.21', w2: '192.0.2.22' }),
      'hosts.ini',
    );
    expect(ini).toContain(
      '[directors]\nd2 ansible_host=192.0.2.2 vrrp_priority=100 vrrp_state=BACKUP keepalived_router_id=LVS_100\nd1 ',
    );
    expect(ini).toContain('[dbservers]\nw1 ansible_host=192.0.2.21 mysql_server_id=1 mysql_auto_increment_offset=1\n');
    expect(ini).toMatch(/\[all:vars\]\nansible_user=root\n$/);
    expect(clusterYml(a)).toContain('# out/found/d1/etc/keepalived/keepalived.conf:19\nlvs_vip: "192.0.2.10"\n');
    const stub = vaultYml(a, undefined);
    expect(stub).not.toMatch(/s3cret|replPass/);
    expect(stub).toContain(
      "ansible-vault encrypt_string --vault-password-file YOUR_FILE 'PASSWORD' --name vrrp_auth_pass",
    );
    const vault = vaultYml(a, { password: new Secret('pw'), file: 'pass.txt' });
    const body = /vrrp_auth_pass: !vault \|\n((?: {2}.*\n)+)/.exec(vault)![1]!.replace(/^ {2}/gm, '');
    expect(decryptVaultText(body, { passwords: [{ password: new Secret('pw') }] })).toBe('s3cret');
  });

  it('takes a single director without keepalived, whose init script programs IPVS, for the script mode', () => {
    const lvsServer =
      '#!/bin/sh\nVIP=192.0.2.10\ncase "$1" in\nstart)\n  ip addr add $VIP/24 dev eth0\n  ipvsadm -A -t $VIP:80 -s wrr\n  ipvsadm -a -t $VIP:80 -r 192.0.2.21:80 -g -w 5\n  ;;\nesac\n';
    const d = adoptReadingFromOutput(
      'solo',
      '192.0.2.1',
      probeOutput(
        {
          addr: `${addr('192.0.2.1')}\n2: eth0    inet 192.0.2.10/24 scope global secondary eth0\\`,
          keepalived: 'absent',
          adopt_iptables: '-P INPUT ACCEPT',
          adopt_packages: 'ipvsadm',
          adopt_boot: 'S01lvs_server',
        },
        { '/etc/init.d/lvs_server': lvsServer },
      ),
      5,
    );
    const w = realServer('w1', '192.0.2.21', 1);
    const a = deriveAdoption([d, w], new Map());
    expect(a.directors).toEqual([{ host: 'solo', mode: 'script' }]);
    expect(a.realServers).toEqual([{ host: 'w1', weight: 5 }]);
    expect(Object.fromEntries([...a.cluster].map(([k, s]) => [k, s.value]))).toMatchObject({
      lvs_director_mode: 'script',
      lvs_vip: '192.0.2.10',
      lvs_vip_prefix: 24,
      lvs_interface: 'eth0',
      lvs_port: 80,
      lvs_algorithm: 'wrr',
    });
    expect(a.notReproduced.filter((n) => n.host === 'solo')).toEqual([]);
    const tasks = expectedChanges(a, [d, w], { findings: [], suppressed: [] })
      .filter((c) => c.host === 'solo')
      .map((c) => c.task);
    expect(tasks).toEqual(
      expect.arrayContaining([
        'director : Install /etc/init.d/lvs_server',
        'director : restart lvs_server',
        'director : Start lvs_server now and at boot',
      ]),
    );
    expect(tasks.some((t) => t.includes('keepalived'))).toBe(false);
    expect(hostsIni(a, inventoryOf({ solo: '192.0.2.1', w1: '192.0.2.21' }), 'h')).toContain(
      '[directors]\nsolo ansible_host=192.0.2.1\n',
    );
  });

  it('says where the groups of the inventory given disagree with what was found', () => {
    const { adoption: a } = adopted();
    const dir = mkdtempSync(join(tmpdir(), 'adopt-inv-'));
    writeFileSync(join(dir, 'hosts.ini'), '[directors]\nd1\nw1\n[realservers]\nw1\nw2\n[others]\nd2\n');
    expect(groupDisagreements(loadInventory([join(dir, 'hosts.ini')]).inventory, a)).toEqual([
      'w1: listed in [directors] of the inventory given, but nothing of one was found on it: not in [directors] of the adopted inventory',
      'd2: not listed in [directors] of the inventory given, but found to be one: in [directors] of the adopted inventory',
    ]);
  });

  it('lints what it found: equal priorities are an error at the line of the second director', () => {
    const readings = [
      director('d1', '192.0.2.1', 100, 'MASTER'),
      director('d2', '192.0.2.2', 100, 'BACKUP'),
      realServer('w1', '192.0.2.21', 1),
      realServer('w2', '192.0.2.22', 2),
    ];
    const files = foundFiles(readings, 'out').filter((f) => f.remote.endsWith('keepalived.conf'));
    const parsed = parseFoundKeepalived(files);
    const adoption = deriveAdoption(readings, parsed.byHost);
    const report = adoptFindings({
      cwd: process.cwd(),
      files,
      keepalived: parsed.byHost,
      syntax: parsed.diagnostics,
      readings,
      adoption,
      shellcheck: false,
    });
    const prio = report.findings.filter((f) => f.rule === 'vrrp-priority-distinct');
    expect(prio.map((f) => `${f.severity} ${f.pos?.file}:${f.pos?.line}`)).toEqual([
      'error out/found/d2/etc/keepalived/keepalived.conf:12',
    ]);
    expect(report.findings.filter((f) => f.rule === 'keepalived-deprecated-keyword')).toHaveLength(2);
    // the ARP sysctls read live on the real servers are right: no finding about them
    expect(report.findings.filter((f) => f.rule.startsWith('rs-'))).toEqual([]);
    // one that answers ARP for the VIP (arp_ignore 0 on all) is found
    const bad = [
      ...readings.slice(0, 3),
      realServer('w2', '192.0.2.22', 2, '', SYSCTL_RS.replace('all.arp_ignore=1', 'all.arp_ignore=0')),
    ];
    const badReport = adoptFindings({
      cwd: process.cwd(),
      files,
      keepalived: parsed.byHost,
      syntax: [],
      readings: bad,
      adoption: deriveAdoption(bad, parsed.byHost),
      shellcheck: false,
    });
    expect(badReport.findings.filter((f) => f.rule === 'rs-arp-sysctls').map((f) => f.message)).toEqual([
      expect.stringContaining('w2'),
    ]);
  });

  it("reads the hand scripts with the same model as lint: one that clears keepalived's IPVS table is an error", () => {
    const readings = [
      director('d1', '192.0.2.1', 100, 'MASTER'),
      director('d2', '192.0.2.2', 50, 'BACKUP'),
      realServer('w1', '192.0.2.21', 1),
      realServer('w2', '192.0.2.22', 2),
    ];
    const cwd = mkdtempSync(join(tmpdir(), 'adopt-found-'));
    const files = foundFiles(readings, 'out');
    writeFound(cwd, files);
    const parsed = parseFoundKeepalived(files);
    const report = adoptFindings({
      cwd,
      files,
      keepalived: parsed.byHost,
      syntax: parsed.diagnostics,
      readings,
      adoption: deriveAdoption(readings, parsed.byHost),
      shellcheck: false,
    });
    const at = (rule: string) =>
      report.findings.filter((f) => f.rule === rule).map((f) => `${f.severity} ${f.pos?.file}:${f.pos?.line}`);
    expect(at('script-ipvs-keepalived')).toEqual([
      'error out/found/d1/etc/init.d/lvs_forward:3',
      'error out/found/d2/etc/init.d/lvs_forward:3',
    ]);
    expect(at('script-ip-forward')).toEqual([
      'info out/found/d1/etc/init.d/lvs_forward:2',
      'info out/found/d2/etc/init.d/lvs_forward:2',
    ]);
    // the real servers' script: a status action the script handles, and no usage line to compare
    expect(at('script-usage')).toEqual([]);
  });

  it('refuses to overwrite without --force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'adopt-'));
    writeFileSync(join(dir, 'hosts.ini'), '');
    expect(() => checkWritable(dir, ['hosts.ini', 'x.yml'], false)).toThrow(/hosts\.ini already exists/);
    expect(() => checkWritable(dir, ['hosts.ini'], true)).not.toThrow();
  });

  it('predicts the changes from the state read: none where the host already has what the role sets', () => {
    const { adoption: a, readings } = adopted();
    const tasks = (h: string) =>
      expectedChanges(a, readings, { findings: [], suppressed: [] })
        .filter((c) => c.host === h)
        .map((c) => c.task);
    // w1 and w2 have the firewall; w2 persists the ARP sysctls where the role does
    expect(tasks('w1').filter((t) => t.startsWith('firewall'))).toEqual([]);
    expect(tasks('w1')).toContain('realserver : Do not answer ARP for the VIP, now and at boot');
    expect(tasks('w2')).not.toContain('realserver : Do not answer ARP for the VIP, now and at boot');
    // a script with a status action: check mode sees the VIP held
    expect(tasks('w1')).not.toContain('realserver : Hold the VIP on lo now and at boot');
    // d1: no firewall at all, ip_forward persisted in /etc/sysctl.conf only, IPVS available so DAEMON_ARGS="" is right
    expect(tasks('d1')).toEqual(
      expect.arrayContaining([
        'firewall : Drop any other incoming traffic',
        'firewall : Load the saved rules at boot (the script)',
        'firewall : Load the saved rules at boot',
        // the rules it adds are saved by the handler: there is no saved file yet
        'firewall : save the firewall rules',
        'director : Forward IP packets, now and at boot',
        'director : reload keepalived',
      ]),
    );
    expect(tasks('d1')).not.toContain(
      "director : Set keepalived's options (VRRP only, --vrrp, where the kernel has no IPVS)",
    );
    expect(tasks('w1')).not.toContain('mysql-master : Create the replication user the peer connects as');
  });

  it('predicts the IPVS settings the director role keeps where the kernel has IPVS, and none where they are already so', () => {
    const { adoption: a, readings } = adopted();
    const IPVS_TASKS = [
      'director : Load IPVS at boot, before the sysctls that tune it',
      'director : Load IPVS now',
      'director : Tune IPVS for direct routing, now and at boot',
    ];
    const tasks = (rs: AdoptReading[], h: string) =>
      expectedChanges(a, rs, { findings: [], suppressed: [] })
        .filter((c) => c.host === h)
        .map((c) => c.task);
    // d1: IPVS loadable, not loaded, nothing set
    expect(tasks(readings, 'd1')).toEqual(expect.arrayContaining(IPVS_TASKS));
    // the same director with IPVS loaded, listed for boot and expire_nodest_conn=1 persisted where the role keeps it
    const tuned = adoptReadingFromOutput(
      'd1',
      '192.0.2.1',
      probeOutput(
        {
          addr: addr('192.0.2.1'),
          keepalived: 'running',
          sysctl: '',
          ipvs: 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n',
          adopt_sysctl: 'ip_forward=1\nvs.conn_reuse_mode=2\nvs.expire_nodest_conn=1',
          adopt_persisted:
            '/etc/sysctl.d/60-lvs-director.conf:1:net.ipv4.ip_forward = 1\n/etc/sysctl.d/60-lvs-director.conf:2:net.ipv4.vs.conn_reuse_mode = 2\n/etc/sysctl.d/60-lvs-director.conf:3:net.ipv4.vs.expire_nodest_conn = 1',
          adopt_ipvs_module: 'yes',
          adopt_boot: 'S01keepalived',
          adopt_running: 'keepalived',
          adopt_packages: 'keepalived\nipvsadm',
          adopt_iptables: '-P INPUT ACCEPT',
        },
        {
          '/etc/keepalived/keepalived.conf': KEEPALIVED(150, 'MASTER'),
          '/etc/default/keepalived': 'DAEMON_ARGS=""\n',
          '/etc/keepalived/vrrp_auth.conf': null,
          '/etc/modules-load.d/lvs-director.conf': 'ip_vs\n',
        },
      ),
      5,
    );
    expect(
      tasks([tuned, ...readings.slice(1)], 'd1').filter((t) => IPVS_TASKS.includes(t) || t.includes('Forward IP')),
    ).toEqual([]);
    // the runtime value alone is not enough: it does not survive a reboot
    const runtimeOnly = adoptReadingFromOutput(
      'd1',
      '192.0.2.1',
      probeOutput({
        addr: addr('192.0.2.1'),
        keepalived: 'running',
        sysctl: '',
        adopt_sysctl: 'ip_forward=1\nvs.conn_reuse_mode=2\nvs.expire_nodest_conn=1',
        adopt_ipvs_module: 'yes',
      }),
      5,
    );
    expect(tasks([runtimeOnly, ...readings.slice(1)], 'd1')).toContain(
      'director : Tune IPVS for direct routing, now and at boot',
    );
    // no IPVS in the kernel (VRRP only): the role leaves it all out
    const vrrpOnly = adoptReadingFromOutput(
      'd1',
      '192.0.2.1',
      probeOutput({
        addr: addr('192.0.2.1'),
        keepalived: 'running',
        sysctl: '',
        adopt_sysctl: 'ip_forward=1',
        adopt_ipvs_module: 'no',
      }),
      5,
    );
    expect(tasks([vrrpOnly, ...readings.slice(1)], 'd1').filter((t) => IPVS_TASKS.includes(t))).toEqual([]);
  });
});
