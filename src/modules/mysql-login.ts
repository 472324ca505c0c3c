// How the community.mysql modules reach the server; shared by mysql_user/db/replication.
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
