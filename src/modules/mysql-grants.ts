// Privileges as community.mysql's `priv` writes them ('db.*:ALL,GRANT/*.*:REPLICATION SLAVE' or a
// mapping) and as SHOW GRANTS prints them, brought to one form so they can be compared:
// target 'db.table' (no backticks) -> set of privilege names, ALL -> ALL PRIVILEGES, and the
// grant option as the pseudo-privilege GRANT.
import { sqlIdent } from './mysql-client.js';

export type Privileges = Map<string, Set<string>>;

/**
 * One privilege in one form: its name upper-case, ALL as ALL PRIVILEGES, a column list without
 * backticks and sorted (the server prints columns in an order of its own), the columns' case kept.
 */
const normalPriv = (p: string): string => {
  const m = /^([^(]*?)\s*\((.*)\)\s*$/s.exec(p.trim());
  const name = (m ? m[1]! : p).trim().replace(/\s+/g, ' ').toUpperCase();
  if (!m) return name === 'ALL' ? 'ALL PRIVILEGES' : name;
  const cols = m[2]!
    .split(',')
    .map((c) => unTick(c.trim()))
    .sort();
  return `${name} (${cols.join(', ')})`;
};

/** The column names of column privileges in upper case (community.mysql's column_case_sensitive: false). */
export function foldColumns(p: Privileges): Privileges {
  const up = (priv: string): string =>
    priv.replace(/\((.*)\)$/s, (_, cols: string) => `(${cols.toUpperCase().split(', ').sort().join(', ')})`);
  return new Map([...p].map(([t, set]) => [t, new Set([...set].map(up))]));
}

/** A privilege for a GRANT or REVOKE statement: column names quoted as identifiers. */
export function privilegeSql(p: string): string {
  const m = /^([^(]*?) \((.*)\)$/s.exec(p);
  if (!m) return p;
  return `${m[1]} (${m[2]!
    .split(', ')
    .map((c) => sqlIdent(c))
    .join(', ')})`;
}

/** 'db.*', '`db`.*', '*.*' -> 'db.*' form; the table part kept as written, backticks removed. */
export function normalTarget(t: string): string {
  const parts = splitTarget(t.trim());
  return `${parts.db}.${parts.table}`;
}

/** Splits a target on its first dot outside backticks. */
export function splitTarget(t: string): { db: string; table: string } {
  let inTick = false;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '`') {
      if (inTick && t[i + 1] === '`') {
        i++;
        continue;
      }
      inTick = !inTick;
    } else if (t[i] === '.' && !inTick) {
      return { db: unTick(t.slice(0, i)), table: unTick(t.slice(i + 1)) };
    }
  }
  return { db: unTick(t), table: '*' };
}

const unTick = (s: string): string =>
  s.startsWith('`') && s.endsWith('`') && s.length >= 2 ? s.slice(1, -1).replace(/``/g, '`') : s;

/**
 * The privilege names of MySQL 8 and MariaDB 10/11 (from their GRANT documentation): `priv`
 * comes from group_vars and goes into GRANT/REVOKE statements, so only these words (and a column
 * list of plain identifiers) may appear there, as community.mysql also checks.
 */
