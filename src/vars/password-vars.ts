// Connection and become passwords are secrets wherever they are set (inventory, group_vars,
// host_vars, play vars, -e): read through a variable scope they are Secrets, so `debug`,
// hostvars dumps and templates built from them print masked, and their text is added to the
// run's revealed secrets so every reporter masks it even where it comes back from a host.
import { Secret } from '../secret.js';
import type { Vars } from './precedence.js';

const PASSWORD_VARS = new Set([
  'ansible_become_password',
  'ansible_become_pass',
  'ansible_password',
  'ansible_ssh_pass',
  'ansible_ssh_password',
  'ansible_sudo_pass',
  'ansible_sudo_password',
  'ansible_su_pass',
  'ansible_su_password',
]);

export function isPasswordVar(name: string): boolean {
  return PASSWORD_VARS.has(name);
}

/** The value of variable `name` as it must be seen: a password as a Secret, its text revealed. */
export function passwordAsSecret(name: string, v: unknown, revealed: Set<string> | undefined): unknown {
  if (!PASSWORD_VARS.has(name)) return v;
  if (typeof v === 'number') v = String(v);
  if (typeof v === 'string' && !/\{\{|\{%/.test(v)) v = new Secret(v);
  if (v instanceof Secret && v.reveal() !== '') revealed?.add(v.reveal());
  return v;
}

/** Adds the passwords set literally in `vars` to the run's revealed secrets, before anything runs. */
export function notePasswords(vars: Vars | undefined, revealed: Set<string> | undefined): void {
  for (const [k, v] of Object.entries(vars ?? {})) passwordAsSecret(k, v, revealed);
}
