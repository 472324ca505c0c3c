/**
 * How a host is made: `netns` (namespaces sharing the machine's kernel, SysV init), `uml` (a
 * User-Mode Linux guest with its own kernel, hence its own IPVS) or `systemd` (systemd-nspawn
 * booting systemd as PID 1, on the machine's kernel). `auto` picks per host, see kindFor in
 * topology.ts. Apart from it so `lvsplay lab up --kind` is stated without loading the lab.
 */
export type HostKindName = 'netns' | 'uml' | 'systemd';
export type HostKindChoice = HostKindName | 'auto';
export const HOST_KIND_CHOICES: readonly HostKindChoice[] = ['auto', 'netns', 'uml', 'systemd'];

/** The Debian release of a host (`lab_release`): 12 or 13. netns and uml hosts are bookworm. */
export type Release = 'bookworm' | 'trixie';
export const RELEASES: readonly Release[] = ['bookworm', 'trixie'];
export const DEFAULT_RELEASE: Release = 'bookworm';

/**
 * The environment a lab host boots with: a machine's, not the caller's. A test run's TMPDIR (a
 * directory the host cannot see: MariaDB then fails to start), a user's locale or proxy
 * settings must not reach the host's init and services.
 */
export const BOOT_ENV: NodeJS.ProcessEnv = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
};
