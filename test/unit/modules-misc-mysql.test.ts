// mysql_user / mysql_db / mysql_replication: probes parsed from output captured on the lab's
// MariaDB 10.11, and the plans made from them.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mysqlCall, nativePasswordHash, optionValue, parseBatch, sqlString } from '../../src/modules/mysql-client.js';
import { parsePriv, parseGrants, formatPrivileges } from '../../src/modules/mysql-grants.js';
import { parseUser, planUser, mysqlUserModule } from '../../src/modules/mysql_user.js';
import { parseDbs, planDbs } from '../../src/modules/mysql_db.js';
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
