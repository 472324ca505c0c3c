// Every lab host has a user of its own beside root, as a real server has: `admin`, reached with
// the lab's key, in group sudo. The inventory says how hardened the host is:
//   lab_admin_sudo=nopasswd|password   sudo without a password (default) or with
//                                      lab_admin_password (a vault value in group_vars)
//   lab_ssh_root_login=yes|no          whether sshd lets root log in (default yes)
// `lab up` applies both to every running host on each run (a host keeps one disk per kind and
// release, and several inventories may bring up the same disk: the last `lab up` decides).
// The lab itself never needs either: it enters a host's namespaces as root. A UML guest, which
// the lab reaches over ssh as root and which both labs share (it runs Debian 12 in either), keeps
// root login and sudo without a password whatever the inventory says.
// The password is hashed with SHA-512 crypt, not Debian 13's default yescrypt: sudo verifies it
// on every become, and a yescrypt check costs 150-200 ms on a loaded lab machine.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { LvsplayError, diag, type Diagnostic } from '../diagnostics.js';
import { cfgPathList, readAnsibleCfg } from '../config/ansible-cfg.js';
import { hostVarsOf, loadInventory } from '../inventory/index.js';
import { Secret } from '../secret.js';
import { decryptVaultValue, readVaultPasswordFile, type VaultSecrets } from '../vars/vault.js';
import { VaultText } from '../yaml/load.js';
import { kindOf } from './host-kind.js';
import { BOOT_ENV } from './host-kinds.js';
import type { LabPaths } from './paths.js';
import { sys } from './sys.js';
import type { LabHost } from './topology.js';

export const ADMIN_USER = 'admin';
export type AdminSudo = 'nopasswd' | 'password';

export interface AdminPolicy {
  sudo: AdminSudo;
  rootLogin: boolean;
  /** The sudo password (sudo: password); never written to the lab's record or printed. */
  password?: Secret;
}

const YES = /^(yes|true|on|1)$/i;
const NO = /^(no|false|off|0)$/i;

/** The vault passwords of the ansible.cfg that a run from `cwd` reads (vault_password_file). */
function vaultOf(cwd: string): VaultSecrets {
  const { cfg } = readAnsibleCfg({ cwd });
  const files = cfgPathList(cfg, 'defaults', 'vault_password_file', { cwd }) ?? [];
  return { passwords: files.filter((f) => existsSync(f)).flatMap((f) => readVaultPasswordFile(f).passwords) };
}

function textOf(v: unknown, vault: VaultSecrets): string | undefined {
  if (v instanceof VaultText) return decryptVaultValue(v, vault).reveal();
  if (v instanceof Secret) return v.reveal();
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  return undefined;
}

/**
 * Each host's policy from the inventory (with its group_vars, vault values decrypted with the
 * vault_password_file of ansible.cfg, found from `cwd` as a run finds it).
 */
export function readAdminPolicies(inventory: string[], cwd: string): Map<string, AdminPolicy> {
  const vault = vaultOf(cwd);
  const { inventory: inv } = loadInventory(inventory, { cwd, vault });
  const problems: Diagnostic[] = [];
  const out = new Map<string, AdminPolicy>();
  for (const h of inv.hosts.values()) {
    const vars = hostVarsOf(inv, h.name);
    const sudo = String(vars.lab_admin_sudo ?? 'nopasswd');
    const root = String(vars.lab_ssh_root_login ?? 'yes');
    if (sudo !== 'nopasswd' && sudo !== 'password') {
      problems.push(diag(`lab: ${h.name}: unknown lab_admin_sudo "${sudo}"`, h.pos, 'use nopasswd or password'));
      continue;
    }
    if (!YES.test(root) && !NO.test(root)) {
      problems.push(diag(`lab: ${h.name}: lab_ssh_root_login "${root}" is not yes or no`, h.pos, 'use yes or no'));
      continue;
    }
    const policy: AdminPolicy = { sudo, rootLogin: YES.test(root) };
    if (sudo === 'password') {
      let text: string | undefined;
      try {
        text = textOf(vars.lab_admin_password, vault);
      } catch (e) {
        problems.push(
          diag(
            `lab: ${h.name}: lab_admin_password cannot be decrypted: ${e instanceof Error ? e.message : String(e)}`,
            h.pos,
            "set vault_password_file in ansible.cfg to the inventory's vault password",
          ),
        );
        continue;
      }
      if (!text || /[\n:]/.test(text)) {
        problems.push(
          diag(
            `lab: ${h.name}: lab_admin_sudo=password needs lab_admin_password (one line, no ":")`,
            h.pos,
            `set lab_admin_password in group_vars (encrypted: ansible-vault encrypt_string ... --name lab_admin_password)`,
          ),
        );
        continue;
      }
      policy.password = new Secret(text);
    }
    out.set(h.name, policy);
  }
  if (problems.length) throw new LvsplayError(problems);
  return out;
}

