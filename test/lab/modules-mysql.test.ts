// mysql_db, mysql_user and mysql_replication on the lab's MariaDB (db1, db2): converge, rerun
// with no change, check mode predicting exactly what the run then did and changing nothing, and
// a whole master-master setup whose rows travel both ways.
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureLab, runPlaybookText, statuses, changed, type PlayRun } from '../helpers/lab-run.js';
import { labExec } from '../../src/lab/index.js';

const sql = async (host: string, q: string): Promise<string> => {
  const r = await labExec(host, ['mysql', '--batch', '--skip-column-names'], { input: q });
  if (r.code !== 0) throw new Error(`${host}: ${r.stderr}`);
  return r.stdout.trim();
};

/** What a run changed, with diffs, per task: check mode must predict exactly this. */
const changesOf = (run: PlayRun, host: string) =>
  run.rec
    .results(host)
    .filter((r) => r.status === 'changed')
    .map((r) => ({ task: r.task, changes: r.result.changes }));

async function prepareServer(host: string, id: number): Promise<void> {
  const cnf = `[mysqld]\nserver-id = ${id}\nlog-bin = mysql-bin\nbind-address = 0.0.0.0\nlog-slave-updates = 1\nauto-increment-increment = 2\nauto-increment-offset = ${id}\n`;
  const script = `command -v mysql >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q mariadb-server mariadb-client >/dev/null 2>&1
    printf '%s' "$1" > /etc/mysql/mariadb.conf.d/60-replication.cnf
    /etc/init.d/mariadb restart >/dev/null 2>&1 || /etc/init.d/mariadb start`;
  const r = await labExec(host, ['sh', '-c', script, 'x', cnf]);
  expect(r.code, r.stderr).toBe(0);
  await sql(
    host,
    "SET sql_log_bin=0; STOP SLAVE; RESET SLAVE ALL; DROP DATABASE IF EXISTS misc_app; DROP DATABASE IF EXISTS repltest; DROP USER IF EXISTS 'misc_app'@'%'; DROP USER IF EXISTS 'repl'@'%'; RESET MASTER;",
  );
}

beforeAll(async () => {
  await ensureLab();
  await Promise.all([prepareServer('db1', 1), prepareServer('db2', 2)]);
}, 120_000);

const appPlay = `
- hosts: db1
  gather_facts: false
  tasks:
    - name: app database
      mysql_db: {name: misc_app, encoding: utf8mb4, collation: utf8mb4_unicode_ci}
    - name: app user
      community.mysql.mysql_user:
        name: misc_app
        host: '%'
        password: "{{ app_pw }}"
        priv: 'misc_app.*:ALL'
    - name: log in as the app user
      mysql_db:
        name: misc_app
        login_user: misc_app
        login_password: "{{ app_pw }}"
        login_host: 127.0.0.1
`;
const hostile = `p'w "#x $(touch /tmp/misc-pwned) \\ ;`;
const vars = [JSON.stringify({ app_pw: hostile })];

describe('mysql_db and mysql_user on db1', () => {
  it('check predicts exactly, the run converges, a rerun changes nothing', async () => {
    const check = await runPlaybookText(appPlay, { check: true, diff: true, extraVars: vars });
    // Check mode changed nothing on the server.
    expect(await sql('db1', "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='misc_app'")).toBe('0');
    const run = await runPlaybookText(appPlay, { diff: true, extraVars: vars });
    expect(run.exitCode).toBe(0);
    expect(statuses(run, 'db1')).toEqual({
      'app database': 'changed',
      'app user': 'changed',
      'log in as the app user': 'ok',
    });
    // The last task could only be predicted after the earlier ones: it is "unknown" in check mode.
    expect(statuses(check, 'db1')['log in as the app user']).toBe('unknown');
    expect(changesOf(check, 'db1')).toEqual(changesOf(run, 'db1'));
    expect(
      await sql('db1', "SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='misc_app'"),
    ).toBe('utf8mb4_unicode_ci');
    const again = await runPlaybookText(appPlay, { extraVars: vars });
    expect(again.exitCode).toBe(0);
    expect(changed(again, 'db1')).toEqual([]);
    // The password was never executed as shell, nor shown.
    expect((await labExec('db1', ['test', '-e', '/tmp/misc-pwned'])).code).not.toBe(0);
    expect(JSON.stringify(run.rec.events)).not.toContain('touch /tmp/misc-pwned');
  });

  it('changes a password and privileges, then removes user and database', async () => {
    const change = `
- hosts: db1
  gather_facts: false
  tasks:
    - name: narrower
      mysql_user: {name: misc_app, host: '%', password: other, priv: 'misc_app.*:SELECT,INSERT'}
`;
    const r = await runPlaybookText(change);
    expect(statuses(r, 'db1')).toEqual({ narrower: 'changed' });
    expect(r.rec.results('db1')[0]!.result.changes.map((c) => c.summary)).toEqual([
      'change password of mysql user misc_app@%',
      'set privileges of mysql user misc_app@%',
    ]);
    expect(await sql('db1', "SHOW GRANTS FOR 'misc_app'@'%'")).toContain('GRANT SELECT, INSERT ON `misc_app`.*');
    expect(changed(await runPlaybookText(change), 'db1')).toEqual([]);
    const gone = `
- hosts: db1
  gather_facts: false
  tasks:
    - {name: no user, mysql_user: {name: misc_app, host: '%', state: absent}}
    - {name: no db, mysql_db: {name: misc_app, state: absent}}
`;
    const check = await runPlaybookText(gone, { check: true });
    expect(changed(check, 'db1')).toEqual(['no user', 'no db']);
    expect(await sql('db1', "SELECT COUNT(*) FROM mysql.user WHERE User='misc_app'")).toBe('1');
    expect(changed(await runPlaybookText(gone), 'db1')).toEqual(['no user', 'no db']);
    expect(changed(await runPlaybookText(gone), 'db1')).toEqual([]);
  });
});

