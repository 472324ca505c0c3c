// `lvsplay adopt` on a cluster built by hand, the way blog posts build one: packages installed
// with apt-get, keepalived.conf written per director (with a deprecated keyword lint catches),
// an /etc/init.d/lvs_server turning forwarding on at boot, /etc/init.d/realserver putting the
// VIP on lo with sysctl -w (not persisted), MariaDB
// master-master set up with CHANGE MASTER. The hand cluster has its own hosts (hand-*), wiped
// before the build; the standard lab hosts are powered back on at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { labExec, labUp, labWipe } from '../../src/lab/index.js';
import { parseKeepalived } from '../../src/lint/keepalived/parse.js';
import { modelFromKeepalived } from '../../src/lint/keepalived/model.js';
import { decryptVaultText, readVaultPasswordFile } from '../../src/vars/vault.js';
import type { ExpectedChange } from '../../src/adopt/model.js';
import type { Finding } from '../../src/lint/types.js';
import { runCli } from '../helpers/cli.js';
import { runPlaybookFile } from '../helpers/lab-run.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURES = join(import.meta.dirname, 'fixtures/hand-cluster');
const HOSTS = join(FIXTURES, 'hosts.ini');
const HAND = ['hand-lvs1', 'hand-lvs2', 'hand-web1', 'hand-web2'];
const VRRP_PASS = 'h4ndPw';
const REPL_PASS = 'r3plPw';

