// mysql_replication: read or steer replication. Both the current (primary/replica) and the older
// (master/slave) names are accepted, as community.mysql does. One probe reads SHOW SLAVE STATUS
// and SHOW MASTER STATUS; every mode then plans from what the server says, so a rerun of
// changeprimary on a replica already pointing at that primary leaves running replication alone.
import type { Revealed } from '../secret.js';
import type { z } from 'zod';
import type { ExecResult } from '../transport/types.js';
import { bool, choice, int, moduleArgs, str } from './args.js';
import { clientFailure, mysqlCall, mysqlStep, parseBatch, sqlString } from './mysql-client.js';
import { mysqlLogin } from './mysql-login.js';
import type { Change, PlanOutcome, StateModule } from './runtime.js';

const MODES = [
  'getprimary',
  'getreplica',
  'changeprimary',
  'stopreplica',
  'startreplica',
  'resetprimary',
  'resetreplica',
  'resetreplicaall',
  'getmaster',
  'getslave',
  'changemaster',
  'stopslave',
  'startslave',
  'resetmaster',
  'resetslave',
  'resetslaveall',
] as const;

const OLD_NAMES: Record<string, string> = {
  getmaster: 'getprimary',
  getslave: 'getreplica',
  changemaster: 'changeprimary',
  stopslave: 'stopreplica',
  startslave: 'startreplica',
  resetmaster: 'resetprimary',
  resetslave: 'resetreplica',
  resetslaveall: 'resetreplicaall',
};

const replicationArgs = moduleArgs(
  {
    mode: choice(...MODES).optional(),
    primary_host: str().optional(),
    primary_user: str().optional(),
    primary_password: str().optional(),
    primary_port: int().optional(),
    primary_connect_retry: int().optional(),
    primary_log_file: str().optional(),
    primary_log_pos: int().optional(),
    primary_ssl: bool().optional(),
    primary_use_gtid: choice('current_pos', 'replica_pos', 'slave_pos', 'disabled').optional(),
    connection_name: str().optional(),
    ...mysqlLogin,
  },
  {
    master_host: 'primary_host',
    master_user: 'primary_user',
    master_password: 'primary_password',
    master_port: 'primary_port',
    master_connect_retry: 'primary_connect_retry',
    master_log_file: 'primary_log_file',
    master_log_pos: 'primary_log_pos',
    master_ssl: 'primary_ssl',
    master_use_gtid: 'primary_use_gtid',
  },
);

type ReplicationArgs = Revealed<z.output<typeof replicationArgs>>;

/**
 * Check mode's record of a replica stopped or started by an earlier task (kept among the host's
 * predicted file writes, under a name no file can have).
 */
const PREDICTED_REPLICA = '\0mysql_replication: replica';

export interface ReplicationState {
  /** SHOW SLAVE STATUS by column name; undefined when no primary is configured. */
  replica?: Record<string, string | null>;
  /** SHOW MASTER STATUS; undefined when the binary log is off. */
  primary?: Record<string, string | null>;
}

export function parseReplication(r: ExecResult): ReplicationState {
  if (r.code !== 0) throw new Error(clientFailure(r));
  const rows = parseBatch(r.stdout);
  const out: ReplicationState = {};
  for (let i = 0; i < rows.length; i++) {
    const head = rows[i]!;
    const values = rows[i + 1];
    const which =
      head[0] === 'Slave_IO_State' ? 'replica' : head[0] === 'File' && head[1] === 'Position' ? 'primary' : undefined;
    if (!which || !values) continue;
    out[which] = Object.fromEntries(head.map((h, k) => [h ?? '', values[k] ?? null]));
    i++;
  }
  return out;
}

const modeOf = (a: ReplicationArgs): string => OLD_NAMES[a.mode ?? 'getreplica'] ?? a.mode ?? 'getreplica';
const conn = (a: ReplicationArgs): string =>
  a.connection_name !== undefined ? ` ${sqlString(a.connection_name!)}` : '';
const running = (v: string | null | undefined): boolean => v === 'Yes' || v === 'Connecting' || v === 'Preparing';
const GTID: Record<string, string> = {
  current_pos: 'Current_Pos',
  replica_pos: 'Slave_Pos',
  slave_pos: 'Slave_Pos',
  disabled: 'No',
};