/** The files `readTopology` read, resolved as it resolves them. */
export function inventoryFiles(inventory: string | string[], cwd: string): string[] {
  return (Array.isArray(inventory) ? inventory : [inventory]).map((i) => resolve(cwd, i));
}

// Runs as root in the host: $1 the lab's public key, $2 nopasswd|password, $3 yes|no (root
// login); the password, if any, on stdin. sudo comes from the offline repository (its
// REPO_ADDED_PACKAGES). Quiet and quick when the host already is as asked.
const PROVISION = `set -eu
pub=$1 sudo_mode=$2 root_login=$3 u=${ADMIN_USER}
if ! command -v sudo >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -q -y install sudo >/dev/null 2>&1 || { apt-get -q update >/dev/null && apt-get -q -y install sudo >/dev/null; }
fi
id -u "$u" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --groups sudo "$u"
h=$(getent passwd "$u" | cut -d: -f6)
install -d -m 700 -o "$u" -g "$u" "$h/.ssh"
[ "$(cat "$h/.ssh/authorized_keys" 2>/dev/null)" = "$pub" ] || printf '%s\\n' "$pub" > "$h/.ssh/authorized_keys"
chown "$u:$u" "$h/.ssh/authorized_keys"; chmod 600 "$h/.ssh/authorized_keys"
rule=/etc/sudoers.d/lvsplay-admin
if [ "$sudo_mode" = password ]; then
  rm -f "$rule"
  sed -n "1s/^/$u:/p" | chpasswd -c SHA512
else
  printf '%s ALL=(ALL:ALL) NOPASSWD: ALL\\n' "$u" > "$rule.new"; chmod 440 "$rule.new"; mv "$rule.new" "$rule"
fi
# sshd takes the first value it reads: this file sorts before the base's lvsplay-lab.conf
conf=/etc/ssh/sshd_config.d/00-lvsplay-root-login.conf
want=; [ "$root_login" = yes ] || want='PermitRootLogin no'
[ "$(cat "$conf" 2>/dev/null)" != "$want" ] || exit 0
if [ -n "$want" ]; then printf '%s\\n' "$want" > "$conf"; else rm -f "$conf"; fi
sshd -t
if [ -d /run/systemd/system ]; then systemctl reload ssh; else /etc/init.d/ssh reload >/dev/null; fi
# sshd re-executes itself on reload: back when it listens on port 22 again
sleep 0.3
for _ in $(seq 50); do grep -q ':0016 00000000:0000 0A' /proc/net/tcp /proc/net/tcp6 2>/dev/null && exit 0; sleep 0.1; done
echo "sshd did not listen again after its reload" >&2; exit 1
`;

/** What the host is made to be: a UML guest is reached over ssh as root by the lab (lab exec, and
 * provisionAdmin itself), so it keeps root login and sudo without a password. */
function effective(h: LabHost, policy: AdminPolicy): { sudo: AdminSudo; rootLogin: boolean } {
  return h.kind === 'uml' ? { sudo: 'nopasswd', rootLogin: true } : policy;
}

/** Who the lab's ssh_config logs in as on the host. */
export const loginUser = (h: LabHost, policy: AdminPolicy): string =>
  effective(h, policy).rootLogin ? 'root' : ADMIN_USER;

/** Brings the host's admin user, sudo and sshd to the policy (as root, inside the host). */
export async function provisionAdmin(h: LabHost, p: LabPaths, policy: AdminPolicy, pub: string): Promise<void> {
  const { sudo, rootLogin } = effective(h, policy);
  const argv = kindOf(h).execArgv(h, p, ['sh', '-c', PROVISION, 'sh', pub, sudo, rootLogin ? 'yes' : 'no'], false);
  const input = sudo === 'password' && policy.password ? `${policy.password.reveal()}\n` : '';
  const r = await sys({ env: BOOT_ENV, input, timeoutMs: 120_000 }).run`${argv}`;
  if (r.code !== 0)
    throw new LvsplayError(
      diag(
        `lab: ${h.name}: could not set up its ${ADMIN_USER} user (exit ${r.code})${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
        undefined,
        `look inside with \`lvsplay lab exec ${h.name} -- id ${ADMIN_USER}\``,
      ),
    );
}
