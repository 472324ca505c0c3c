// mysql_user / mysql_db / mysql_replication: probes parsed from output captured on the lab's
// MariaDB 10.11, and the plans made from them.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mysqlCall, nativePasswordHash, optionValue, parseBatch, sqlString } from '../../src/modules/mysql-client.js';
import { parsePriv, parseGrants, formatPrivileges } from '../../src/modules/mysql-grants.js';
import { parseRequires, parseUser, planUser, mysqlUserModule, sanitizeRequires } from '../../src/modules/mysql_user.js';
import { mysqlDbModule, parseDbs, planDbs } from '../../src/modules/mysql_db.js';
import { mysqlReplicationModule, parseReplication, planReplication } from '../../src/modules/mysql_replication.js';
import { Secret, revealDeep } from '../../src/secret.js';

/** Arguments as the executor hands them to a module: secrets given, revealed in one place. */
const asGiven = <T>(args: T) => revealDeep(args, () => undefined);
import type { ExecResult } from '../../src/transport/types.js';

const ok = (stdout: string, code = 0, stderr = ''): ExecResult => ({ code, stdout, stderr, ms: 3 });

// SELECT '#u' ...; SELECT '#g'; SHOW GRANTS FOR 'app'@'%' on db1.
const APP_EXISTS =
  '#u\t%\tapp\t*14E65567ABDB5135D0CFD9A70B3032C179A49EE7\tmysql_native_password\n#g\n' +
  "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7'\n" +
  'GRANT ALL PRIVILEGES ON `t1`.* TO `app`@`%`\n';
const ZZ_MISSING = ok(
  '#g\n',
  1,
  "ERROR 1141 (42000) at line 1: There is no such grant defined for user 'zz' on host '%'\n",
);
const ROOT_GRANTS = [
  "GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` IDENTIFIED VIA mysql_native_password USING 'invalid' OR unix_socket WITH GRANT OPTION",
  'GRANT PROXY ON ``@`%` TO `root`@`localhost` WITH GRANT OPTION',
];
// SHOW SLAVE STATUS; SHOW MASTER STATUS (with column names) on db2 after CHANGE MASTER, not started.
const SLAVE_HEAD =
  'Slave_IO_State\tMaster_Host\tMaster_User\tMaster_Port\tConnect_Retry\tMaster_Log_File\tRead_Master_Log_Pos\tRelay_Log_File\tRelay_Log_Pos\tRelay_Master_Log_File\tSlave_IO_Running\tSlave_SQL_Running\tReplicate_Do_DB\tReplicate_Ignore_DB\tReplicate_Do_Table\tReplicate_Ignore_Table\tReplicate_Wild_Do_Table\tReplicate_Wild_Ignore_Table\tLast_Errno\tLast_Error\tSkip_Counter\tExec_Master_Log_Pos\tRelay_Log_Space\tUntil_Condition\tUntil_Log_File\tUntil_Log_Pos\tMaster_SSL_Allowed\tMaster_SSL_CA_File\tMaster_SSL_CA_Path\tMaster_SSL_Cert\tMaster_SSL_Cipher\tMaster_SSL_Key\tSeconds_Behind_Master\tMaster_SSL_Verify_Server_Cert\tLast_IO_Errno\tLast_IO_Error\tLast_SQL_Errno\tLast_SQL_Error\tReplicate_Ignore_Server_Ids\tMaster_Server_Id\tMaster_SSL_Crl\tMaster_SSL_Crlpath\tUsing_Gtid\tGtid_IO_Pos\tReplicate_Do_Domain_Ids\tReplicate_Ignore_Domain_Ids\tParallel_Mode\tSQL_Delay\tSQL_Remaining_Delay\tSlave_SQL_Running_State\tSlave_DDL_Groups\tSlave_Non_Transactional_Groups\tSlave_Transactional_Groups\tReplicate_Rewrite_DB\n';
