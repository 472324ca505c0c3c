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
