// mysql_db: databases present (with their character set and collation) or absent. One probe
// reads every named database from information_schema; only the differences become statements.
import type { Revealed } from '../secret.js';
import type { z } from 'zod';
import type { ExecResult } from '../transport/types.js';
import { choice, list, moduleArgs, str } from './args.js';
import {
  clientFailure,
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
    state: choice('present', 'absent').optional(),
    encoding: str().optional(),
    collation: str().optional(),
    ...mysqlLogin,
  },
  { db: 'name' },
);

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
  return a.name.map((n) => String(n));
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
  return { changes, data: { db: want.join(','), db_list: want, executed_commands: executed } };
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
};