/** What CHANGE MASTER would set, and the status fields that show it is already so. */
function wantedPrimary(a: ReplicationArgs): Array<{ sql: string; field?: string; value?: string; show: string }> {
  const w: Array<{ sql: string; field?: string; value?: string; show: string }> = [];
  const add = (sql: string, field: string | undefined, value: string | undefined, show: string) =>
    w.push({ sql, show, ...(field ? { field } : {}), ...(value !== undefined ? { value } : {}) });
  const host = a.primary_host;
  const user = a.primary_user;
  if (host !== undefined) add(`MASTER_HOST=${sqlString(host)}`, 'Master_Host', host, `host: ${host}`);
  if (user !== undefined) add(`MASTER_USER=${sqlString(user)}`, 'Master_User', user, `user: ${user}`);
  if (a.primary_port !== undefined)
    add(`MASTER_PORT=${a.primary_port}`, 'Master_Port', String(a.primary_port), `port: ${a.primary_port}`);
  if (a.primary_connect_retry !== undefined)
    add(
      `MASTER_CONNECT_RETRY=${a.primary_connect_retry}`,
      'Connect_Retry',
      String(a.primary_connect_retry),
      `connect retry: ${a.primary_connect_retry}`,
    );
  if (a.primary_ssl !== undefined)
    add(
      `MASTER_SSL=${a.primary_ssl ? 1 : 0}`,
      'Master_SSL_Allowed',
      a.primary_ssl ? 'Yes' : 'No',
      `ssl: ${a.primary_ssl ? 'yes' : 'no'}`,
    );
  if (a.primary_use_gtid !== undefined)
    add(
      `MASTER_USE_GTID=${a.primary_use_gtid === 'replica_pos' ? 'slave_pos' : a.primary_use_gtid === 'disabled' ? 'no' : a.primary_use_gtid}`,
      'Using_Gtid',
      GTID[a.primary_use_gtid],
      `gtid: ${GTID[a.primary_use_gtid]}`,
    );
  return w;
}

function describeReplica(r: Record<string, string | null> | undefined): string {
  if (!r) return 'replica: not configured\n';
  return `host: ${r.Master_Host}\nuser: ${r.Master_User}\nport: ${r.Master_Port}\nrunning: ${running(r.Slave_IO_Running) && r.Slave_SQL_Running === 'Yes' ? 'yes' : 'no'}\n`;
}

function planChangePrimary(
  a: ReplicationArgs,
  s: ReplicationState,
  step: (sql: string) => Change['steps'][number],
): PlanOutcome {
  const wanted = wantedPrimary(a);
  const r = s.replica;
  // Log file and position advance as replication runs: they only matter when pointing anew.
  const pointsThere =
    r !== undefined && r.Master_Host !== '' && wanted.every((w) => w.field === undefined || r[w.field] === w.value);
  if (pointsThere) return { changes: [], data: { queries: [] }, msg: 'Replica already points at this primary' };
  const items = [...wanted.map((w) => w.sql)];
  const pw = a.primary_password;
  if (pw !== undefined) items.push(`MASTER_PASSWORD=${sqlString(pw)}`);
  const file = a.primary_log_file;
  if (file !== undefined) items.push(`MASTER_LOG_FILE=${sqlString(file)}`);
  if (a.primary_log_pos !== undefined) items.push(`MASTER_LOG_POS=${a.primary_log_pos}`);
  if (!items.length) return { failed: 'changeprimary needs at least one primary_* option' };
  const wasRunning = r !== undefined && (running(r.Slave_IO_Running) || r.Slave_SQL_Running === 'Yes');
  // The server refuses CHANGE MASTER on a running replica: stop it, change, and start it again.
  const sql = [
    wasRunning ? `STOP SLAVE${conn(a)};` : '',
    `CHANGE MASTER${conn(a)} TO ${items.join(', ')};`,
    wasRunning ? `START SLAVE${conn(a)};` : '',
  ].filter(Boolean);
  const shown = sql.map((q) => (pw !== undefined ? q.split(sqlString(pw)).join("'********'") : q));
  const after = `${wanted.map((w) => w.show).join('\n')}\n${file !== undefined ? `log: ${file}:${a.primary_log_pos ?? 4}\n` : ''}running: ${wasRunning ? 'yes' : 'no'}\n`;
  return {
    changes: [
      {
        summary: `point replica at ${a.primary_host ?? 'the primary'}`,
        diff: {
          before: describeReplica(r),
          after,
          beforeHeader: 'replication (before)',
          afterHeader: 'replication (after)',
        },
        steps: [step(sql.join('\n') + '\n')],
      },
    ],
    data: { queries: shown },
  };
}