async function must(host: string, argv: string[], input?: string): Promise<string> {
  const r = await labExec(host, argv, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`${host}: ${argv.join(' ')}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}
const script = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const mysql = (host: string, sql: string) => must(host, ['mysql', '-N', '-B', '-e', sql]);

/** The hand build: what an operator types on each host. */
async function buildByHand(): Promise<void> {
  await Promise.all([
    must('hand-lvs1', ['sh', '-s', '150', 'MASTER', 'LVS_1'], script('director.sh')),
    must('hand-lvs2', ['sh', '-s', '100', 'BACKUP', 'LVS_2'], script('director.sh')),
    must('hand-web1', ['sh', '-s', '1', '1'], script('realserver.sh')),
    must('hand-web2', ['sh', '-s', '2', '2'], script('realserver.sh')),
  ]);
  // master-master: a user for the peer on each side, then each replicates from the other's position
  const [a, b] = [
    ['hand-web1', '10.0.7.121'],
    ['hand-web2', '10.0.7.122'],
  ] as const;
  await mysql(
    a[0],
    `CREATE USER 'repl'@'${b[1]}' IDENTIFIED BY '${REPL_PASS}'; GRANT REPLICATION SLAVE ON *.* TO 'repl'@'${b[1]}'`,
  );
  await mysql(
    b[0],
    `CREATE USER 'repl'@'${a[1]}' IDENTIFIED BY '${REPL_PASS}'; GRANT REPLICATION SLAVE ON *.* TO 'repl'@'${a[1]}'`,
  );
  const pos = async (h: string) => (await mysql(h, 'SHOW MASTER STATUS')).trim().split(/\s+/);
  const [[fa, pa], [fb, pb]] = [await pos(a[0]), await pos(b[0])];
  await mysql(
    a[0],
    `CHANGE MASTER TO MASTER_HOST='${b[1]}', MASTER_USER='repl', MASTER_PASSWORD='${REPL_PASS}', MASTER_LOG_FILE='${fb}', MASTER_LOG_POS=${pb}; START SLAVE`,
  );
  await mysql(
    b[0],
    `CHANGE MASTER TO MASTER_HOST='${a[1]}', MASTER_USER='repl', MASTER_PASSWORD='${REPL_PASS}', MASTER_LOG_FILE='${fa}', MASTER_LOG_POS=${pa}; START SLAVE`,
  );
  // keepalived elects within about three advert intervals
  for (let i = 0; i < 50 && !(await must('hand-lvs1', ['ip', '-o', '-4', 'addr'])).includes('10.0.7.250/'); i++)
    await new Promise((r) => setTimeout(r, 200));
}

interface AdoptJson {
  inferred: string[];
  groups: {
    directors: { host: string; priority: number; state: string; routerId?: string }[];
    realservers: { host: string; weight: number }[];
    dbservers: { host: string; serverId: number }[];
    others: string[];
  };
  cluster: Record<string, string | number>;
  secrets: string[];
  vaultFile: string | null;
  notReproduced: { host: string; what: string; pos?: { file: string; line: number } }[];
  findings: Finding[];
  changes: ExpectedChange[];
  unpredictable: string[];
  checkProblems: string[];
  checkMs: number;
  written: string[];
}

/** keepalived.conf as the settings it holds (no positions, no comments, no password). */
function settingsOf(text: string): unknown {
  const m = modelFromKeepalived(parseKeepalived(text.replace(/^\s*include\b.*$/gm, ''), 'x.conf').nodes, 'd');
  const strip = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(strip)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .filter(([k]) => !['pos', 'authPass'].includes(k))
              .map(([k, x]) => [k, strip(x)]),
          )
        : v;
  return strip({ vrrp: m.vrrp.map((v) => ({ ...v, vips: v.vips.map((x) => x.split(' ')[0]) })), services: m.services });
}

describe('lvsplay adopt on a hand-built cluster', () => {
  const out = mkdtempSync(join(tmpdir(), 'lvsplay-adopt-'));
  let adopted: AdoptJson;

  beforeAll(async () => {
    for (const h of HAND) await labWipe(h, { powerOff: true });
    await labUp({ inventory: HOSTS, progress: 'silent' });
    // wiped: fresh hosts from the base, whatever an earlier run installed
    expect((await labExec('hand-lvs1', ['sh', '-c', 'command -v keepalived'])).code).not.toBe(0);
    await buildByHand();
    const r = await runCli(['adopt', '-i', HOSTS, '-o', out, '--force', '--format', 'json'], ROOT);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    for (const secret of [VRRP_PASS, REPL_PASS]) expect(r.out).not.toContain(secret);
    adopted = JSON.parse(r.out) as AdoptJson;
  }, 240_000);

  afterAll(async () => {
    // the standard lab again: the hand hosts are powered off, and their disks wiped (space)
    await labUp({ progress: 'silent' });
    for (const h of HAND) await labWipe(h);
  }, 120_000);

  it('tells what each host is and writes the inventory the roles need', () => {
    // Debian 12's keepalived (2.2.7): lint judges keepalived.conf by its -t
    const keepalivedVersion = expect.stringMatching(/^2\.2\.\d+$/) as unknown as string;
    expect(adopted.groups.directors).toEqual([
      { host: 'hand-lvs2', mode: 'keepalived', priority: 100, state: 'BACKUP', routerId: 'LVS_2', keepalivedVersion },
      { host: 'hand-lvs1', mode: 'keepalived', priority: 150, state: 'MASTER', routerId: 'LVS_1', keepalivedVersion },
    ]);
    expect(adopted.groups.realservers).toEqual([
      { host: 'hand-web1', weight: 3 },
      { host: 'hand-web2', weight: 1 },
    ]);
    expect(adopted.groups.dbservers.map((d) => [d.host, d.serverId])).toEqual([
      ['hand-web1', 1],
      ['hand-web2', 2],
    ]);
    expect(adopted.inferred.join('\n')).toMatch(/hand-web1: real server \(10\.0\.7\.250\/32 on lo/);
    expect(adopted.cluster).toMatchObject({
      lvs_vip: '10.0.7.250',
      lvs_vip_prefix: 24,
      lvs_interface: 'eth0',
      lvs_port: 80,
      lvs_algorithm: 'wrr',
      lvs_delay_loop: 6,
      lvs_check_connect_timeout: 3,
      lvs_check_retries: 3,
      vrrp_router_id: 61,
      vrrp_advert_int: 1,
      vrrp_instance_name: 'VI_1',
      mysql_replication_user: 'repl',
      mysql_auto_increment_increment: 2,
      mysql_config: '/etc/mysql/mariadb.conf.d/90-replication.cnf',
      realserver_index_page: false,
    });
    // MariaDB's default retry (60 s) is left to the role's 5 s: a listed change, not reproduced
    expect(adopted.cluster).not.toHaveProperty('mysql_connect_retry');
    expect(adopted.changes.filter((c) => c.task.includes('Retry a lost connection')).map((c) => c.host)).toEqual([
      'hand-web1',
      'hand-web2',
    ]);
    const ini = readFileSync(join(out, 'hosts.ini'), 'utf8');
    expect(ini).toMatch(
      /\[directors\]\nhand-lvs2 ansible_host=10\.0\.7\.112 vrrp_priority=100 vrrp_state=BACKUP keepalived_router_id=LVS_2 keepalived_version=2\.2\.\d+\n/,
    );
    expect(ini).toMatch(/\[realservers\]\nhand-web1 ansible_host=10\.0\.7\.121 lvs_weight=3\n/);
    expect(ini).toContain('ansible_ssh_common_args=');
  });

  it('puts the secrets in the vault only', () => {
    expect(adopted.secrets.sort()).toEqual(['mysql_replication_password', 'vrrp_auth_pass']);
    expect(adopted.vaultFile).toBe('inventory/lab-vault-pass.txt');
    const vault = readFileSync(join(out, 'group_vars/all/vault.yml'), 'utf8');
    const secrets = readVaultPasswordFile(join(ROOT, 'inventory/lab-vault-pass.txt'));
    const value = (name: string) =>
      decryptVaultText(
        new RegExp(`${name}: !vault \\|\\n((?:  .*\\n)+)`).exec(vault)![1]!.replace(/^ {2}/gm, ''),
        secrets,
      );
    expect(value('vrrp_auth_pass')).toBe(VRRP_PASS);
    expect(value('mysql_replication_password')).toBe(REPL_PASS);
    const everything = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? everything(join(dir, e.name)) : [readFileSync(join(dir, e.name), 'utf8')],
      );
    for (const text of everything(out)) for (const s of [VRRP_PASS, REPL_PASS]) expect(text).not.toContain(s);
  });

  it('reports the planted mistake and what the roles cannot express, at their lines', () => {
    const deprecated = adopted.findings.filter((f) => f.rule === 'keepalived-deprecated-keyword');
    expect(deprecated.map((f) => `${f.pos?.file.replace(out, 'OUT')}:${f.pos?.line}`)).toEqual([
      'OUT/found/hand-lvs1/etc/keepalived/keepalived.conf:35',
      'OUT/found/hand-lvs1/etc/keepalived/keepalived.conf:43',
      'OUT/found/hand-lvs2/etc/keepalived/keepalived.conf:35',
      'OUT/found/hand-lvs2/etc/keepalived/keepalived.conf:43',
    ]);
    expect(deprecated[0]!.message).toContain("'nb_get_retry' is deprecated and keepalived 2.2 rejects it");
    expect(
      adopted.notReproduced.map((n) => `${n.host} ${n.pos?.line ?? '-'} ${n.what.split(':')[n.pos ? 1 : 0]!.trim()}`),
    ).toEqual([
      'hand-lvs1 3 `notification_email` in global_defs',
      'hand-lvs2 3 `notification_email` in global_defs',
      // the hand-made lvs_server stays (no role replaces it next to keepalived), and adopt says so
      'hand-lvs1 - /etc/init.d/lvs_server (started at boot)',
      'hand-lvs2 - /etc/init.d/lvs_server (started at boot)',
    ]);
  });

  it('site.yaml --check --diff changes exactly what adopt listed, keeps every keepalived setting but the fix, and prints no secret', async () => {
    const check = await runPlaybookFile(join(ROOT, 'playbooks/site.yaml'), {
      inventory: [join(out, 'hosts.ini')],
      check: true,
      diff: true,
      cwd: ROOT,
    });
    expect(check.exitCode).toBe(0);
    // adopt's own check run could tell everything
    expect(adopted.checkProblems).toEqual([]);
    const predicted = (h: string) =>
      adopted.changes
        .filter((c) => c.host === h)
        .map((c) => c.task)
        .sort();
    for (const h of HAND) expect([...new Set(check.rec.changedTasks(h))].sort(), h).toEqual(predicted(h));
    // the fix lint asked for is the reason keepalived.conf changes
    const conf = adopted.changes.find(
      (c) => c.host === 'hand-lvs1' && c.task.startsWith('director : Write keepalived.conf'),
    )!;
    expect(conf.rule).toBe('keepalived-deprecated-keyword');
    expect(conf.why).toContain("fixing what lint found: 'nb_get_retry' is deprecated and keepalived 2.2 rejects it");

    const write = check.rec.results('hand-lvs1').find((r) => r.task.includes('Write keepalived.conf'))!;
    const diff = write.result.changes.find((c) => c.diff)!.diff!;
    expect(diff.before).toContain('nb_get_retry');
    expect(diff.after).not.toContain('nb_get_retry');
    expect(settingsOf(diff.after)).toEqual(settingsOf(diff.before));

    const printed = await runCli(
      ['run', 'playbooks/site.yaml', '-i', join(out, 'hosts.ini'), '--check', '--diff'],
      ROOT,
    );
    expect(printed.code).toBe(0);
    expect(printed.out).toContain('-            nb_get_retry 3');
    for (const s of [VRRP_PASS, REPL_PASS]) expect(printed.out + printed.err).not.toContain(s);
  });

  it('says the same in text: what each host is, the findings, what stays and what the first run changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-adopt-text-'));
    const r = await runCli(['adopt', '-i', HOSTS, '-o', join(dir, 'out')], ROOT);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^adopt: read 4 hosts in \d+\.\d s$/m);
    expect(r.out).toContain('hand-lvs1: director (');
    expect(r.out).toContain(
      'vrrp_auth_pass, mysql_replication_password: vault-encrypted with inventory/lab-vault-pass.txt',
    );
    expect(r.out).toMatch(/keepalived\.conf:35:13: error\[keepalived-deprecated-keyword\]: 'nb_get_retry'/);
    expect(r.out).toMatch(
      new RegExp(
        `the first run of site\\.yaml will change \\(${adopted.changes.length}; the roles in check mode over .*hosts\\.ini, \\d+\\.\\d s\\):`,
      ),
    );
    for (const s of [VRRP_PASS, REPL_PASS]) expect(r.out).not.toContain(s);
  });

  it('the run takes the cluster over: the VIP stays on the MASTER, replication runs, a second run changes nothing', async () => {
    const run = await runPlaybookFile(join(ROOT, 'playbooks/site.yaml'), {
      inventory: [join(out, 'hosts.ini')],
      cwd: ROOT,
    });
    expect(run.exitCode).toBe(0);
    // nothing changed that adopt did not list
    for (const h of HAND)
      expect(
        run.rec.changedTasks(h).filter((t) => !adopted.changes.some((c) => c.host === h && c.task === t)),
        h,
      ).toEqual([]);
    const again = await runPlaybookFile(join(ROOT, 'playbooks/site.yaml'), {
      inventory: [join(out, 'hosts.ini')],
      check: true,
      cwd: ROOT,
    });
    for (const h of HAND) expect(again.rec.changedTasks(h), h).toEqual([]);
    expect(await must('hand-lvs1', ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0'])).toContain('10.0.7.250/24');
    expect(await must('hand-lvs2', ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0'])).not.toContain('10.0.7.250/');
    expect(await must('hand-lvs1', ['cat', '/etc/keepalived/keepalived.conf'])).toMatch(/^\s+retry 3$/m);
    // the page the real server served is still its own
    expect(await must('hand-web1', ['cat', '/var/www/html/index.html'])).toBe('<h1>hand-web1</h1>\n');
    for (const h of ['hand-web1', 'hand-web2']) {
      let status = '';
      for (let i = 0; i < 100 && !/Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/.test(status); i++) {
        status = await must(h, ['mysql', '-e', 'SHOW SLAVE STATUS\\G']);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(status, h).toMatch(/Slave_IO_Running: Yes[\s\S]*Slave_SQL_Running: Yes/);
    }
  }, 120_000);

  it('never overwrites without --force', async () => {
    const before = readFileSync(join(out, 'hosts.ini'), 'utf8');
    const r = await runCli(['adopt', '-i', HOSTS, '-o', out], ROOT);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/already exist.*--force/);
    expect(readFileSync(join(out, 'hosts.ini'), 'utf8')).toBe(before);
    expect(existsSync(join(out, 'found/hand-lvs1/etc/keepalived/keepalived.conf'))).toBe(true);
  });
});
