// mysql_user: an account present with its password and privileges, or absent. The probe reads
// the account row and SHOW GRANTS in one client run. The password is compared as its
// mysql_native_password hash, computed here ('*' + SHA1(SHA1(pw))), so the plain password is
// never sent to the host at all: statements carry the hash (IDENTIFIED BY PASSWORD '*...'),
// on stdin, and diffs say only whether it changes.
import type { Revealed } from '../secret.js';
import type { z } from 'zod';
import type { ExecResult } from '../transport/types.js';
import { bool, choice, dict, moduleArgs, raw, str } from './args.js';
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
import {
  foldColumns,
  formatPrivileges,
  parseGrants,
  parsePriv,
  privilegeSql,
  splitTarget,
  type Privileges,
} from './mysql-grants.js';
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
    // {ssl: true} | {x509: true} | {subject: ..., issuer: ..., cipher: ...}
    tls_requires: dict().optional(),
    column_case_sensitive: bool().optional(),
    ...mysqlLogin,
  },
  { user: 'name' },
).superRefine((a, ctx) => {
  if (a.host_all === true)
    ctx.addIssue({ code: 'custom', path: ['host_all'], message: 'is not supported: name each account with host' });
  const tls = a.tls_requires;
  if (tls && typeof tls === 'object')
    for (const [k, v] of Object.entries(tls)) {
      const key = k.toUpperCase();
      if (!TLS_KEYS.includes(key))
        ctx.addIssue({
          code: 'custom',
          path: ['tls_requires', k],
          message: `is not a TLS requirement: use ${TLS_KEYS.map((t) => t.toLowerCase()).join(', ')}`,
        });
      else if (TLS_VALUED.includes(key) && typeof v !== 'string')
        ctx.addIssue({ code: 'custom', path: ['tls_requires', k], message: 'must be a string' });
    }
});

type UserArgs = Revealed<z.output<typeof userArgs>>;

const TLS_VALUED = ['CIPHER', 'ISSUER', 'SUBJECT'];
const TLS_KEYS = ['SSL', 'X509', ...TLS_VALUED];

/** What REQUIRE asks of an account: none (undefined), SSL, X509, or named certificate parts. */
export type TlsRequires = undefined | 'SSL' | 'X509' | Array<[string, string]>;

/**
 * tls_requires as community.mysql reads it: keys upper-cased; any of CIPHER/ISSUER/SUBJECT makes
 * the named parts (SSL and X509 dropped); otherwise X509 if given, else SSL; empty means none.
 */
export function sanitizeRequires(tls: Record<string, unknown> | undefined): TlsRequires {
  if (!tls || !Object.keys(tls).length) return undefined;
  const entries = Object.entries(tls).map(([k, v]): [string, unknown] => [k.toUpperCase(), v]);
  const named = entries.filter(([k]) => TLS_VALUED.includes(k));
  if (named.length) return named.map(([k, v]) => [k, String(v)]);
  return entries.some(([k]) => k === 'X509') ? 'X509' : 'SSL';
}

/** The REQUIRE clause of SHOW CREATE USER: REQUIRE SSL, REQUIRE X509 or ISSUER/SUBJECT/CIPHER '...'. */
export function parseRequires(createUser: string): TlsRequires {
  const at = /\bREQUIRE\s+(.*)$/s.exec(createUser);
  if (!at) return undefined;
  const rest = at[1]!;
  const word = /^(SSL|X509|NONE)\b/.exec(rest)?.[1];
  if (word) return word === 'NONE' ? undefined : (word as 'SSL' | 'X509');
  const out: Array<[string, string]> = [];
  for (const m of rest.matchAll(/(?:^|\s)(?:AND\s+)?(CIPHER|ISSUER|SUBJECT)\s+'((?:[^'\\]|\\.|'')*)'/g))
    out.push([m[1]!, m[2]!.replace(/''/g, "'").replace(/\\(.)/g, '$1')]);
  return out.length ? out : undefined;
}

const sameRequires = (a: TlsRequires, b: TlsRequires): boolean => {
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  const key = (r: Array<[string, string]>): string => JSON.stringify([...r].sort(([x], [y]) => x.localeCompare(y)));
  return key(a) === key(b);
};

/** The REQUIRE clause for a statement. */
const requireSql = (r: TlsRequires): string =>
  r === undefined
    ? 'REQUIRE NONE'
    : typeof r === 'string'
      ? `REQUIRE ${r}`
      : `REQUIRE ${r.map(([k, v]) => `${k} ${sqlString(v)}`).join(' AND ')}`;