export function planReplication(a: ReplicationArgs, s: ReplicationState): PlanOutcome {
  const mode = modeOf(a);
  const step = (sql: string) => mysqlStep(a, sql);
  const r = s.replica;
  const simple = (
    summary: string,
    sql: string,
    before: string,
    after: string,
    predicts?: 'stopped' | 'running',
  ): PlanOutcome => ({
    changes: [
      {
        summary,
        diff: { before, after, beforeHeader: 'replication (before)', afterHeader: 'replication (after)' },
        steps: [
          predicts ? { ...step(`${sql}\n`), writes: { path: PREDICTED_REPLICA, content: predicts } } : step(`${sql}\n`),
        ],
      },
    ],
    data: { queries: [sql] },
  });
  switch (mode) {
    case 'getprimary':
      return {
        changes: [],
        data: { ...(s.primary ?? {}), Is_Primary: !!s.primary, Is_Master: !!s.primary, queries: [] },
      };
    case 'getreplica':
      return { changes: [], data: { ...(r ?? {}), Is_Replica: !!r, Is_Slave: !!r, queries: [] } };
    case 'changeprimary':
      return planChangePrimary(a, s, step);
    case 'startreplica':
      if (!r) return { failed: 'no primary is configured on this server: run mode=changeprimary first' };
      if (running(r.Slave_IO_Running) && r.Slave_SQL_Running === 'Yes')
        return { changes: [], data: { queries: [] }, msg: 'Replica is already running' };
      return simple('start replica', `START SLAVE${conn(a)};`, 'replica: stopped\n', 'replica: running\n', 'running');
    case 'stopreplica':
      if (!r || (!running(r.Slave_IO_Running) && r.Slave_SQL_Running !== 'Yes'))
        return { changes: [], data: { queries: [] }, msg: 'Replica is already stopped' };
      return simple('stop replica', `STOP SLAVE${conn(a)};`, 'replica: running\n', 'replica: stopped\n', 'stopped');
    case 'resetreplica':
      // RESET SLAVE forgets the position: there is nothing to read that says it already happened
      // except a replica that is not configured at all.
      if (!r) return { changes: [], data: { queries: [] }, msg: 'No replica to reset' };
      return simple(
        'reset replica',
        `RESET SLAVE${conn(a)};`,
        describeReplica(r),
        'replica: reset (position forgotten)\n',
      );
    case 'resetreplicaall':
      if (!r) return { changes: [], data: { queries: [] }, msg: 'No replica configured' };
      return simple(
        'reset replica and forget its primary',
        `RESET SLAVE${conn(a)} ALL;`,
        describeReplica(r),
        'replica: not configured\n',
      );
    case 'resetprimary':
      if (!s.primary) return { changes: [], data: { queries: [] }, msg: 'The binary log is off: nothing to reset' };
      return simple(
        'reset primary (binary logs deleted)',
        'RESET MASTER;',
        `binlog: ${s.primary.File}:${s.primary.Position}\n`,
        'binlog: reset\n',
      );
    default:
      return { failed: `mode ${mode} is not supported` };
  }
}

export const mysqlReplicationModule: StateModule<z.output<typeof replicationArgs>, ReplicationState> = {
  name: 'mysql_replication',
  aliases: ['community.mysql.mysql_replication'],
  exec: 'state',
  args: replicationArgs,
  probe(a) {
    return {
      ...mysqlCall(a, `SHOW SLAVE${conn(a)} STATUS;\nSHOW MASTER STATUS;\n`, { columnNames: true, readOnly: true }),
      parse: parseReplication,
    };
  },
  // Check mode: a replica an earlier task of this run would stop (or start) is seen so, as the
  // run will find it: a start after a stop is then predicted, as it will happen.
  overlay(state, predicted) {
    const p = predicted.get(PREDICTED_REPLICA);
    if (!p || !state.replica) return state;
    const on = p.content.toString('utf8') === 'running' ? 'Yes' : 'No';
    return { ...state, replica: { ...state.replica, Slave_IO_Running: on, Slave_SQL_Running: on } };
  },
  plan: planReplication,
};
