// Both the current (primary/replica) and the older (master/slave) names are accepted, as
// community.mysql does; the executor sees the current ones.
import { bool, choice, int, moduleArgs, str } from './args.js';
import { mysqlLogin } from './mysql-login.js';
import type { ModuleSpec } from './types.js';

const MODES = [
  'getprimary', 'getreplica', 'changeprimary', 'stopreplica', 'startreplica', 'resetprimary', 'resetreplica', 'resetreplicaall',
  'getmaster', 'getslave', 'changemaster', 'stopslave', 'startslave', 'resetmaster', 'resetslave', 'resetslaveall',
] as const;

export const mysqlReplicationModule: ModuleSpec = {
  name: 'mysql_replication',
  aliases: ['community.mysql.mysql_replication'],
  args: moduleArgs(
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
  ),
};
