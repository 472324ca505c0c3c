// How the community.mysql modules reach the server; shared by mysql_user/db/replication.
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { bool, int, str } from './args.js';

export const mysqlLogin = {
  login_user: str().optional(),
  login_password: str().optional(),
  login_host: str().optional(),
  login_port: int().optional(),
  login_unix_socket: str().optional(),
  config_file: str().optional(),
  check_implicit_admin: bool().optional(),
};

/** The login arguments as a module reads them (revealed by the executor). */
export type MysqlLogin = Revealed<z.output<z.ZodObject<typeof mysqlLogin>>>;
