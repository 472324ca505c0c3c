// Cross-file rules: what init scripts do against what keepalived (its keepalived.conf, or the
// director role the inventory gives a host) already does. They read `model.scripts`, so they run
// once over everything lint was given (inventory, keepalived.conf files and scripts together).
import { hit, type Hit, type Rule } from '../rule.js';
import type { ClusterModel } from '../types.js';

const scriptsOf = (m: ClusterModel) => m.scripts ?? [];
const scriptNames = (m: ClusterModel) => new Set(scriptsOf(m).map((s) => s.name));
const atStart = (actions: string[]) =>
  !actions.length || actions.some((a) => ['start', 'restart', 'reload', 'force-reload'].includes(a));

export const scriptCrossRules: Rule[] = [
  {
    id: 'script-vip-vrrp',
    severity: 'error',
    title: 'a VIP added by a script and owned by VRRP',
    why: 'keepalived adds and removes the VIP as VRRP elects a MASTER; a script that adds it too puts it on every director that runs the script, BACKUP included: both answer ARP for it and clients are split between them',
    fix: 'remove the address lines from the script and leave the VIP to keepalived (virtual_ipaddress)',
    check(m) {
      const out: Hit[] = [];
      for (const { name, effects } of scriptsOf(m))
        for (const a of effects.addresses.filter((x) => x.op === 'add' && x.iface !== 'lo' && atStart(x.actions))) {
          const vrrp = m.vrrp.find((v) => v.vips.some((vip) => vip.split('/')[0] === a.address));
          if (vrrp)
            out.push(
              hit(
                `${name} adds ${a.address} on ${a.iface ?? '?'} (${a.tool}), which VRRP instance ${vrrp.name} of ${vrrp.owner} holds as a VIP`,
                a.pos,
              ),
            );
        }
      return out;
    },
  },
  {
    id: 'script-ipvs-keepalived',
    severity: 'error',
    title: 'IPVS programmed by a script and by keepalived',
    why: 'keepalived owns the IPVS table of its virtual_servers (it adds, reweights and removes real servers as checks pass or fail); a script running ipvsadm -C wipes it, and its own -A/-a entries are ones keepalived neither checks nor removes',
    fix: 'remove the ipvsadm lines from the script and describe the service in keepalived.conf (virtual_server)',
    check(m) {
      const out: Hit[] = [];
      const own = scriptNames(m);
      const kept = m.services.filter((s) => !own.has(s.owner));
      if (!kept.length) return out;
      for (const { name, effects } of scriptsOf(m))
        for (const e of effects.ipvs.filter((x) => atStart(x.actions))) {
          if (e.op === 'clear')
            out.push(
              hit(
                `${name} clears the IPVS table (ipvsadm -C) that keepalived (${kept[0]!.owner}) fills for ${kept.map((s) => `${s.vip}:${s.port ?? ''}`).join(', ')}`,
                e.pos,
              ),
            );
          else if (e.op !== 'other' && e.service) {
            const same = kept.find((s) => `${s.vip}:${s.port}` === e.service);
            if (same)
              out.push(hit(`${name} programs ${e.service} with ipvsadm, a virtual_server of ${same.owner}`, e.pos));
          }
        }
      return out;
    },
  },
  {
    id: 'script-ip-forward',
    severity: 'info',
    title: 'ip_forward turned on for LVS-DR',
    why: 'in direct routing the director only rewrites the MAC address of packets to the VIP, which it receives as its own: forwarding is not needed, and turning it on makes the director route anything sent to it',
    fix: 'drop the ip_forward line (NAT needs it; DR does not)',
    check(m) {
      if (!m.services.some((s) => (s.kind ?? 'NAT').toUpperCase() === 'DR')) return [];
      return scriptsOf(m).flatMap(({ name, effects }) =>
        effects.sysctls
          .filter((s) => s.key === 'net.ipv4.ip_forward' && s.value.trim() === '1' && atStart(s.actions))
          .map((s) => hit(`${name} turns net.ipv4.ip_forward on, which the DR services here do not need`, s.pos)),
      );
    },
  },
];
