// `lvsplay init DIR`: a project of the user's own, from zero. It holds the user's data (the
// inventory, the cluster's settings, fresh secrets under a fresh vault password, the playbook)
// and takes the cluster roles from the installed package through ansible.cfg's roles_path: the
// roles are upgraded with lvsplay, together with the lint rules and adopt that know them. A role
// copied into DIR/roles/ comes first on the roles path and is then the user's.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, LvsplayError, diag } from '../diagnostics.js';
import { encryptVaultText } from '../vars/vault.js';

/** The installed package (or the project checkout): where the roles and the seed files are. */
export function packageRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url));
}

export interface InitResult {
  dir: string;
  files: string[];
}

/** keepalived uses at most 8 characters of a PASS authentication password. */
const SECRETS = { vrrp_auth_pass: 8, mysql_replication_password: 24, web_db_password: 24 } as const;

const randomText = (chars: number) => randomBytes(chars).toString('base64url').slice(0, chars);

function vaultFile(password: string): string {
  const lines = [
    '# Secrets of the cluster, made at random by `lvsplay init` and encrypted with the vault password',
    '# in .vault-pass (keep that file out of version control; ansible-playbook reads it as well).',
    '# To choose a value yourself:',
    "#   ansible-vault encrypt_string --vault-password-file .vault-pass 'VALUE' --name NAME",
  ];
  for (const [name, chars] of Object.entries(SECRETS)) {
    const cipher = encryptVaultText(randomText(chars), password).trimEnd().split('\n');
    lines.push(`${name}: !vault |`, ...cipher.map((l) => `          ${l}`));
  }
  return `${lines.join('\n')}\n`;
}

function ansibleCfg(rolesDir: string): string {
  return [
    '# Read by lvsplay and ansible-playbook when run in this directory.',
    '[defaults]',
    'inventory = inventory/hosts.ini',
    '# roles/ here first (a role copied there is yours), then the roles installed with lvsplay.',
    `roles_path = roles:${rolesDir}`,
    'vault_password_file = .vault-pass',
    '',
  ].join('\n');
}

/** Writes the project into `dir` (created; it must be empty if it exists). */
export function initProject(dir: string, root = packageRoot()): InitResult {
  const abs = resolve(dir);
  if (existsSync(abs) && readdirSync(abs).length > 0)
    throw new LvsplayError(
      diag(`init: ${dir} is not empty`, undefined, 'give a new or empty directory (nothing is overwritten)'),
      ExitCode.error,
    );
  const seed = (p: string) => readFileSync(join(root, p), 'utf8');
  const password = randomBytes(32).toString('base64url');
  const files: [string, string, number?][] = [
    ['ansible.cfg', ansibleCfg(join(root, 'roles'))],
    ['.vault-pass', `${password}\n`, 0o600],
    ['.gitignore', '.vault-pass\n*.retry\n'],
    ['inventory/hosts.ini', seed('inventory/production.ini')],
    ['inventory/group_vars/all/cluster.yml', seed('inventory/group_vars/all/cluster.yml')],
    ['inventory/group_vars/all/vault.yml', vaultFile(password)],
    ['playbooks/site.yaml', seed('playbooks/site.yaml')],
  ];
  for (const [rel, text, mode] of files) {
    const path = join(abs, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text, { mode: mode ?? 0o644 });
  }
  return { dir: abs, files: files.map(([rel]) => rel) };
}
