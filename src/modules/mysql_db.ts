// mysql_db: databases present (with their character set and collation) or absent. One probe
// reads every named database from information_schema; only the differences become statements.
// state=dump writes mysqldump's output to `target`, state=import feeds `target` to the client
// (both compressed by the name's .gz/.bz2/.xz); as community.mysql, both change every time.
import { posix } from 'node:path';
import type { Revealed } from '../secret.js';
import { raw, sh, type ShellCommand, type ShellValue } from '../transport/quote.js';
import type { z } from 'zod';
import type { ExecResult } from '../transport/types.js';
import { bool, choice, int, list, moduleArgs, str } from './args.js';
import {
  clientCall,
  clientFailure,
  loginWords,
  mysqlCall,
  mysqlStep as step,
  parseBatch,
  rowsTagged,
  sqlIdent,
  sqlString,
} from './mysql-client.js';
import { mysqlLogin } from './mysql-login.js';
import type { Change, PlanOutcome, StateModule } from './runtime.js';

const dbArgs = moduleArgs(
  {
    name: list(),
    state: choice('present', 'absent', 'dump', 'import').optional(),
    encoding: str().optional(),
    collation: str().optional(),
    target: str().optional(),
    single_transaction: bool().optional(),
    quick: bool().optional(),
    ignore_tables: list().optional(),
    hex_blob: bool().optional(),
    force: bool().optional(),
    master_data: int().optional(),
    skip_lock_tables: bool().optional(),
    dump_extra_args: str().optional(),
    // The password never reaches a command line here, and a compressed import's pipe always runs
    // in the shell with both ends' status checked: these change nothing.
    use_shell: bool().optional(),
    unsafe_login_password: bool().optional(),
    pipefail: bool().optional(),
    ...mysqlLogin,
  },
  { db: 'name' },
).superRefine((a, ctx) => {
  const state = a.state ?? 'present';
  const isTransfer = state === 'dump' || state === 'import';
  if (isTransfer && a.target === undefined)
    ctx.addIssue({ code: 'custom', path: ['target'], message: `is required with state=${state}` });
  if (typeof a.master_data === 'number' && ![0, 1, 2].includes(a.master_data))
    ctx.addIssue({ code: 'custom', path: ['master_data'], message: 'must be one of 0, 1, 2' });
  if (Array.isArray(a.ignore_tables) && a.ignore_tables.some((t) => String(t) === ''))
    ctx.addIssue({ code: 'custom', path: ['ignore_tables'], message: 'Name of ignored table cannot be empty' });
});

type DbArgs = Revealed<z.output<typeof dbArgs>>;

export interface DbInfo {
  charset: string;
  collation: string;
}

/** Existing databases among those asked for, by name. */
export type DbState = Map<string, DbInfo>;

// MariaDB 10.6+ reports utf8 as utf8mb3; compare what the server would store.
const canonicalCharset = (c: string): string => (c.toLowerCase() === 'utf8' ? 'utf8mb3' : c.toLowerCase());
const canonicalCollation = (c: string): string => c.toLowerCase().replace(/^utf8_/, 'utf8mb3_');

function names(a: DbArgs): string[] {
  return a.name.map((n) => String(n).trim());
}

export function parseDbs(r: ExecResult): DbState {
  if (r.code !== 0) throw new Error(clientFailure(r));
  const out: DbState = new Map();
  for (const [name, charset, collation] of rowsTagged(parseBatch(r.stdout), '#d')) {
    if (name) out.set(name, { charset: charset ?? '', collation: collation ?? '' });
  }
  return out;
}

function createSql(name: string, a: DbArgs): string {
  const enc = a.encoding;
  const col = a.collation;
  return `CREATE DATABASE ${sqlIdent(name)}${enc ? ` CHARACTER SET ${sqlString(enc)}` : ''}${col ? ` COLLATE ${sqlString(col)}` : ''};\n`;
}