const showRequires = (r: TlsRequires): string =>
  r === undefined ? 'none' : typeof r === 'string' ? r : r.map(([k, v]) => `${k} '${v}'`).join(' AND ');

export interface UserState {
  exists: boolean;
  /** authentication_string: '*HEX' for mysql_native_password, 'invalid' for socket-only root. */
  authString: string;
  plugin: string;
  grants: Privileges;
  /** REQUIRE of SHOW CREATE USER. */
  requires: TlsRequires;
}

const G_MARK = '#g';
const C_MARK = '#c';

export function parseUser(r: ExecResult): UserState {
  // --force lets SHOW GRANTS fail for a missing account; the marker proves the account query ran.
  const rows = parseBatch(r.stdout);
  const mark = (m: string): number => rows.findIndex((row) => row.length === 1 && row[0] === m);
  const at = mark(G_MARK);
  if (at < 0) throw new Error(clientFailure(r));
  const account = rowsTagged(rows.slice(0, at), '#u')[0];
  if (!account) return { exists: false, authString: '', plugin: '', grants: new Map(), requires: undefined };
  const create = mark(C_MARK) < 0 ? rows.length : mark(C_MARK);
  const grantLines = rows.slice(at + 1, create).map((row) => row.join('\t'));
  const createLine = rows.slice(create + 1).map((row) => row.join('\t'));
  return {
    exists: true,
    authString: account[2] ?? '',
    plugin: account[3] ?? '',
    grants: parseGrants(grantLines),
    requires: parseRequires(createLine.join('\n')),
  };
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
      .map(privilegeSql)
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
    want = a.priv === undefined ? undefined : parsePriv(a.priv, { columnCaseSensitive: a.column_case_sensitive });
  } catch (e) {
    return { failed: (e as Error).message };
  }
  const hash = wantedHash(a);
  if (hash !== undefined && !/^\*[0-9A-F]{40}$/i.test(hash))
    return { failed: 'password with encrypted: true must be a mysql_native_password hash (* and 40 hex digits)' };
  const identified = hash !== undefined ? ` IDENTIFIED BY PASSWORD ${sqlString(hash.toUpperCase())}` : '';
  const requires = sanitizeRequires(a.tls_requires);
  if (!cur.exists) {
    const grants = want ? privilegeStatements(acct, new Map(), want, false) : [];
    const tls = requires !== undefined ? ` ${requireSql(requires)}` : '';
    const after =
      `${who}: present\npassword: ${hash ? 'set' : 'none'}\nprivileges: ${formatPrivileges(want ?? new Map())}\n` +
      (requires !== undefined ? `tls_requires: ${showRequires(requires)}\n` : '');
    const change: Change = {
      summary: `create mysql user ${who}`,
      diff: { before: `${who}: absent\n`, after, ...header },
      steps: [step([`CREATE USER ${acct}${identified}${tls};`, ...grants])],
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
    // community.mysql compares columns as written only with column_case_sensitive.
    const have = a.column_case_sensitive ? cur.grants : foldColumns(cur.grants);
    const stmts = privilegeStatements(acct, have, want, a.append_privs ?? false);
    if (stmts.length) {
      const after = new Map([...have].map(([t, s]) => [t, new Set(s)]));
      if (!a.append_privs) for (const t of [...after.keys()]) if (!want.has(t)) after.delete(t);
      for (const [t, s] of want) after.set(t, a.append_privs ? new Set([...(after.get(t) ?? []), ...s]) : new Set(s));
      changes.push({
        summary: `set privileges of mysql user ${who}`,
        diff: {
          before: `privileges: ${formatPrivileges(have)}\n`,
          after: `privileges: ${formatPrivileges(after)}\n`,
          ...header,
        },
        steps: [step(stmts)],
      });
    }
  }
  // As community.mysql: without tls_requires an account is made to require nothing.
  if (!sameRequires(cur.requires, requires)) {
    changes.push({
      summary: `set TLS requirements of mysql user ${who}`,
      diff: {
        before: `tls_requires: ${showRequires(cur.requires)}\n`,
        after: `tls_requires: ${showRequires(requires)}\n`,
        ...header,
      },
      steps: [step([`ALTER USER ${acct} ${requireSql(requires)};`])],
    });
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
      `SELECT '${G_MARK}';\nSHOW GRANTS FOR ${account(a)};\nSELECT '${C_MARK}';\nSHOW CREATE USER ${account(a)};\n`;
    return { ...mysqlCall(a, sql, { force: true, readOnly: true }), parse: parseUser };
  },
  plan: planUser,
};
