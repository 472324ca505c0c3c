// The owner/group/mode arguments every file-writing module shares (Ansible's add_file_common_args).
import { mode, str } from './args.js';
import { sh, type ShellCommand } from '../transport/quote.js';

export const fileAttrs = {
  owner: str().optional(),
  group: str().optional(),
  mode: mode().optional(),
};

/**
 * SELinux context arguments. Ansible applies them only where SELinux is enabled (libselinux's
 * is_selinux_enabled: selinuxfs mounted) and ignores them elsewhere; lvsplay does the same where
 * it is off, and refuses where it is on, since it does not set contexts.
 */
export const seAttrs = {
  setype: str().optional(),
  seuser: str().optional(),
  serole: str().optional(),
  selevel: str().optional(),
};

type SeArgs = { [K in keyof typeof seAttrs]?: unknown };

const seGiven = (a: SeArgs): string[] =>
  (Object.keys(seAttrs) as Array<keyof SeArgs>).filter((k) => a[k] !== undefined);

/** Reads whether SELinux is on, only when the task gives a context argument. */
export function selinuxProbe(a: SeArgs): { cmd: ShellCommand; parse(stdout: string): boolean } | undefined {
  if (!seGiven(a).length) return undefined;
  return {
    cmd: sh`if [ -e /sys/fs/selinux/enforce ]; then echo selinux=1; else echo selinux=0; fi`,
    parse: (stdout) => /^selinux=1$/m.test(stdout),
  };
}

/** The failure for context arguments on a host where SELinux is on; undefined where they are moot. */
export function selinuxRefusal(a: SeArgs, selinux: boolean | undefined): string | undefined {
  const given = seGiven(a);
  if (!given.length || !selinux) return undefined;
  return (
    `${given.join(', ')}: SELinux is enabled on this host (/sys/fs/selinux is mounted) and lvsplay does not set ` +
    'SELinux contexts; set them with a command task (chcon, or semanage fcontext and restorecon), or drop ' +
    `${given.length > 1 ? 'these arguments' : 'the argument'} where SELinux is off`
  );
}
