// mysql_user tls_requires and column_case_sensitive, mysql_db state=dump/import, on MariaDB 10.11
// (db1, Debian 12) and MariaDB 11.8 (sd13, Debian 13): check mode predicts the run and changes
// nothing, the run converges (a dump and an import change every time, as community.mysql's do),
// and what reached the server is read back with SHOW CREATE USER, SHOW GRANTS and SELECT.
import { beforeAll, describe, expect, it } from 'vitest';
import { changed, runPlaybookText, statuses } from '../helpers/lab-run.js';
import { labExec } from '../../src/lab/index.js';
import { KINDS_INVENTORY, convergeHonestly, ensureKindsLab, onHost, play } from './modules-system-helpers.js';

const sql = async (host: string, q: string): Promise<string> => {
  const r = await labExec(host, ['mysql', '--batch', '--skip-column-names'], { input: q });
  if (r.code !== 0) throw new Error(`${host}: ${r.stderr}`);
  return r.stdout.trim();
};

/** MariaDB installed and running, and this file's databases and accounts as a fresh server has them. */
async function prepare(host: string): Promise<void> {
  await onHost(
    host,
    `command -v mysql >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q mariadb-server mariadb-client >/dev/null 2>&1
     if [ -d /run/systemd/system ]; then systemctl start mariadb; else /etc/init.d/mariadb status >/dev/null 2>&1 || /etc/init.d/mariadb start >/dev/null; fi
     rm -f /tmp/tlsx.sql.gz /tmp/tlsx.sql`,
  );
  await sql(
    host,
    "DROP DATABASE IF EXISTS tlsx; DROP DATABASE IF EXISTS tlsx_copy; DROP USER IF EXISTS 'tlsx_app'@'%'; DROP USER IF EXISTS 'tlsx_x509'@'localhost'; DROP USER IF EXISTS 'tlsx_cs'@'localhost'; DROP USER IF EXISTS 'tlsx_dump'@'127.0.0.1';" +
      "CREATE DATABASE tlsx; CREATE TABLE tlsx.t (id INT PRIMARY KEY, Name VARCHAR(20), mail VARCHAR(40)); INSERT INTO tlsx.t VALUES (1, 'one', 'a@x'), (2, 'two', 'b@x');",
  );
}

const HOSTS = [
  { host: 'db1', server: 'MariaDB 10.11 on Debian 12' },
  { host: 'sd13', server: 'MariaDB 11.8 on Debian 13' },
];

beforeAll(async () => {
  await ensureKindsLab();
}, 300_000);

