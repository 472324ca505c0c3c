import { choice, list, moduleArgs, str } from './args.js';
import { mysqlLogin } from './mysql-login.js';
import type { ModuleSpec } from './types.js';

export const mysqlDbModule: ModuleSpec = {
  name: 'mysql_db',
  aliases: ['community.mysql.mysql_db'],
  args: moduleArgs(
    {
      name: list(),
      state: choice('present', 'absent').optional(),
      encoding: str().optional(),
      collation: str().optional(),
      ...mysqlLogin,
    },
    { db: 'name' },
  ),
};