export function planDbs(a: DbArgs, dbs: DbState): PlanOutcome {
  const want = names(a);
  const state = a.state ?? 'present';
  if (state === 'dump' || state === 'import') return planTransfer(a, state, want, dbs);
  if (want.length === 1 && want[0] === 'all')
    return { failed: "name is not allowed to equal 'all' unless state equals import, or dump." };
  const changes: Change[] = [];
  const executed: string[] = [];
  const sqlChange = (summary: string, sql: string, before: string, after: string): void => {
    executed.push(sql.trim());
    changes.push({
      summary,
      diff: { before, after, beforeHeader: 'database (before)', afterHeader: 'database (after)' },
      steps: [step(a, sql)],
    });
  };
  const show = (n: string, i: DbInfo | undefined): string =>
    i ? `${n}: present (${i.charset}, ${i.collation})\n` : `${n}: absent\n`;
  for (const n of want) {
    const cur = dbs.get(n);
    if (state === 'absent') {
      if (cur) sqlChange(`drop database ${n}`, `DROP DATABASE ${sqlIdent(n)};\n`, show(n, cur), show(n, undefined));
      continue;
    }
    const enc = a.encoding;
    const col = a.collation;
    if (!cur) {
      sqlChange(
        `create database ${n}`,
        createSql(n, a),
        show(n, undefined),
        `${n}: present${enc || col ? ` (${[enc, col].filter(Boolean).join(', ')})` : ''}\n`,
      );
      continue;
    }
    const encDiffers = enc !== undefined && canonicalCharset(enc) !== canonicalCharset(cur.charset);
    const colDiffers = col !== undefined && canonicalCollation(col) !== canonicalCollation(cur.collation);
    if (encDiffers || colDiffers) {
      const sql = `ALTER DATABASE ${sqlIdent(n)}${enc ? ` CHARACTER SET ${sqlString(enc)}` : ''}${col ? ` COLLATE ${sqlString(col)}` : ''};\n`;
      const after = {
        charset: enc ?? cur.charset,
        collation: col ?? (encDiffers ? `(default of ${enc})` : cur.collation),
      };
      sqlChange(`alter database ${n}`, sql, show(n, cur), show(n, after));
    }
  }
  return { changes, data: { db: want.join(' '), db_list: want, executed_commands: executed } };
}

/** The program that reads and writes `target` by its extension (as community.mysql picks it). */
function compressorOf(target: string): string | undefined {
  return ({ '.gz': 'gzip', '.bz2': 'bzip2', '.xz': 'xz' } as Record<string, string>)[posix.extname(target)];
}

/**
 * Runs `producer | consumer` failing with the first failure of either end, in any POSIX sh (no
 * pipefail): the producer's status comes out on fd 3, the consumer's output keeps going to fd 4.
 */
function checkedPipe(producer: ShellCommand, consumer: ShellCommand): ShellCommand {
  return sh`exec 4>&1; st=$( { { ${producer}; echo $? >&3; } | { ${consumer}; } >&4; } 3>&1 ) || exit $?; [ "$st" = 0 ] || exit "\${st:-1}"`;
}

function dumpWords(a: DbArgs, want: string[], all: boolean): ShellValue[] {
  const w: ShellValue[] = [];
  if (a.force) w.push('--force');
  if (all) w.push('--all-databases');
  else if (want.length > 1) w.push('--databases', ...want);
  else w.push(want[0]!);
  if (a.skip_lock_tables) w.push('--skip-lock-tables');
  if (a.encoding) w.push(`--default-character-set=${a.encoding}`);
  if (a.single_transaction) w.push('--single-transaction=true');
  if (a.quick ?? true) w.push('--quick');
  for (const t of a.ignore_tables ?? []) w.push(`--ignore-table=${String(t)}`);
  if (a.hex_blob) w.push('--hex-blob');
  if (a.master_data) w.push(`--master-data=${a.master_data}`);
  // Shell text the playbook gives for mysqldump's command line, as community.mysql appends it.
  if (a.dump_extra_args) w.push(raw(a.dump_extra_args));
  return w;
}

