import { bool, choice, moduleArgs, raw, str } from './args.js';
import { mysqlLogin } from './mysql-login.js';
import type { ModuleSpec } from './types.js';

export const mysqlUserModule: ModuleSpec = {
  name: 'mysql_user',
  aliases: ['community.mysql.mysql_user'],
  args: moduleArgs(
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
  ),
};
