// Whether the machine's kernel has IPVS: namespace hosts share it, so it decides what they can
// balance (and whether `auto` makes the directors UML guests).
import { existsSync, readFileSync } from 'node:fs';

export type IpvsSupport = 'loaded' | 'module-available' | 'absent';

/**
 * IPVS as lab hosts see it: hosts share the machine's kernel, so a host's /proc/net/ip_vs
 * exists only when the machine has ip_vs loaded. Nothing is loaded or faked here.
 */
export function ipvsSupport(): IpvsSupport {
  if (existsSync('/proc/net/ip_vs')) return 'loaded';
  try {
    const release = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
    const dep = `/lib/modules/${release}/modules.dep`;
    if (existsSync(dep) && /\/ip_vs\.ko/.test(readFileSync(dep, 'utf8'))) return 'module-available';
  } catch {
    /* no modules tree */
  }
  return 'absent';
}
