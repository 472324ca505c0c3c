// Talking SQL to a MariaDB/MySQL server through the `mysql` client on the host (no python).
// SQL always travels on stdin, so nothing a statement carries (a password hash, a replication
// password) shows in `ps`. A login password goes first on stdin as one option-file line: the
// remote shell's `read` and `printf` builtins move it into a mode-0600 temp file given to the
// client with --defaults-extra-file, removed as soon as the client exits.
import { createHash } from 'node:crypto';
import { raw, sh, type ShellCommand, type ShellValue } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import type { MysqlLogin } from './mysql-login.js';

/** A string literal for SQL (MariaDB's default sql_mode reads backslash escapes). */
export function sqlString(s: string): string {
  const esc = s.replace(
    /[\\'\0\n\r\x1a]/g,
    (c) => ({ '\\': '\\\\', "'": "\\'", '\0': '\\0', '\n': '\\n', '\r': '\\r', '\x1a': '\\Z' })[c]!,
  );
  return `'${esc}'`;
}

/** An identifier (database, table) in backticks. */
export function sqlIdent(s: string): string {
  return `\`${s.replace(/`/g, '``')}\``;
}

/**
 * An option-file value: in double quotes so `#` and spaces survive; quotes inside are escaped,
 * since the client's comment stripper ends a quoted value at the next bare quote.
 */
export function optionValue(s: string): string {
  const esc = s.replace(
    /[\\\n\r\t"']/g,
    (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '"': '\\"', "'": "\\'" })[c]!,
  );
  return `"${esc}"`;
}

export interface MysqlCall {
  cmd: ShellCommand;
  stdin?: string;
}

/** The connection options of `login` (the password aside), as client words. */
export function loginWords(login: MysqlLogin): string[] {
  const words: string[] = [];
  if (login.login_user !== undefined) words.push(`--user=${login.login_user}`);
  // Without a host the client takes the unix socket, as root on Debian's MariaDB logs in.
  if (login.login_host !== undefined) words.push(`--host=${login.login_host}`);
  if (login.login_port !== undefined) words.push(`--port=${login.login_port}`);
  if (login.login_unix_socket !== undefined) words.push(`--socket=${login.login_unix_socket}`);
  return words;
}

/**
 * A client run with the login's password kept off the command line. `body` builds the shell
 * around the client from its first words (the option file, which must come first, and the
 * connection options); `input` follows on stdin. With a password, stdin's first line carries it:
 * the shell's `read` and `printf` builtins move it into a mode-0600 temp file that goes however
 * the subshell ends (a controller killed mid-run closes the session, and the shell then dies of
 * SIGPIPE or SIGHUP; the traps turn those into an exit). The umask is the session's again when
 * the client runs, so a dump file gets the mode any other command would give it.
 */
export function clientCall(login: MysqlLogin, body: (first: ShellValue[]) => ShellCommand, input = ''): MysqlCall {
  const password = login.login_password;
  const configFile = login.config_file;
  if (password === undefined) {
    const defaults = configFile !== undefined ? [`--defaults-extra-file=${configFile}`] : [];
    return { cmd: body([...defaults, ...loginWords(login)]), ...(input !== '' ? { stdin: input } : {}) };
  }
  const include = configFile !== undefined ? `!include ${configFile}\n` : '';
  const inner = body([raw('--defaults-extra-file="$f"'), ...loginWords(login)]);
  const cmd = sh`( o=$(umask); umask 077; f=$(mktemp) || exit 1; trap 'rm -f "$f"' EXIT; trap 'exit 129' HUP; trap 'exit 141' PIPE; trap 'exit 143' TERM; IFS= read -r l; printf '%s%s\n%s\n' ${include} '[client]' "$l" > "$f"; umask "$o"; ${inner} )`;
  return { cmd, stdin: `password=${optionValue(password)}\n${input}` };
}

/**
 * One run of the client on the host: `sql` is sent on stdin. `columnNames` keeps the header row
 * (SHOW SLAVE STATUS is read by name); `force` goes on after an error (SHOW GRANTS for an
 * account that does not exist yet); `readOnly` marks SQL without secrets (probes).
 */
export function mysqlCall(
  login: MysqlLogin,
  sql: string,
  o: { columnNames?: boolean; force?: boolean; readOnly?: boolean } = {},
): MysqlCall {
  const words: string[] = ['--batch'];
  if (!o.columnNames) words.push('--skip-column-names');
  if (o.force) words.push('--force');
  // A read-only query holds no secret: on the command line it can use the host's session
  // shell (a round trip) instead of a new channel (stdin needs its own).
  if (o.readOnly && login.login_password === undefined)
    return clientCall(login, (first) => sh`mysql ${first} ${words} -e ${sql}`);
  return clientCall(login, (first) => sh`mysql ${first} ${words}`, sql);
}

/** An apply step running `sql` (its stdin carries the SQL, so no value shows in `ps`). */
export function mysqlStep(login: MysqlLogin, sql: string): { run: ShellCommand; stdin: string } {
  const c = mysqlCall(login, sql);
  return { run: c.cmd, stdin: c.stdin ?? '' };
}

/** Batch output: tab-separated rows, with the client's escapes (\t \n \\ \0) and NULL undone. */
export function parseBatch(stdout: string): Array<Array<string | null>> {
  const rows: Array<Array<string | null>> = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    rows.push(
      line
        .split('\t')
        .map((f) =>
          f === 'NULL'
            ? null
            : f.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', '0': '\0', '\\': '\\' })[c] ?? c),
        ),
    );
  }
  return rows;
}

/** Rows tagged by their first column ('#u', '#g'...), the way the probes mark their queries. */
export function rowsTagged(rows: Array<Array<string | null>>, tag: string): Array<Array<string | null>> {
  return rows.filter((r) => r[0] === tag).map((r) => r.slice(1));
}

/** Why the client could not answer, for a probe's error: the first line of its complaint. */
export function clientFailure(r: ExecResult): string {
  if (r.code === 127) return 'the mysql client is not installed on the host (install mariadb-client)';
  const err = r.stderr.split('\n').find((l) => /ERROR|error/.test(l)) ?? r.stderr.trim().split('\n')[0] ?? '';
  return `mysql failed (rc=${r.code ?? r.signal})${err ? `: ${err.trim()}` : ''}`;
}

/** The mysql_native_password hash of a password: '*' + SHA1(SHA1(pw)) in upper-case hex. */
export function nativePasswordHash(pw: string): string {
  const once = createHash('sha1').update(pw, 'utf8').digest();
  return `*${createHash('sha1').update(once).digest('hex').toUpperCase()}`;
}