const SLAVE_STOPPED =
  SLAVE_HEAD +
  '\t10.0.7.41\trepl\t3306\t60\tmysql-bin.000001\t4\tmysqld-relay-bin.000001\t4\tmysql-bin.000001\tNo\tNo\t\t\t\t\t\t\t0\t\t0\t4\t256\tNone\t\t0\tNo\t\t\t\t\t\tNULL\tNo\t0\t\t0\t\t\t0\t\t\tNo\t\t\t\toptimistic\t0\tNULL\t\t0\t0\t0\t\n' +
  'File\tPosition\tBinlog_Do_DB\tBinlog_Ignore_DB\nmysql-bin.000001\t328\t\t\n';
const running = SLAVE_STOPPED.replace('\tNo\tNo\t', '\tYes\tYes\t').replace(
  /^\t10\.0/m,
  'Waiting for master to send event\t10.0',
);

describe('mysql client plumbing', () => {
  it('undoes the batch escapes and NULL', () => {
    // SELECT 'tab', 'a<TAB>b\\c<NL>d', NULL as the client printed it.
    expect(parseBatch('tab\ta\\tb\\\\c\\nd\tNULL\n')).toEqual([['tab', 'a\tb\\c\nd', null]]);
  });
  it('quotes SQL strings and option values so no value can end them', () => {
    expect(sqlString("o'k\\x")).toBe("'o\\'k\\\\x'");
    expect(optionValue(`p'#w "x"\\`)).toBe(`"p\\'#w \\"x\\"\\\\"`);
  });
  it("computes the mysql_native_password hash the server computes (PASSWORD('abc') on db1)", () => {
    expect(nativePasswordHash('abc')).toBe('*0D3CED9BEC10A777AEC23CCC353A8C08A633045E');
  });
  it('never puts a login password on the command line: it travels on stdin', () => {
    const c = mysqlCall(asGiven({ login_user: 'admin', login_password: new Secret('s3cr$t pw') }), 'SELECT 1;\n', {
      readOnly: true,
    });
    expect(c.cmd.text).not.toContain('s3cr');
    expect(c.stdin?.split('\n')[0]).toBe('password="s3cr$t pw"');
    expect(c.stdin).toContain('SELECT 1;');
  });
  it.each([
    ['mysql ends', 'exit 0', 0],
    ['the session hangs up (a killed controller)', 'kill -HUP $PPID; sleep 1', 129],
    ['the session pipe breaks', 'kill -PIPE $PPID; sleep 1', 141],
  ])('leaves no file holding the password when %s (run by sh with a stand-in mysql)', (_what, body, code) => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-mysql-'));
    try {
      const bin = join(dir, 'bin');
      const tmp = join(dir, 'tmp');
      for (const d of [bin, tmp]) spawnSync('mkdir', ['-p', d]);
      writeFileSync(
        join(bin, 'mysql'),
        `#!/bin/sh\nfor a; do case $a in --defaults-extra-file=*) cat "\${a#*=}" > ${dir}/seen;; esac; done\n${body}\n`,
      );
      chmodSync(join(bin, 'mysql'), 0o755);
      const c = mysqlCall(asGiven({ login_user: 'admin', login_password: new Secret('pw') }), 'SELECT 1;\n');
      const r = spawnSync('sh', ['-c', c.cmd.text], {
        input: c.stdin,
        env: { PATH: `${bin}:/usr/bin:/bin`, TMPDIR: tmp },
        encoding: 'utf8',
      });
      expect(r.status).toBe(code);
      expect(readdirSync(dir)).toContain('seen'); // the stand-in read the password file
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('privileges', () => {
  it('reads priv strings and mappings into one form', () => {
    expect(formatPrivileges(parsePriv('app.*:ALL,GRANT/*.*:REPLICATION SLAVE'))).toBe(
      '*.*:REPLICATION SLAVE/app.*:ALL PRIVILEGES,GRANT',
    );
    expect(formatPrivileges(parsePriv({ '`app`.*': 'select, insert' }))).toBe('app.*:INSERT,SELECT');
    expect(() => parsePriv('app.*')).toThrow(/db.table:PRIV/);
  });
  it('takes only privilege names, so group_vars cannot inject SQL into GRANT', () => {
    expect(formatPrivileges(parsePriv('app.t:SELECT (id, name),UPDATE (name)'))).toBe(
      'app.t:SELECT (ID, NAME),UPDATE (NAME)',
    );
    for (const bad of [
      'app.*:SELECT ON *.* TO evil; DROP DATABASE app; --',
      'app.*:ALL; DROP USER root',
      "app.*:SELECT (a'), b)",
      'app.*:SELEKT',
    ])
      expect(() => parsePriv(bad), bad).toThrow(/is not a MySQL privilege/);
  });
  it('reads SHOW GRANTS, leaving PROXY out and the grant option as GRANT', () => {
    expect(formatPrivileges(parseGrants(ROOT_GRANTS))).toBe('*.*:ALL PRIVILEGES,GRANT');
  });
});

describe('mysql_user', () => {
  it('parses an existing account and a missing one', () => {
    const s = parseUser(ok(APP_EXISTS, 0));
    expect(s).toMatchObject({
      exists: true,
      authString: '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7',
      plugin: 'mysql_native_password',
    });
    expect(formatPrivileges(s.grants)).toBe('t1.*:ALL PRIVILEGES');
    expect(parseUser(ZZ_MISSING).exists).toBe(false);
  });
  it('fails to read when the client cannot connect', () => {
    expect(() => parseUser(ok('', 1, "ERROR 1045 (28000): Access denied for user 'x'@'localhost'\n"))).toThrow(
      /Access denied/,
    );
    expect(() => parseUser(ok('', 127, 'sh: mysql: not found'))).toThrow(/not installed/);
  });
  it('plans nothing when password and privileges match', () => {
    const s = parseUser(ok(APP_EXISTS));
    const p = planUser(asGiven({ name: 'app', host: '%', password: new Secret('secret'), priv: 't1.*:ALL' }), s);
    expect(p).toMatchObject({ changes: [] });
  });
  it('creates with the hash, never the plain password, and grants', () => {
    const p = planUser(
      asGiven({ name: 'zz', host: '%', password: new Secret('pa$$'), priv: 'd.*:SELECT' }),
      parseUser(ZZ_MISSING),
    );
    if ('failed' in p) throw new Error(p.failed);
    expect(p.changes).toHaveLength(1);
    const step = p.changes[0]!.steps[0] as { run: { text: string }; stdin: string };
    expect(step.stdin).toContain(`CREATE USER 'zz'@'%' IDENTIFIED BY PASSWORD '${nativePasswordHash('pa$$')}';`);
    expect(step.stdin).toContain("GRANT SELECT ON `d`.* TO 'zz'@'%';");
    expect(step.stdin + step.run.text + JSON.stringify(p.changes[0]!.diff)).not.toContain('pa$$');
  });
  it('changes a different password and revokes what priv no longer lists', () => {
    const p = planUser({ name: 'app', host: '%', password: 'other', priv: 't1.*:SELECT' }, parseUser(ok(APP_EXISTS)));
    if ('failed' in p) throw new Error(p.failed);
    expect(p.changes.map((c) => c.summary)).toEqual([
      'change password of mysql user app@%',
      'set privileges of mysql user app@%',
    ]);
    const sql = (p.changes[1]!.steps[0] as { stdin: string }).stdin;
    expect(sql).toContain("REVOKE ALL PRIVILEGES ON `t1`.* FROM 'app'@'%';");
    expect(sql).toContain("GRANT SELECT ON `t1`.* TO 'app'@'%';");
    expect(p.changes[1]!.diff).toMatchObject({
      before: 'privileges: t1.*:ALL PRIVILEGES\n',
      after: 'privileges: t1.*:SELECT\n',
    });
  });
  it('append_privs only adds; update_password on_create leaves a password alone', () => {
    const p = planUser(
      {
        name: 'app',
        host: '%',
        password: 'other',
        update_password: 'on_create',
        priv: 'x.*:SELECT',
        append_privs: true,
      },
      parseUser(ok(APP_EXISTS)),
    );
    if ('failed' in p) throw new Error(p.failed);
    expect(p.changes).toHaveLength(1);
    expect((p.changes[0]!.steps[0] as { stdin: string }).stdin).not.toContain('REVOKE');
  });
  it('drops an existing account for state=absent, and is ok when it is gone', () => {
    expect(planUser({ name: 'app', host: '%', state: 'absent' }, parseUser(ok(APP_EXISTS)))).toMatchObject({
      changes: [{ summary: 'drop mysql user app@%' }],
    });
    expect(planUser({ name: 'zz', host: '%', state: 'absent' }, parseUser(ZZ_MISSING))).toMatchObject({ changes: [] });
  });
  it('refuses host_all at load time instead of ignoring it', () => {
    expect(mysqlUserModule.args.safeParse({ name: 'a', host_all: true }).success).toBe(false);
  });
});

describe('mysql_db', () => {
  const dbs = parseDbs(ok('#d\tt1\tutf8mb4\tutf8mb4_general_ci\n'));
  it('creates missing databases, leaves matching ones, alters a different charset', () => {
    expect(planDbs({ name: ['t1', 't2'] }, dbs)).toMatchObject({ changes: [{ summary: 'create database t2' }] });
    expect(planDbs({ name: ['t1'], encoding: 'utf8mb4' }, dbs)).toMatchObject({ changes: [] });
    const p = planDbs({ name: ['t1'], encoding: 'utf8', collation: 'utf8_general_ci' }, dbs);
    expect(p).toMatchObject({ changes: [{ summary: 'alter database t1' }] });
    // utf8 is what MariaDB now calls utf8mb3: no change once the server holds it.
    expect(
      planDbs({ name: ['t1'], encoding: 'utf8' }, parseDbs(ok('#d\tt1\tutf8mb3\tutf8mb3_general_ci\n'))),
    ).toMatchObject({ changes: [] });
  });
  it('drops only what exists', () => {
    expect(planDbs({ name: ['t1', 'nope'], state: 'absent' }, dbs)).toMatchObject({
      changes: [{ summary: 'drop database t1' }],
    });
  });
});

describe('mysql_replication', () => {
  it('reads SHOW SLAVE STATUS and SHOW MASTER STATUS by column name', () => {
    const s = parseReplication(ok(SLAVE_STOPPED));
    expect(s.replica).toMatchObject({
      Master_Host: '10.0.7.41',
      Master_User: 'repl',
      Master_Port: '3306',
      Slave_IO_Running: 'No',
      Seconds_Behind_Master: null,
    });
    expect(s.primary).toEqual({ File: 'mysql-bin.000001', Position: '328', Binlog_Do_DB: '', Binlog_Ignore_DB: '' });
    expect(parseReplication(ok(''))).toEqual({});
  });
  it('leaves a replica alone that already points at the primary, log position notwithstanding', () => {
    const s = parseReplication(ok(running));
    const a = {
      mode: 'changeprimary' as const,
      primary_host: '10.0.7.41',
      primary_user: 'repl',
      primary_password: new Secret('pw'),
      primary_log_file: 'mysql-bin.000009',
      primary_log_pos: 1234,
    };
    expect(planReplication(asGiven(a), s)).toMatchObject({ changes: [] });
  });
  it('points a replica elsewhere: stops, changes and restarts it, password masked in queries', () => {
    const s = parseReplication(ok(running));
    const p = planReplication(
      asGiven({
        mode: 'changemaster' as const,
        primary_host: '10.0.7.42',
        primary_user: 'repl',
        primary_password: new Secret('pw!'),
      }),
      s,
    );
    if ('failed' in p) throw new Error(p.failed);
    const sql = (p.changes[0]!.steps[0] as { stdin: string }).stdin;
    expect(sql.split('\n').filter(Boolean)).toEqual([
      'STOP SLAVE;',
      "CHANGE MASTER TO MASTER_HOST='10.0.7.42', MASTER_USER='repl', MASTER_PASSWORD='pw!';",
      'START SLAVE;',
    ]);
    expect(JSON.stringify(p.data)).not.toContain('pw!');
  });
  it('check mode: a replica an earlier task stops is then seen stopped, so starting it is predicted', () => {
    const live = parseReplication(ok(running));
    const stop = planReplication({ mode: 'stopreplica' }, live);
    if (!('changes' in stop)) throw new Error('expected a plan');
    const step = stop.changes[0]!.steps[0]!;
    const writes = 'run' in step ? step.writes : undefined;
    expect(writes?.content).toBe('stopped');
    const predicted = new Map([[writes!.path, { content: Buffer.from(writes!.content) }]]);
    const seen = mysqlReplicationModule.overlay!(live, predicted);
    expect(planReplication({ mode: 'startreplica' }, seen)).toMatchObject({ changes: [{ summary: 'start replica' }] });
    expect(mysqlReplicationModule.overlay!(live, new Map())).toBe(live);
    expect(planReplication({ mode: 'startreplica' }, live)).toMatchObject({ changes: [] });
  });
  it('starts a stopped replica, and is ok when it runs', () => {
    expect(planReplication({ mode: 'startreplica' }, parseReplication(ok(SLAVE_STOPPED)))).toMatchObject({
      changes: [{ summary: 'start replica' }],
    });
    expect(planReplication({ mode: 'startslave' as never }, parseReplication(ok(running)))).toMatchObject({
      changes: [],
    });
    expect(planReplication({ mode: 'startreplica' }, {})).toMatchObject({
      failed: expect.stringMatching(/changeprimary/),
    });
  });
  it('returns the primary status for getprimary', () => {
    expect(planReplication({ mode: 'getprimary' }, parseReplication(ok(SLAVE_STOPPED)))).toMatchObject({
      changes: [],
      data: { Is_Primary: true, File: 'mysql-bin.000001', Position: '328' },
    });
  });
});

describe('mysql_user tls_requires and column_case_sensitive', () => {
  // SHOW CREATE USER on MariaDB 10.11 after CREATE USER ... REQUIRE ...
  const withCreate = (create: string): ExecResult => ok(`${APP_EXISTS}#c\n${create}\n`);
  const HASH = '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7';
  it('reads tls_requires as community.mysql does: named parts win, then X509, else SSL', () => {
    expect(sanitizeRequires(undefined)).toBeUndefined();
    expect(sanitizeRequires({})).toBeUndefined();
    expect(sanitizeRequires({ ssl: true })).toBe('SSL');
    expect(sanitizeRequires({ X509: null, ssl: true })).toBe('X509');
    expect(sanitizeRequires({ ssl: true, subject: '/CN=app', Issuer: '/CN=ca' })).toEqual([
      ['SUBJECT', '/CN=app'],
      ['ISSUER', '/CN=ca'],
    ]);
  });
  it('reads REQUIRE back from SHOW CREATE USER', () => {
    expect(parseRequires(`CREATE USER \`app\`@\`%\` IDENTIFIED BY PASSWORD '${HASH}'`)).toBeUndefined();
    expect(parseRequires(`CREATE USER \`app\`@\`%\` IDENTIFIED BY PASSWORD '${HASH}' REQUIRE SSL`)).toBe('SSL');
    expect(parseRequires('CREATE USER `app`@`%` REQUIRE X509 WITH MAX_QUERIES_PER_HOUR 5')).toBe('X509');
    expect(
      parseRequires(
        "CREATE USER `app`@`%` REQUIRE ISSUER '/CN=ca' SUBJECT '/CN=app' CIPHER 'ECDHE-RSA-AES256-GCM-SHA384'",
      ),
    ).toEqual([
      ['ISSUER', '/CN=ca'],
      ['SUBJECT', '/CN=app'],
      ['CIPHER', 'ECDHE-RSA-AES256-GCM-SHA384'],
    ]);
    expect(parseUser(withCreate('CREATE USER `app`@`%` REQUIRE SSL')).requires).toBe('SSL');
  });
  it('plans REQUIRE on create, nothing when the server has it, ALTER when it differs', () => {
    const created = planUser(
      asGiven({ name: 'zz', host: '%', password: new Secret('pw'), tls_requires: { ssl: true } }),
      parseUser(ZZ_MISSING),
    );
    if ('failed' in created) throw new Error(created.failed);
    expect((created.changes[0]!.steps[0] as { stdin: string }).stdin).toMatch(
      /CREATE USER 'zz'@'%' IDENTIFIED BY PASSWORD '\*[0-9A-F]{40}' REQUIRE SSL;/,
    );
    const base = { name: 'app', host: '%', password: 'secret', priv: 't1.*:ALL' };
    const named = "CREATE USER `app`@`%` REQUIRE SUBJECT '/CN=app' ISSUER '/CN=ca'";
    expect(
      planUser({ ...base, tls_requires: { issuer: '/CN=ca', subject: '/CN=app' } }, parseUser(withCreate(named))),
    ).toMatchObject({ changes: [] });
    const p = planUser({ ...base, tls_requires: { x509: true } }, parseUser(withCreate(named)));
    if ('failed' in p) throw new Error(p.failed);
    expect(p.changes.map((c) => c.summary)).toEqual(['set TLS requirements of mysql user app@%']);
    expect((p.changes[0]!.steps[0] as { stdin: string }).stdin).toContain("ALTER USER 'app'@'%' REQUIRE X509;");
    expect(p.changes[0]!.diff).toMatchObject({
      before: "tls_requires: SUBJECT '/CN=app' AND ISSUER '/CN=ca'\n",
      after: 'tls_requires: X509\n',
    });
    const q = planUser({ ...base, tls_requires: { subject: "/CN=o'k" } }, parseUser(ok(APP_EXISTS)));
    if ('failed' in q) throw new Error(q.failed);
    expect((q.changes[0]!.steps[0] as { stdin: string }).stdin).toContain(
      "ALTER USER 'app'@'%' REQUIRE SUBJECT '/CN=o\\'k';",
    );
  });
  it('without tls_requires an account that requires TLS is set to REQUIRE NONE, as community.mysql does', () => {
    const p = planUser({ name: 'app', host: '%' }, parseUser(withCreate('CREATE USER `app`@`%` REQUIRE SSL')));
    if ('failed' in p) throw new Error(p.failed);
    expect((p.changes[0]!.steps[0] as { stdin: string }).stdin).toContain("ALTER USER 'app'@'%' REQUIRE NONE;");
  });
  it('refuses a TLS key MySQL does not have at load time', () => {
    expect(mysqlUserModule.args.safeParse({ name: 'a', tls_requires: { ssl: true } }).success).toBe(true);
    expect(mysqlUserModule.args.safeParse({ name: 'a', tls_requires: { 'SSL; DROP': true } }).success).toBe(false);
    expect(mysqlUserModule.args.safeParse({ name: 'a', tls_requires: { subject: ['x'] } }).success).toBe(false);
  });
  // SHOW GRANTS on MariaDB 10.11 after GRANT SELECT (`Id`, name) ON app.t.
  const COLS =
    '#u\t%\tapp\t\tmysql_native_password\n#g\nGRANT USAGE ON *.* TO `app`@`%`\n' +
    'GRANT SELECT (`name`, `Id`) ON `app`.`t` TO `app`@`%`\n';
  it('column_case_sensitive: false upper-cases column names on both sides (community.mysql before 4.0)', () => {
    const p = planUser({ name: 'app', host: '%', priv: 'app.t:SELECT (id, NAME)' }, parseUser(ok(COLS)));
    expect(p).toMatchObject({ changes: [] });
    const grant = planUser({ name: 'app', host: '%', priv: 'app.t:SELECT (id, mail)' }, parseUser(ok(COLS)));
    if ('failed' in grant) throw new Error(grant.failed);
    expect((grant.changes[0]!.steps[0] as { stdin: string }).stdin).toContain(
      "GRANT SELECT (`ID`, `MAIL`) ON `app`.`t` TO 'app'@'%';",
    );
  });
  it('column_case_sensitive: true compares and grants column names as written', () => {
    const same = { name: 'app', host: '%', column_case_sensitive: true };
    expect(planUser({ ...same, priv: 'app.t:SELECT (name, Id)' }, parseUser(ok(COLS)))).toMatchObject({ changes: [] });
    const p = planUser({ ...same, priv: 'app.t:SELECT (id, name)' }, parseUser(ok(COLS)));
    if ('failed' in p) throw new Error(p.failed);
    const sql = (p.changes[0]!.steps[0] as { stdin: string }).stdin;
    expect(sql).toContain("REVOKE SELECT (`Id`, `name`) ON `app`.`t` FROM 'app'@'%';");
    expect(sql).toContain("GRANT SELECT (`id`, `name`) ON `app`.`t` TO 'app'@'%';");
  });
});

describe('mysql_db state=dump and state=import (run by sh with a stand-in mysql and mysqldump)', () => {
  const dbs = parseDbs(ok('#d\tt1\tutf8mb4\tutf8mb4_general_ci\n'));
  const steps = (p: ReturnType<typeof planDbs>) => {
    if ('failed' in p) throw new Error(p.failed);
    return p.changes.flatMap((c) => c.steps) as Array<{ run: { text: string }; stdin?: string }>;
  };
  /** Runs a plan's steps with stand-ins that log their arguments and stdin; mysqldump prints a dump. */
  function runSteps(p: ReturnType<typeof planDbs>, dir: string, dumpRc = 0) {
    const bin = join(dir, 'bin');
    spawnSync('mkdir', ['-p', bin, join(dir, 'tmp')]);
    writeFileSync(
      join(bin, 'mysql'),
      `#!/bin/sh\necho "mysql $*" >> ${dir}/log\nfor a; do case $a in --defaults-extra-file=*) cat "\${a#*=}" >> ${dir}/log;; esac; done\ncat >> ${dir}/log\n`,
    );
    writeFileSync(
      join(bin, 'mysqldump'),
      `#!/bin/sh\necho "mysqldump $*" >> ${dir}/log\necho 'CREATE TABLE t (id INT);'\nexit ${dumpRc}\n`,
    );
    for (const f of ['mysql', 'mysqldump']) chmodSync(join(bin, f), 0o755);
    return steps(p).map((s) =>
      spawnSync('sh', ['-c', s.run.text], {
        input: s.stdin ?? '',
        env: { PATH: `${bin}:/usr/bin:/bin`, TMPDIR: join(dir, 'tmp') },
        encoding: 'utf8',
      }),
    );
  }
  const inDir = (f: (dir: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-mysqldb-'));
    try {
      f(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const read = (f: string) => spawnSync('cat', [f], { encoding: 'utf8' }).stdout;
  const umask = Number.parseInt(spawnSync('sh', ['-c', 'umask'], { encoding: 'utf8' }).stdout.trim(), 8);

  it('dumps to a .gz through gzip, the password in a temp option file only; check mode predicts changed', () =>
    inDir((dir) => {
      const target = join(dir, 'out dump.sql.gz');
      const p = planDbs(
        asGiven({ name: ['t1'], state: 'dump' as const, target, login_user: 'bk', login_password: new Secret('p$w') }),
        dbs,
      );
      expect(p).toMatchObject({
        changes: [{ summary: `dump t1 to ${target}` }],
        data: {
          db: 't1',
          db_list: ['t1'],
          executed_commands: [
            expect.stringMatching(/^\( exec 4>&1; .*mysqldump '--user=bk' t1 --quick; .*\| \{ gzip > /),
          ],
        },
      });
      // Only the step's stdin carries it (the wrapper's `read` moves it into the option file).
      const [step] = steps(p);
      expect(step!.stdin).toBe('password="p$w"\n');
      expect(JSON.stringify({ ...p, changes: [] }) + step!.run.text).not.toContain('p$w');
      const [r] = runSteps(p, dir);
      expect(r!.status, r!.stderr).toBe(0);
      expect(spawnSync('sh', ['-c', `gzip -dc '${target}'`], { encoding: 'utf8' }).stdout).toBe(
        'CREATE TABLE t (id INT);\n',
      );
      expect(read(join(dir, 'log'))).toMatch(/^mysqldump --defaults-extra-file=\S+ --user=bk t1 --quick\n$/);
      expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
      // The session's umask again, not the option file's 077.
      expect(statSync(target).mode & 0o777).toBe(0o666 & ~umask);
    }));
  it('a failed mysqldump fails the task even though gzip succeeds', () =>
    inDir((dir) => {
      const p = planDbs({ name: ['t1'], state: 'dump', target: join(dir, 'x.sql.gz') }, dbs);
      expect(runSteps(p, dir, 2)[0]!.status).toBe(2);
    }));
  it('dump: several databases, options as community.mysql passes them; a missing database fails', () => {
    const two = parseDbs(ok('#d\tt1\tutf8mb4\tx\n#d\tt2\tutf8mb4\tx\n'));
    const p = planDbs(
      {
        name: ['t1', 't2'],
        state: 'dump',
        target: '/tmp/x.sql',
        single_transaction: true,
        ignore_tables: ['t1.big'],
        hex_blob: true,
        master_data: 2,
        encoding: 'utf8mb4',
      },
      two,
    );
    expect(steps(p)[0]!.run.text).toBe(
      "mysqldump  --databases t1 t2 '--default-character-set=utf8mb4' '--single-transaction=true' --quick '--ignore-table=t1.big' --hex-blob '--master-data=2' > /tmp/x.sql",
    );
    expect(planDbs({ name: ['t1', 'gone'], state: 'dump', target: '/tmp/x.sql' }, dbs)).toEqual({
      failed: "Cannot dump database(s) 'gone' - not found",
      data: { db: 't1 gone', db_list: ['t1', 'gone'] },
    });
    expect(steps(planDbs({ name: ['all'], state: 'dump', target: '/tmp/a.sql' }, new Map()))[0]!.run.text).toBe(
      'mysqldump  --all-databases --quick > /tmp/a.sql',
    );
  });
  it.each(['gz', 'bz2', 'xz'])('imports a .sql.%s into a database it first creates', (ext) =>
    inDir((dir) => {
      const src = join(dir, 'in.sql');
      writeFileSync(src, 'INSERT INTO t VALUES (1);\n');
      const prog = { gz: 'gzip', bz2: 'bzip2', xz: 'xz' }[ext]!;
      spawnSync(prog, [src]);
      const p = planDbs({ name: ['t2'], state: 'import', target: `${src}.${ext}`, encoding: 'utf8mb4' }, dbs);
      expect(p).toMatchObject({
        changes: [{ summary: 'create database t2' }, { summary: `import ${src}.${ext} into t2` }],
      });
      const rs = runSteps(p, dir);
      expect(rs.map((r) => r.status)).toEqual([0, 0]);
      expect(read(join(dir, 'log'))).toContain(
        'mysql --default-character-set=utf8mb4 --one-database t2\nINSERT INTO t VALUES (1);\n',
      );
    }),
  );
  it('import fails on a missing or corrupt target, and refuses several databases', () =>
    inDir((dir) => {
      const missing = runSteps(planDbs({ name: ['t1'], state: 'import', target: join(dir, 'no.sql') }, dbs), dir)[0]!;
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain(`target ${join(dir, 'no.sql')} does not exist on the host`);
      writeFileSync(join(dir, 'bad.sql.gz'), 'not gzip');
      const bad = runSteps(planDbs({ name: ['t1'], state: 'import', target: join(dir, 'bad.sql.gz') }, dbs), dir)[0]!;
      expect(bad.status).not.toBe(0);
      expect(planDbs({ name: ['t1', 't2'], state: 'import', target: '/x.sql' }, dbs)).toMatchObject({
        failed: 'Multiple databases are not supported with state=import',
      });
    }));
  it('refuses a dump or import without target, and name=all for present', () => {
    expect(mysqlDbModule.args.safeParse({ name: 'x', state: 'dump' }).success).toBe(false);
    expect(mysqlDbModule.args.safeParse({ name: 'x', state: 'import', target: '/x.sql' }).success).toBe(true);
    expect(planDbs({ name: ['all'] }, new Map())).toMatchObject({ failed: expect.stringMatching(/not allowed/) });
  });
});