const replPlay = `
- hosts: dbservers
  gather_facts: false
  vars:
    peer: "{{ 'db2' if inventory_hostname == 'db1' else 'db1' }}"
  tasks:
    - name: replication user
      mysql_user: {name: repl, host: '%', password: "{{ repl_pw }}", priv: '*.*:REPLICATION SLAVE', sql_log_bin: false}
    - name: shared database
      mysql_db: {name: repltest}
    - name: where my binlog is
      mysql_replication: {mode: getprimary}
      register: primary
    - name: replicate from the peer
      community.mysql.mysql_replication:
        mode: changemaster
        master_host: "{{ hostvars[peer].ansible_host }}"
        master_user: repl
        master_password: "{{ repl_pw }}"
        master_log_file: "{{ hostvars[peer].primary.File }}"
        master_log_pos: "{{ hostvars[peer].primary.Position }}"
    - name: start replication
      mysql_replication: {mode: startreplica}
`;

describe('mysql_replication: master-master on db1 and db2', () => {
  it('sets up both ways, rows travel both ways, a rerun leaves it alone', async () => {
    const ev = [JSON.stringify({ repl_pw: "r'pl#pw" })];
    const check = await runPlaybookText(replPlay, { check: true, diff: true, extraVars: ev });
    expect(await sql('db2', 'SHOW SLAVE STATUS')).toBe('');
    const run = await runPlaybookText(replPlay, { diff: true, extraVars: ev });
    expect(run.exitCode).toBe(0);
    for (const h of ['db1', 'db2']) {
      expect(changed(run, h)).toEqual([
        'replication user',
        'shared database',
        'replicate from the peer',
        'start replication',
      ]);
      // Starting needs the primary check mode did not set: it says "unknown", not a guess.
      expect(statuses(check, h)['start replication']).toBe('unknown');
      // The binlog position read in check mode is the one before `shared database` was created
      // (check mode did not create it): the prediction differs only in that number.
      const noPos = (cs: ReturnType<typeof changesOf>) =>
        JSON.parse(JSON.stringify(cs).replace(/log: mysql-bin\.\d+:\d+/g, 'log: POS'));
      expect(noPos(changesOf(check, h))).toEqual(
        noPos(changesOf(run, h).filter((c) => c.task !== 'start replication')),
      );
    }
    await sql(
      'db1',
      "CREATE TABLE repltest.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20)); INSERT INTO repltest.t (v) VALUES ('from-db1');",
    );
    await sql('db2', 'SELECT 1'); // give the replica a moment
    const until = async (host: string, q: string, want: string): Promise<string> => {
      let got = '';
      for (let i = 0; i < 50 && got !== want; i++) {
        got = await sql(host, q).catch(() => '');
        if (got !== want) await new Promise((r) => setTimeout(r, 100));
      }
      return got;
    };
    expect(await until('db2', "SELECT v FROM repltest.t WHERE v='from-db1'", 'from-db1')).toBe('from-db1');
    await sql('db2', "INSERT INTO repltest.t (v) VALUES ('from-db2')");
    expect(await until('db1', "SELECT v FROM repltest.t WHERE v='from-db2'", 'from-db2')).toBe('from-db2');
    const again = await runPlaybookText(replPlay, { extraVars: ev });
    expect(again.exitCode).toBe(0);
    expect(changed(again, 'db1')).toEqual([]);
    expect(changed(again, 'db2')).toEqual([]);
    expect(await sql('db2', 'SELECT COUNT(*) FROM repltest.t')).toBe('2');
    const status = await sql('db1', 'SHOW SLAVE STATUS');
    expect(status).toContain('10.0.7.42');
    expect(status.split('\t')).toContain('Yes');
  }, 120_000);
});