describe.each(HOSTS)('$server ($host)', ({ host }) => {
  beforeAll(() => prepare(host), 300_000);
  const accounts = () =>
    sql(
      host,
      "SELECT CONCAT(User, '@', Host) FROM mysql.user WHERE User LIKE 'tlsx%' ORDER BY 1; SHOW DATABASES LIKE 'tlsx%'",
    );

  it('tls_requires and column privileges: check predicts the run, a rerun changes nothing, the server has them', async () => {
    const pb = play(
      host,
      `    - name: app needs a certificate of this subject and issuer
      mysql_user:
        name: tlsx_app
        host: '%'
        password: app-pw
        priv: 'tlsx.t:SELECT (id, Name),INSERT'
        tls_requires: {subject: '/CN=app/O=lab', ISSUER: '/CN=lab ca'}
    - name: any client certificate
      community.mysql.mysql_user: {name: tlsx_x509, tls_requires: {x509: }}
    - name: columns as written
      mysql_user: {name: tlsx_cs, priv: 'tlsx.t:SELECT (Name, id),UPDATE (mail)', column_case_sensitive: true}
`,
    );
    const { real } = await convergeHonestly(pb, host, accounts);
    expect(changed(real, host)).toEqual([
      'app needs a certificate of this subject and issuer',
      'any client certificate',
      'columns as written',
    ]);
    const app = await sql(host, "SHOW CREATE USER 'tlsx_app'@'%'");
    expect(app).toContain("SUBJECT '/CN=app/O=lab'");
    expect(app).toContain("ISSUER '/CN=lab ca'");
    expect(await sql(host, "SHOW CREATE USER 'tlsx_x509'@'localhost'")).toMatch(/REQUIRE X509/);
    expect(await sql(host, "SHOW GRANTS FOR 'tlsx_app'@'%'")).toMatch(
      /GRANT SELECT \((`ID`, `NAME`|`NAME`, `ID`)\), INSERT ON `tlsx`\.`t`/,
    );
    expect(await sql(host, "SHOW GRANTS FOR 'tlsx_cs'@'localhost'")).toMatch(
      /SELECT \(`id`, `Name`\)|SELECT \(`Name`, `id`\)/,
    );
  }, 300_000);

  it('changes a TLS requirement, and without tls_requires requires nothing again', async () => {
    const ssl = play(host, `    - {name: ssl only, mysql_user: {name: tlsx_x509, tls_requires: {ssl: }}}\n`);
    const check = await runPlaybookText(ssl, { inventory: KINDS_INVENTORY, check: true, diff: true });
    expect(check.rec.results(host)[0]!.result.changes).toEqual([
      expect.objectContaining({
        diff: expect.objectContaining({ before: 'tls_requires: X509\n', after: 'tls_requires: SSL\n' }),
      }),
    ]);
    expect(changed(await runPlaybookText(ssl, { inventory: KINDS_INVENTORY }), host)).toEqual(['ssl only']);
    expect(await sql(host, "SHOW CREATE USER 'tlsx_x509'@'localhost'")).toMatch(/REQUIRE SSL/);
    const none = play(host, `    - {name: no tls, mysql_user: {name: tlsx_x509}}\n`);
    expect(changed(await runPlaybookText(none, { inventory: KINDS_INVENTORY }), host)).toEqual(['no tls']);
    expect(await sql(host, "SHOW CREATE USER 'tlsx_x509'@'localhost'")).not.toContain('REQUIRE');
    expect(changed(await runPlaybookText(none, { inventory: KINDS_INVENTORY }), host)).toEqual([]);
  }, 300_000);

  it('dumps to .sql.gz and imports it into a new database, password off every command line; both change every run', async () => {
    const pw = `d'p "#x $(touch /tmp/tlsx-pwned) \\ ;`;
    const pb = play(
      host,
      `    - name: dump account
      mysql_user: {name: tlsx_dump, host: 127.0.0.1, password: "{{ pw }}", priv: 'tlsx.*:SELECT,LOCK TABLES,SHOW VIEW'}
    - name: dump
      mysql_db:
        name: tlsx
        state: dump
        target: /tmp/tlsx.sql.gz
        single_transaction: true
        login_user: tlsx_dump
        login_password: "{{ pw }}"
        login_host: 127.0.0.1
    - name: import
      mysql_db: {name: tlsx_copy, state: import, target: /tmp/tlsx.sql.gz, encoding: utf8mb4}
`,
    );
    const ev = [JSON.stringify({ pw })];
    const check = await runPlaybookText(pb, { inventory: KINDS_INVENTORY, check: true, diff: true, extraVars: ev });
    expect(check.exitCode).toBe(0);
    // The dump logs in with the account the run creates first: check mode says it cannot know.
    expect(statuses(check, host)).toEqual({ 'dump account': 'changed', dump: 'unknown', import: 'changed' });
    expect(await onHost(host, 'test -e /tmp/tlsx.sql.gz && echo there || echo absent')).toBe('absent\n');
    expect(await sql(host, "SHOW DATABASES LIKE 'tlsx_copy'")).toBe('');
    const run = await runPlaybookText(pb, { inventory: KINDS_INVENTORY, diff: true, extraVars: ev });
    expect(run.exitCode, JSON.stringify(run.rec.results(host).map((r) => r.result.msg))).toBe(0);
    expect(changed(run, host)).toEqual(['dump account', 'dump', 'import']);
    expect(await onHost(host, 'gzip -dc /tmp/tlsx.sql.gz | grep -c "INSERT INTO .t."')).toBe('1\n');
    expect(await sql(host, 'SELECT id, Name FROM tlsx_copy.t ORDER BY id')).toBe('1\tone\n2\ttwo');
    expect(
      await sql(
        host,
        "SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='tlsx_copy'",
      ),
    ).toBe('utf8mb4');
    const dump = run.rec.results(host).find((r) => r.task === 'dump')!.result;
    expect(dump.data).toMatchObject({
      db: 'tlsx',
      db_list: ['tlsx'],
      executed_commands: [expect.stringContaining('mysqldump')],
    });
    // The password was never executed as shell, nor shown.
    expect((await onHost(host, 'test -e /tmp/tlsx-pwned && echo pwned || echo clean')).trim()).toBe('clean');
    expect(JSON.stringify(run.rec.events)).not.toContain('touch /tmp/tlsx-pwned');
    const again = await runPlaybookText(pb, { inventory: KINDS_INVENTORY, extraVars: ev });
    expect(again.exitCode).toBe(0);
    expect(changed(again, host)).toEqual(['dump', 'import']);
    expect(await sql(host, 'SELECT COUNT(*) FROM tlsx_copy.t')).toBe('2');
  }, 300_000);

  it("a dump of a missing database and an import of a missing file fail with community.mysql's messages", async () => {
    const pb = play(
      host,
      `    - {name: no such db, mysql_db: {name: tlsx_gone, state: dump, target: /tmp/gone.sql}, ignore_errors: true}
    - {name: no such file, mysql_db: {name: tlsx, state: import, target: /tmp/gone.sql.bz2}, ignore_errors: true}
`,
    );
    const r = await runPlaybookText(pb, { inventory: KINDS_INVENTORY });
    const msgs = r.rec.results(host).map((x) => [x.status, x.result.msg]);
    expect(msgs[0]).toEqual(['failed', "Cannot dump database(s) 'tlsx_gone' - not found"]);
    expect(msgs[1]![0]).toBe('failed');
    expect(msgs[1]![1]).toContain('target /tmp/gone.sql.bz2 does not exist on the host');
  }, 300_000);
});
