// mysql_user: an account present with its password and privileges, or absent. The probe reads
// the account row and SHOW GRANTS in one client run. The password is compared as its
// mysql_native_password hash, computed here ('*' + SHA1(SHA1(pw))), so the plain password is
// never sent to the host at all: statements carry the hash (IDENTIFIED BY PASSWORD '*...'),
// on stdin, and diffs say only whether it changes.
import type { Revealed } from '../secret.js';
import type { z } from 'zod';
import type { ExecResult } from '../transport/types.js';
import { bool, choice, moduleArgs, raw, str } from './args.js';
import {
  clientFailure,
  mysqlCall,
  mysqlStep,
  nativePasswordHash,
  parseBatch,
  rowsTagged,
  sqlIdent,
  sqlString,
} from './mysql-client.js';
import { formatPrivileges, parseGrants, parsePriv, splitTarget, type Privileges } from './mysql-grants.js';
import { mysqlLogin } from './mysql-login.js';
import type { Change, PlanOutcome, StateModule } from './runtime.js';

const userArgs = moduleArgs(
  {
    name: str(),
    password: str().optional(),
    encrypted: bool().optional(),
    host: str().optional(),
    host_all: bool().optional(),
    // 'db.table:PRIV,PRIV/db2.*:PRIV' or a mapping of the same.
    priv: raw().optional(),
    append_privs: bool().optional(),
    state: choice('present', 'absent').optional(),
    update_password: choice('always', 'on_create').optional(),
    sql_log_bin: bool().optional(),
    ...mysqlLogin,
  },
  { user: 'name' },
).superRefine((a, ctx) => {
  if (a.host_all === true)
    ctx.addIssue({ code: 'custom', path: ['host_all'], message: 'is not supported: name each account with host' });
});

type UserArgs = Revealed<z.output<typeof userArgs>>;

export interface UserState {
  exists: boolean;
  /** authentication_string: '*HEX' for mysql_native_password, 'invalid' for socket-only root. */
  authString: string;
  plugin: string;
  grants: Privileges;
}

const G_MARK = '#g';

export function parseUser(r: ExecResult): UserState {
  // --force lets SHOW GRANTS fail for a missing account; the marker proves the account query ran.
  const rows = parseBatch(r.stdout);
  const at = rows.findIndex((row) => row.length === 1 && row[0] === G_MARK);
  if (at < 0) throw new Error(clientFailure(r));
  const account = rowsTagged(rows.slice(0, at), '#u')[0];
  if (!account) return { exists: false, authString: '', plugin: '', grants: new Map() };
  const grantLines = rows.slice(at + 1).map((row) => row.join('\t'));
  return { exists: true, authString: account[2] ?? '', plugin: account[3] ?? '', grants: parseGrants(grantLines) };
}

const account = (a: UserArgs): string => `${sqlString(a.name!)}@${sqlString(a.host ?? 'localhost')}`;
const label = (a: UserArgs): string => `${a.name}@${a.host ?? 'localhost'}`;

function wantedHash(a: UserArgs): string | undefined {
  const pw = a.password;
  if (pw === undefined) return undefined;
  return a.encrypted ? pw : nativePasswordHash(pw);
}

const onObject = (target: string): string => {
  const { db, table } = splitTarget(target);
  const part = (s: string): string => (s === '*' ? '*' : sqlIdent(s));
  return `${part(db)}.${part(table)}`;
};

/** GRANT/REVOKE statements turning `have` into `want` (or adding to it with append_privs). */
export function privilegeStatements(acct: string, have: Privileges, want: Privileges, append: boolean): string[] {
  const sql: string[] = [];
  const privList = (s: Set<string>): string =>
    [...s]
      .filter((p) => p !== 'GRANT')
      .sort()
      .join(', ');
  if (!append) {
    for (const [target, privs] of have) {
      const wanted = want.get(target) ?? new Set<string>();
      const drop = new Set([...privs].filter((p) => !wanted.has(p)));
      if (!drop.size) continue;
      const names = [privList(drop), drop.has('GRANT') ? 'GRANT OPTION' : ''].filter(Boolean).join(', ');
      sql.push(`REVOKE ${names} ON ${onObject(target)} FROM ${acct};`);
    }
  }
  for (const [target, privs] of want) {
    const held = have.get(target) ?? new Set<string>();
    const add = new Set([...privs].filter((p) => !held.has(p)));
    if (!add.size) continue;
    const list = privList(add);
    // A grant option alone is granted with the lowest privilege, as community.mysql does.
    sql.push(
      `GRANT ${list || 'USAGE'} ON ${onObject(target)} TO ${acct}${add.has('GRANT') || privs.has('GRANT') ? ' WITH GRANT OPTION' : ''};`,
    );
  }
  return sql;
}