const PRIVILEGES = new Set([
  ...['ALL', 'ALL PRIVILEGES', 'USAGE', 'GRANT', 'GRANT OPTION', 'PROXY'],
  ...['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'ALTER', 'INDEX', 'REFERENCES', 'TRIGGER', 'EVENT'],
  ...['EXECUTE', 'CREATE ROUTINE', 'ALTER ROUTINE', 'SHOW_ROUTINE', 'CREATE VIEW', 'SHOW VIEW', 'LOCK TABLES'],
  ...['CREATE TEMPORARY TABLES', 'CREATE TABLESPACE', 'CREATE USER', 'CREATE ROLE', 'DROP ROLE', 'DELETE HISTORY'],
  ...['FILE', 'PROCESS', 'RELOAD', 'SHUTDOWN', 'SUPER', 'SHOW DATABASES', 'REPLICATION CLIENT', 'REPLICATION SLAVE'],
  // MariaDB's split of SUPER.
  ...['BINLOG ADMIN', 'BINLOG MONITOR', 'BINLOG REPLAY', 'CONNECTION ADMIN', 'FEDERATED ADMIN', 'READ_ONLY ADMIN'],
  ...['REPLICATION MASTER ADMIN', 'REPLICATION SLAVE ADMIN', 'REPLICA MONITOR', 'SLAVE MONITOR', 'SET USER'],
  // MySQL 8's dynamic privileges.
  ...['APPLICATION_PASSWORD_ADMIN', 'AUDIT_ADMIN', 'BACKUP_ADMIN', 'BINLOG_ADMIN', 'BINLOG_ENCRYPTION_ADMIN'],
  ...['CLONE_ADMIN', 'CONNECTION_ADMIN', 'ENCRYPTION_KEY_ADMIN', 'GROUP_REPLICATION_ADMIN', 'INNODB_REDO_LOG_ARCHIVE'],
  ...['PERSIST_RO_VARIABLES_ADMIN', 'REPLICATION_APPLIER', 'REPLICATION_SLAVE_ADMIN', 'RESOURCE_GROUP_ADMIN'],
  ...['RESOURCE_GROUP_USER', 'ROLE_ADMIN', 'SESSION_VARIABLES_ADMIN', 'SET_USER_ID', 'SHOW_ROUTINE', 'SYSTEM_USER'],
  ...['SYSTEM_VARIABLES_ADMIN', 'TABLE_ENCRYPTION_ADMIN', 'XA_RECOVER_ADMIN', 'FLUSH_OPTIMIZER_COSTS', 'FLUSH_STATUS'],
  ...['FLUSH_TABLES', 'FLUSH_USER_RESOURCES', 'PASSWORDLESS_USER_ADMIN', 'SENSITIVE_VARIABLES_OBSERVER'],
]);

/** A privilege as `priv` may give it: a known name, optionally on a list of plain column names. */
function checkPrivilege(p: string): void {
  const m = /^([A-Z_ ]+?)\s*(?:\(([^()]*)\))?$/.exec(p);
  const cols = m?.[2]?.split(',').map((c) => c.trim());
  if (m && PRIVILEGES.has(m[1]!) && (!cols || cols.every((c) => /^[A-Za-z0-9_$]+$/.test(c)))) return;
  throw new Error(
    `priv: '${p}' is not a MySQL privilege (such as SELECT, INSERT, ALL or REPLICATION SLAVE, optionally with (column, ...))`,
  );
}

/**
 * Parses `priv`; throws a message naming the bad part. Column names are upper-cased unless
 * `columnCaseSensitive` (community.mysql's column_case_sensitive) keeps them as written.
 */
export function parsePriv(priv: unknown, o: { columnCaseSensitive?: boolean } = {}): Privileges {
  const out: Privileges = new Map();
  const finish = (p: Privileges): Privileges => dropUsage(o.columnCaseSensitive ? p : foldColumns(p));
  const add = (target: string, privs: string): void => {
    const list = splitPrivList(privs)
      .map(normalPriv)
      .filter((p) => p !== '');
    if (!target.trim() || !list.length) throw new Error(`priv '${target}:${privs}' must be 'db.table:PRIV[,PRIV...]'`);
    list.forEach(checkPrivilege);
    const key = normalTarget(target);
    const set = out.get(key) ?? new Set<string>();
    for (const p of list) set.add(p);
    out.set(key, set);
  };
  if (priv !== null && typeof priv === 'object' && !Array.isArray(priv)) {
    for (const [t, p] of Object.entries(priv as Record<string, unknown>)) add(t, String(p));
    return finish(out);
  }
  for (const part of String(priv).split('/')) {
    if (part.trim() === '') continue;
    const at = part.lastIndexOf(':');
    if (at <= 0) throw new Error(`priv '${part}' must be 'db.table:PRIV[,PRIV...]'`);
    add(part.slice(0, at), part.slice(at + 1));
  }
  return finish(out);
}

/** USAGE means "no privilege": an account with only USAGE on *.* has nothing to compare. */
function dropUsage(p: Privileges): Privileges {
  for (const [t, set] of p) {
    set.delete('USAGE');
    if (!set.size) p.delete(t);
  }
  return p;
}

/** Reads SHOW GRANTS lines; role and PROXY grants are not privileges on objects and are left out. */
export function parseGrants(lines: readonly string[]): Privileges {
  const out: Privileges = new Map();
  for (const line of lines) {
    const m = /^GRANT (.+?) ON (\S+) TO \S+(.*)$/.exec(line);
    if (!m) continue;
    const [, privs, target, rest] = m as unknown as [string, string, string, string];
    if (/^PROXY$/i.test(privs)) continue;
    const set = out.get(normalTarget(target)) ?? new Set<string>();
    // Column privileges (`SELECT (a, b)`) carry commas of their own: split outside parentheses.
    for (const p of splitPrivList(privs)) set.add(normalPriv(p));
    if (/WITH GRANT OPTION/.test(rest)) set.add('GRANT');
    out.set(normalTarget(target), set);
  }
  return dropUsage(out);
}

function splitPrivList(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((p) => p.trim()).filter((p) => p !== '');
}

/** 'db.*:ALL PRIVILEGES,GRANT/...' sorted, for diffs and messages. */
export function formatPrivileges(p: Privileges): string {
  if (!p.size) return '*.*:USAGE';
  return [...p.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([t, s]) => `${t}:${[...s].sort().join(',')}`)
    .join('/');
}
