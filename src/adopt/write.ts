// The files adopt writes: an inventory with the groups the bundled roles expect and each host's
// own settings, group_vars/all/cluster.yml with the cluster's, and group_vars/all/vault.yml with
// the secrets, vault-encrypted, or a stub saying what to set when there is no vault password.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { diag, ExitCode, LvsplayError } from '../diagnostics.js';
import { hostVarsOf, type Inventory } from '../inventory/index.js';
import type { Secret } from '../secret.js';
import { encryptVaultText } from '../vars/vault.js';
import type { Adoption } from './model.js';

export const HOSTS_FILE = 'hosts.ini';
export const CLUSTER_FILE = 'group_vars/all/cluster.yml';
export const VAULT_FILE = 'group_vars/all/vault.yml';
export const OUTPUT_FILES = [HOSTS_FILE, CLUSTER_FILE, VAULT_FILE];

/** Refuses to overwrite anything unless forced; nothing is written when one file is in the way. */
export function checkWritable(dir: string, files: string[], force: boolean): void {
  if (force) return;
  const there = files.filter((f) => existsSync(join(dir, f)));
  if (there.length) {
    throw new LvsplayError(
      diag(
        `adopt: ${there.map((f) => join(dir, f)).join(', ')} already exist${there.length === 1 ? 's' : ''}`,
        undefined,
        'choose another directory with -o DIR, or overwrite with --force',
      ),
      ExitCode.error,
    );
  }
}

/** An INI value: quoted when it holds spaces or quotes (the inventory parser reads it back as shlex does). */
function iniValue(v: unknown): string {
  const s = String(v);
  if (/^[^\s'"#;=]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

/** Connection variables from the HOSTS inventory: shared ones go to [all:vars], the rest stay per host. */
function connectionVars(
  inv: Inventory,
  hosts: string[],
): { shared: Map<string, string>; own: Map<string, Map<string, string>> } {
  // plain values only: a vault-encrypted one (ansible_password) is not copied; the user sets it again
  const plain = (v: unknown) => ['string', 'number', 'boolean'].includes(typeof v);
  const per = new Map(
    hosts.map((h) => [
      h,
      new Map(
        Object.entries(hostVarsOf(inv, h))
          .filter(([k, v]) => k.startsWith('ansible_') && plain(v))
          .map(([k, v]) => [k, iniValue(v)]),
      ),
    ]),
  );
  const shared = new Map<string, string>();
  const first = per.get(hosts[0] ?? '');
  for (const [k, v] of first ?? []) {
    if (k !== 'ansible_host' && hosts.every((h) => per.get(h)?.get(k) === v)) shared.set(k, v);
  }
  const own = new Map([...per].map(([h, vars]) => [h, new Map([...vars].filter(([k]) => !shared.has(k)))]));
  return { shared, own };
}

export function hostsIni(a: Adoption, inv: Inventory, source: string): string {
  const hosts = [
    ...a.directors.map((d) => d.host),
    ...a.realServers.map((r) => r.host),
    ...a.databases.map((d) => d.host),
    ...a.others,
  ];
  const { shared, own } = connectionVars(inv, [...new Set(hosts)]);
  const line = (host: string, extra: [string, unknown][]): string =>
    [
      host,
      ...[...(own.get(host) ?? [])].map(([k, v]) => `${k}=${v}`),
      ...extra.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${iniValue(v)}`),
    ].join(' ');
  const out = [
    `# Written by \`lvsplay adopt -i ${source}\` from what the hosts run now; the cluster's settings`,
    '# are in group_vars/all/cluster.yml, its secrets in group_vars/all/vault.yml.',
    '',
    '# Lowest VRRP priority first: site.yaml updates the directors in this order, so the one',
    '# holding the VIP goes last. keepalived_router_id keeps the router_id each keepalived.conf had;',
    "# keepalived_version is the host's (keepalived --version): lint checks keepalived.conf against it.",
    '[directors]',
    ...a.directors.map((d) =>
      line(
        d.host,
        d.mode === 'script'
          ? []
          : [
              ['vrrp_priority', d.priority],
              ['vrrp_state', d.state],
              ['keepalived_router_id', d.routerId],
              ['keepalived_version', d.keepalivedVersion],
            ],
      ),
    ),
    '',
    '# lvs_weight: the weight each director gives the real server now.',
    '[realservers]',
    ...a.realServers.map((r) => line(r.host, [['lvs_weight', r.weight]])),
    '',
    '# server_id and auto_increment_offset as each server has them now.',
    '[dbservers]',
    ...a.databases.map((d) =>
      line(d.host, [
        ['mysql_server_id', d.serverId],
        ['mysql_auto_increment_offset', d.autoIncrementOffset],
      ]),
    ),
  ];
  if (a.others.length)
    out.push(
      '',
      "# Hosts that showed none of the cluster's parts (no role applies to them).",
      '[others]',
      ...a.others.map((h) => line(h, [])),
    );
  if (shared.size) out.push('', '[all:vars]', ...[...shared].map(([k, v]) => `${k}=${v}`));
  return `${out.join('\n')}\n`;
}

/** A YAML scalar: plain when safe, double-quoted otherwise. */
function yamlValue(v: string | number | boolean): string {
  if (typeof v !== 'string') return String(v);
  return /^[A-Za-z0-9_./-]+$/.test(v) && !/^(true|false|yes|no|on|off|null|~|\d[\d.]*)$/i.test(v)
    ? v
    : JSON.stringify(v);
}

export function clusterYml(a: Adoption): string {
  const out = ["# The cluster's settings as adopt read them (each with where it was read).", ''];
  for (const [k, s] of a.cluster) out.push(`# ${s.from}`, `${k}: ${yamlValue(s.value)}`);
  return `${out.join('\n')}\n`;
}

export interface VaultKey {
  password: Secret;
  /** The password file, for the header comment. */
  file: string;
}

const SECRET_HINT: Record<string, string> = {
  vrrp_auth_pass: 'the VRRP password (auth_pass of keepalived.conf)',
  mysql_replication_password: 'the password the database servers replicate with (MASTER_PASSWORD)',
};

export function vaultYml(a: Adoption, key: VaultKey | undefined): string {
  const names = Object.keys(SECRET_HINT) as (keyof Adoption['secrets'])[];
  const out = ["# The cluster's secrets."];
  if (key) {
    out.push(`# Encrypted with the vault password in ${key.file} (ansible.cfg vault_password_file).`, '');
    for (const n of names) {
      const s = a.secrets[n];
      if (!s) {
        out.push(
          `# ${n}: not found on the hosts: set ${SECRET_HINT[n]} with`,
          `#   ansible-vault encrypt_string --vault-password-file ${key.file} 'PASSWORD' --name ${n}`,
          '',
        );
        continue;
      }
      const body = encryptVaultText(s.value.reveal(), key.password)
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n');
      out.push(`# ${SECRET_HINT[n]}, read from ${s.from}`, `${n}: !vault |`, body, '');
    }
  } else {
    out.push(
      '# No vault password is configured (ansible.cfg vault_password_file), so adopt wrote no secret.',
      '# Encrypt each one and paste the output here:',
      '',
    );
    for (const n of names) {
      const s = a.secrets[n];
      out.push(
        `# ${n}: ${SECRET_HINT[n]}${s ? `, as found in ${s.from}` : ' (not found on the hosts)'}`,
        `#   ansible-vault encrypt_string --vault-password-file YOUR_FILE 'PASSWORD' --name ${n}`,
        '',
      );
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export function writeOutput(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const path = resolve(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text, { mode: name === VAULT_FILE ? 0o600 : 0o644 });
  }
}