export function planUser(a: UserArgs, cur: UserState): PlanOutcome {
  const acct = account(a);
  const who = label(a);
  const header = { beforeHeader: `mysql user ${who} (before)`, afterHeader: `mysql user ${who} (after)` };
  const data = { user: a.name, host: a.host ?? 'localhost' };
  const noBinlog = a.sql_log_bin === false ? 'SET SQL_LOG_BIN=0;\n' : '';
  const step = (stmts: string[]) => mysqlStep(a, `${noBinlog}${stmts.join('\n')}\n`);
  if ((a.state ?? 'present') === 'absent') {
    if (!cur.exists) return { changes: [], data, msg: `User ${who} does not exist` };
    return {
      changes: [
        {
          summary: `drop mysql user ${who}`,
          diff: { before: `${who}: present\n`, after: `${who}: absent\n`, ...header },
          steps: [step([`DROP USER ${acct};`])],
        },
      ],
      data,
      msg: `User ${who} removed`,
    };
  }
  let want: Privileges | undefined;
  try {
    want = a.priv === undefined ? undefined : parsePriv(a.priv);
  } catch (e) {
    return { failed: (e as Error).message };
  }
  const hash = wantedHash(a);
  if (hash !== undefined && !/^\*[0-9A-F]{40}$/i.test(hash))
    return { failed: 'password with encrypted: true must be a mysql_native_password hash (* and 40 hex digits)' };
  const identified = hash !== undefined ? ` IDENTIFIED BY PASSWORD ${sqlString(hash.toUpperCase())}` : '';
  if (!cur.exists) {
    const grants = want ? privilegeStatements(acct, new Map(), want, false) : [];
    const after = `${who}: present\npassword: ${hash ? 'set' : 'none'}\nprivileges: ${formatPrivileges(want ?? new Map())}\n`;
    const change: Change = {
      summary: `create mysql user ${who}`,
      diff: { before: `${who}: absent\n`, after, ...header },
      steps: [step([`CREATE USER ${acct}${identified};`, ...grants])],
    };
    return { changes: [change], data: { ...data, password_changed: hash !== undefined }, msg: `User ${who} created` };
  }
  const changes: Change[] = [];
  const passwordDiffers =
    hash !== undefined &&
    (a.update_password ?? 'always') === 'always' &&
    (cur.plugin !== 'mysql_native_password' || cur.authString.toUpperCase() !== hash.toUpperCase());
  if (passwordDiffers) {
    changes.push({
      summary: `change password of mysql user ${who}`,
      diff: {
        before: `password: ${cur.authString === '' ? 'none' : 'set'}\n`,
        after: 'password: changed\n',
        ...header,
      },
      steps: [step([`ALTER USER ${acct}${identified};`])],
    });
  }
  if (want) {
    const stmts = privilegeStatements(acct, cur.grants, want, a.append_privs ?? false);
    if (stmts.length) {
      const after = new Map([...cur.grants].map(([t, s]) => [t, new Set(s)]));
      if (!a.append_privs) for (const t of [...after.keys()]) if (!want.has(t)) after.delete(t);
      for (const [t, s] of want) after.set(t, a.append_privs ? new Set([...(after.get(t) ?? []), ...s]) : new Set(s));
      changes.push({
        summary: `set privileges of mysql user ${who}`,
        diff: {
          before: `privileges: ${formatPrivileges(cur.grants)}\n`,
          after: `privileges: ${formatPrivileges(after)}\n`,
          ...header,
        },
        steps: [step(stmts)],
      });
    }
  }
  return {
    changes,
    data: { ...data, password_changed: passwordDiffers },
    msg: changes.length ? `User ${who} updated` : `User ${who} unchanged`,
  };
}

export const mysqlUserModule: StateModule<z.output<typeof userArgs>, UserState> = {
  name: 'mysql_user',
  aliases: ['community.mysql.mysql_user'],
  exec: 'state',
  args: userArgs,
  probe(a) {
    const sql =
      `SELECT '#u', Host, User, authentication_string, plugin FROM mysql.user WHERE User = ${sqlString(a.name!)} AND Host = ${sqlString(a.host ?? 'localhost')};\n` +
      `SELECT '${G_MARK}';\nSHOW GRANTS FOR ${account(a)};\n`;
    return { ...mysqlCall(a, sql, { force: true, readOnly: true }), parse: parseUser };
  },
  plan: planUser,
};