/** state=dump and state=import: one client run each, changed every time (community.mysql). */
function planTransfer(a: DbArgs, state: 'dump' | 'import', want: string[], dbs: DbState): PlanOutcome {
  const target = a.target!;
  const all = want.length === 1 && want[0] === 'all';
  const data = { db: want.join(' '), db_list: want };
  const missing = all ? [] : want.filter((n) => !dbs.has(n));
  const zip = compressorOf(target);
  const executed: string[] = [];
  const changes: Change[] = [];
  // The command as it runs, the password aside (it goes in a temp option file), for executed_commands.
  const shown = (body: (first: ShellValue[]) => ShellCommand): string =>
    body([...(a.config_file !== undefined ? [`--defaults-extra-file=${a.config_file}`] : []), ...loginWords(a)])
      .redacted;
  if (state === 'dump') {
    if (missing.length) return { failed: `Cannot dump database(s) '${missing.join(', ')}' - not found`, data };
    const words = dumpWords(a, want, all);
    const body = (first: ShellValue[]): ShellCommand =>
      zip
        ? sh`( ${checkedPipe(sh`mysqldump ${first} ${words}`, sh`${zip} > ${target}`)} )`
        : sh`mysqldump ${first} ${words} > ${target}`;
    executed.push(shown(body));
    const c = clientCall(a, body);
    changes.push({
      summary: `dump ${all ? 'all databases' : want.join(', ')} to ${target}`,
      diff: {
        before: '',
        after: `${target}: dump of ${all ? 'all databases' : want.join(', ')}\n`,
        afterHeader: target,
      },
      steps: [{ run: c.cmd, ...(c.stdin !== undefined ? { stdin: c.stdin } : {}) }],
    });
    return { changes, data: { ...data, executed_commands: executed } };
  }
  if (want.length > 1) return { failed: 'Multiple databases are not supported with state=import', data };
  for (const n of missing) {
    executed.push(createSql(n, a).trim());
    changes.push({
      summary: `create database ${n}`,
      diff: {
        before: `${n}: absent\n`,
        after: `${n}: present\n`,
        beforeHeader: 'database (before)',
        afterHeader: 'database (after)',
      },
      steps: [step(a, createSql(n, a))],
    });
  }
  const words: ShellValue[] = [];
  if (a.force) words.push('-f');
  if (a.encoding) words.push(`--default-character-set=${a.encoding}`);
  if (!all) words.push('--one-database', want[0]!);
  const exists = sh`test -e ${target} || { echo ${`target ${target} does not exist on the host`} >&2; exit 1; }`;
  const body = (first: ShellValue[]): ShellCommand =>
    zip
      ? sh`( ${exists}; ${checkedPipe(sh`${zip} -dc ${target}`, sh`mysql ${first} ${words}`)} )`
      : sh`( ${exists}; mysql ${first} ${words} < ${target} )`;
  executed.push(shown(body));
  const c = clientCall(a, body);
  changes.push({
    summary: `import ${target} into ${all ? 'the server' : want[0]}`,
    diff: { before: '', after: `${all ? 'server' : want[0]}: ${target} imported\n`, beforeHeader: target },
    steps: [{ run: c.cmd, ...(c.stdin !== undefined ? { stdin: c.stdin } : {}) }],
  });
  return { changes, data: { ...data, executed_commands: executed } };
}

export const mysqlDbModule: StateModule<z.output<typeof dbArgs>, DbState> = {
  name: 'mysql_db',
  aliases: ['community.mysql.mysql_db'],
  exec: 'state',
  args: dbArgs,
  probe(a) {
    const list = names(a).map(sqlString).join(', ');
    const call = mysqlCall(
      a,
      `SELECT '#d', SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${list});\n`,
      { readOnly: true },
    );
    return { ...call, parse: parseDbs };
  },
  plan: planDbs,
  collect(a, _state, applied) {
    // As community.mysql: the client's output of a dump or import is the result's msg.
    const st = a.state ?? 'present';
    if (st !== 'dump' && st !== 'import') return {};
    return { data: { msg: applied.at(-1)?.stdout ?? '' } };
  },
};
