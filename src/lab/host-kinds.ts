/**
 * How a host is made: `netns` (namespaces sharing the machine's kernel) or `uml` (a User-Mode
 * Linux guest with its own kernel, hence its own IPVS). `auto` picks per host, see kindFor in
 * topology.ts. Apart from it so `lvsplay lab up --kind` is stated without loading the lab.
 */
export type HostKindName = 'netns' | 'uml';
export type HostKindChoice = HostKindName | 'auto';
export const HOST_KIND_CHOICES: readonly HostKindChoice[] = ['auto', 'netns', 'uml'];
