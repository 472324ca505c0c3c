// How the community.mysql modules reach the server; shared by mysql_user/db/replication.
import type { Secret } from '../secret.js';
import type { VaultText } from '../yaml/load.js';
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

/** A text argument as the executor hands it over: vault values arrive as Secret. */
export type TextArg = string | Secret | VaultText;

export interface MysqlLogin {
  login_user?: TextArg;
  login_password?: TextArg;
  login_host?: TextArg;
  login_port?: number;
  login_unix_socket?: TextArg;
  config_file?: TextArg;
  check_implicit_admin?: boolean;
}
