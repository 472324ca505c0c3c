// Option parsers the commands share.
import { InvalidArgumentError, type Command } from 'commander';

/** A repeatable option (`-i a -i b`): every value, in order. */
export const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** An option that takes one of a few words; anything else is a bad option (exit 5). */
export function oneOf<T extends string>(name: string, values: readonly T[]): (v: string) => T {
  return (v) => {
    if (!(values as readonly string[]).includes(v))
      throw new InvalidArgumentError(`${name} must be ${values.join(' or ')}.`);
    return v as T;
  };
}

/** `--format text|json`, as the commands that print a report take it. */
export const textOrJson = oneOf('format', ['text', 'json'] as const);

/**
 * Where the cluster is described, for the commands that read it as `run site.yaml` would
 * (status, verify, graph): the inventory, the playbook applying the roles, the vault password.
 */
export function clusterSourceOptions(cmd: Command): Command {
  return cmd
    .option(
      '-i, --inventory <source>',
      'inventory file, directory or host list (repeatable); default: ansible.cfg',
      collect,
      [],
    )
    .option('--playbook <file>', 'the playbook that applies the cluster roles', 'playbooks/site.yaml')
    .option('--vault-password-file <file>', 'vault password file (repeatable); default: ansible.cfg', collect, []);
}

/** A whole number of 1 or more, for a numeric flag. */
export function positiveInt(name: string): (v: string) => number {
  return (v) => {
    if (!/^\d+$/.test(v.trim()) || Number(v) < 1)
      throw new InvalidArgumentError(`${name} must be a whole number of 1 or more.`);
    return Number(v);
  };
}
