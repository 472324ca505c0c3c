// Real-server rules: the VIP on loopback without answering ARP for it.
import { hit, type Hit, type Rule } from '../rule.js';
import type { RealServerHost } from '../types.js';

/** The kernel applies the larger of `all` and the interface's own value. */
const effective = (values: Record<string, number>, dev: string): number | undefined => {
  const a = values.all;
  const d = values[dev];
  if (a === undefined && d === undefined) return undefined;
  return Math.max(a ?? 0, d ?? 0);
};

export const realServerRules: Rule[] = [
  {
    id: 'rs-vip-lo-32',
    severity: 'error',
    title: 'VIP on lo as /32',
    why: 'a wider prefix on lo makes the real server treat the whole subnet as local: it stops reaching its neighbours, the director included',
    fix: 'add the VIP to lo as VIP/32 (ip addr add VIP/32 dev lo)',
    check: (m) =>
      m.realServerHosts
        .filter((r) => r.vipPrefix !== undefined && r.vipPrefix !== 32)
        .map((r) =>
          hit(`${r.name}: VIP ${r.vip ?? ''} is on lo as /${r.vipPrefix}, not /32`, r.pos.vipPrefix ?? r.pos.vip),
        ),
  },
  {
    id: 'rs-arp-sysctls',
    severity: 'error',
    title: 'arp_ignore=1 and arp_announce=2 for all and the interface',
    why: 'a real server answering ARP for the VIP steals the clients from the director (they then bypass the load balancer, or lose the VIP when that server stops)',
    fix: 'set net.ipv4.conf.all.arp_ignore=1 and net.ipv4.conf.all.arp_announce=2 (and on the client-facing interface), persisted in /etc/sysctl.d',
    check(m) {
      const out: Hit[] = [];
      const check = (r: RealServerHost, dev: string): void => {
        const ig = effective(r.arpIgnore, dev);
        const an = effective(r.arpAnnounce, dev);
        if (ig === undefined || ig < 1)
          out.push(
            hit(`${r.name}: arp_ignore for ${dev} is ${ig ?? 'not set (0)'}, needs 1`, r.pos.arpIgnore ?? r.pos.name),
          );
        if (an === undefined || an < 2)
          out.push(
            hit(
              `${r.name}: arp_announce for ${dev} is ${an ?? 'not set (0)'}, needs 2`,
              r.pos.arpAnnounce ?? r.pos.name,
            ),
          );
      };
      for (const r of m.realServerHosts) check(r, r.interface ?? 'all');
      return out;
    },
  },
];
