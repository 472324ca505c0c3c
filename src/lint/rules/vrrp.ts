// VRRP rules: the mistakes that leave two directors both MASTER (the VIP on both, clients cut
// off at random) or none, and settings keepalived silently ignores.
import { groupBy, hit, type Hit, type Rule } from '../rule.js';
import { networkOf } from '../net.js';
import type { VrrpInstance } from '../types.js';

/** Peers: the instances that share one VIP set by VRRP, i.e. the same instance on every director. */
export function peerSets(vrrp: readonly VrrpInstance[]): VrrpInstance[][] {
  return [...groupBy(vrrp, (v) => v.name).values()];
}

const segmentOf = (v: VrrpInstance): string | undefined =>
  (v.interfaceSubnet ? networkOf(v.interfaceSubnet) : undefined) ?? v.interface;

const list = (vs: readonly VrrpInstance[], f: (v: VrrpInstance) => unknown): string =>
  vs.map((v) => `${v.owner}: ${String(f(v))}`).join(', ');

export const vrrpRules: Rule[] = [
  {
    id: 'vrrp-router-id-unique',
    severity: 'error',
    title: 'virtual_router_id unique per L2 segment',
    why: "two VRRP groups with one virtual_router_id on a segment take each other's adverts as their own: each side drops them as invalid or elects across clusters, and a VIP can end up on the wrong director",
    fix: 'give every VRRP instance on the segment its own virtual_router_id (1-255)',
    check(m) {
      const out: Hit[] = [];
      for (const [, onSegment] of groupBy(m.vrrp, (v) =>
        v.vrid === undefined ? undefined : `${segmentOf(v)}|${v.vrid}`,
      )) {
        const names = [...new Set(onSegment.map((v) => v.name))];
        if (names.length < 2) continue;
        const second = onSegment.find((v) => v.name !== onSegment[0]!.name)!;
        out.push(
          hit(
            `virtual_router_id ${second.vrid} is used by VRRP instances ${names.join(' and ')} on the same segment (${segmentOf(second)})`,
            second.pos.vrid,
          ),
        );
      }
      return out;
    },
  },
  {
    id: 'vrrp-priority-range',
    severity: 'error',
    title: 'VRRP priority in 1..254',
    why: '255 is reserved for the owner of the address and 0 means "leaving": keepalived -t rejects 0 and anything above 255 (and runs with 100 instead); 255 it accepts (a warning), but the director then claims to own the address',
    fix: 'set the priority between 1 and 254',
    check: (m) =>
      m.vrrp
        .filter(
          (v) => v.priority !== undefined && (v.priority < 1 || v.priority > 254 || !Number.isInteger(v.priority)),
        )
        .map((v) => ({
          ...hit(`${v.owner}: VRRP priority ${v.priority} of ${v.name} is outside 1..254`, v.pos.priority),
          ...(v.priority === 255 ? { severity: 'warning' as const } : {}),
        })),
  },
  {
    id: 'vrrp-priority-distinct',
    severity: 'error',
    title: 'VRRP priorities distinct between peers',
    why: 'with equal priorities the election falls to the highest IP address, so which director holds the VIP depends on addressing, not on the configuration',
    fix: 'give each director a different priority (e.g. 100 and 50)',
    check(m) {
      const out: Hit[] = [];
      for (const peers of peerSets(m.vrrp)) {
        for (const [prio, same] of groupBy(peers, (v) => (v.priority === undefined ? undefined : String(v.priority)))) {
          if (same.length > 1)
            out.push(
              hit(
                `${same.map((v) => v.owner).join(' and ')} share VRRP priority ${prio} in ${same[0]!.name}`,
                same[1]!.pos.priority,
              ),
            );
        }
      }
      return out;
    },
  },
  {
    id: 'vrrp-single-master',
    severity: 'error',
    title: 'at most one director in state MASTER',
    why: 'two directors starting as MASTER both claim the VIP until adverts reach each other; if adverts are lost (firewall, wrong interface) both keep it for good',
    fix: 'set state MASTER on the director with the highest priority only, BACKUP on the others',
    check(m) {
      const out: Hit[] = [];
      for (const peers of peerSets(m.vrrp)) {
        const masters = peers.filter((v) => v.state?.toUpperCase() === 'MASTER');
        if (masters.length > 1)
          out.push(
            hit(
              `${masters.map((v) => v.owner).join(' and ')} are all state MASTER in ${masters[0]!.name}`,
              masters[1]!.pos.state,
            ),
          );
      }
      return out;
    },
  },
  {
    id: 'vrrp-master-highest',
    severity: 'error',
    title: 'the MASTER has the highest priority',
    why: 'a MASTER with a lower priority than a BACKUP loses the VIP to it at once: the VIP moves at every restart',
    fix: 'give the MASTER the highest priority, or swap the states',
    check(m) {
      const out: Hit[] = [];
      for (const peers of peerSets(m.vrrp)) {
        const master = peers.find((v) => v.state?.toUpperCase() === 'MASTER');
        if (master?.priority === undefined) continue;
        const higher = peers.find((v) => v !== master && v.priority !== undefined && v.priority > master.priority!);
        if (higher)
          out.push(
            hit(
              `${master.owner} is MASTER with priority ${master.priority} but ${higher.owner} has ${higher.priority} in ${master.name}`,
              master.pos.state ?? master.pos.priority,
            ),
          );
      }
      return out;
    },
  },
  {
    id: 'vrrp-nopreempt-backup',
    severity: 'error',
    title: 'nopreempt only with state BACKUP',
    why: 'keepalived ignores nopreempt on a MASTER instance (it warns and preempts anyway)',
    fix: 'set state BACKUP on every director when using nopreempt',
    check: (m) =>
      m.vrrp
        .filter((v) => v.nopreempt && v.state?.toUpperCase() === 'MASTER')
        .map((v) => hit(`${v.owner}: ${v.name} has nopreempt but state MASTER`, v.pos.nopreempt ?? v.pos.state)),
  },
  {
    id: 'vrrp-peers-agree',
    severity: 'error',
    title: 'peers agree on vrid, advert_int, VIPs, version and authentication',
    why: 'keepalived drops adverts whose router id, interval, addresses, version or authentication differ from its own, so each director thinks the other is dead and both become MASTER',
    fix: 'use the same virtual_router_id, advert_int, virtual_ipaddress, vrrp_version and authentication on every director',
    check(m) {
      const out: Hit[] = [];
      const fields: Array<[string, keyof VrrpInstance['pos'] & string, (v: VrrpInstance) => unknown]> = [
        ['virtual_router_id', 'vrid', (v) => v.vrid],
        ['advert_int', 'advertInt', (v) => v.advertInt ?? 1],
        ['virtual_ipaddress', 'vips', (v) => [...v.vips].sort().join(' ')],
        ['vrrp_version', 'version', (v) => v.version ?? 2],
        ['authentication', 'authPass', (v) => `${v.authType ?? 'none'} ${v.authPass ?? ''}`],
      ];
      for (const peers of peerSets(m.vrrp)) {
        if (peers.length < 2) continue;
        for (const [label, field, get] of fields) {
          const values = new Set(peers.map((v) => String(get(v))));
          if (values.size < 2) continue;
          const odd = peers.find((v) => String(get(v)) !== String(get(peers[0]!)))!;
          const shown =
            label === 'authentication'
              ? peers.map((v) => `${v.owner}: ${v.authType ?? 'none'}`).join(', ') +
                ' (passwords differ or types differ)'
              : list(peers, get);
          out.push(hit(`${peers[0]!.name}: directors disagree on ${label} (${shown})`, odd.pos[field] ?? odd.pos.name));
        }
      }
      return out;
    },
  },
  {
    id: 'vrrp-auth-pass',
    severity: 'warning',
    title: 'PASS authentication is weak (and ignored with VRRPv3 or vrrp_strict)',
    why: 'the password travels in clear text in every advert; VRRPv3 (RFC 5798) dropped authentication and keepalived ignores it there, so it protects nothing',
    fix: 'remove the authentication block and filter VRRP (IP protocol 112) to the directors in the firewall',
    check: (m) =>
      m.vrrp
        .filter((v) => v.authType?.toUpperCase() === 'PASS')
        .map((v) =>
          hit(
            `${v.owner}: ${v.name} uses PASS authentication${v.version === 3 ? ', which VRRPv3 ignores' : v.strict ? ', which vrrp_strict forbids' : ''}`,
            v.pos.authType,
          ),
        ),
  },
  {
    id: 'vrrp-strict-conflict',
    severity: 'error',
    title: 'vrrp_strict with unicast peers or authentication',
    why: 'vrrp_strict enforces RFC 5798: keepalived refuses unicast peers and authentication in strict mode (the instance does not start or the setting is dropped)',
    fix: 'remove vrrp_strict, or drop unicast_peer and authentication',
    check(m) {
      const out: Hit[] = [];
      for (const v of m.vrrp.filter((x) => x.strict)) {
        if (v.unicastPeers.length)
          out.push(hit(`${v.owner}: ${v.name} has unicast_peer under vrrp_strict`, v.pos.unicastPeers ?? v.pos.strict));
        if (v.authType)
          out.push(hit(`${v.owner}: ${v.name} has authentication under vrrp_strict`, v.pos.authType ?? v.pos.strict));
      }
      return out;
    },
  },
  {
    id: 'vrrp-unicast-peers',
    severity: 'error',
    title: 'unicast peer lists complete and not naming the director itself',
    why: 'with unicast, adverts go only to the listed peers: a missing peer never hears the MASTER and takes the VIP too; listing itself makes a director talk to itself',
    fix: 'list every other director, and only them, under unicast_peer on each director',
    check(m) {
      const out: Hit[] = [];
      for (const peers of peerSets(m.vrrp)) {
        if (!peers.some((v) => v.unicastPeers.length)) continue;
        for (const v of peers) {
          const self = [v.unicastSrc, v.ownAddress].filter((a): a is string => !!a);
          const selfListed = v.unicastPeers.find((p) => self.includes(p));
          if (selfListed)
            // keepalived -t takes it (the director then sends adverts to itself): a warning.
            out.push({
              ...hit(`${v.owner}: ${v.name} lists its own address ${selfListed} as a unicast peer`, v.pos.unicastPeers),
              severity: 'warning',
            });
          for (const other of peers) {
            if (other === v) continue;
            const addr = other.unicastSrc ?? other.ownAddress;
            if (addr && !v.unicastPeers.includes(addr))
              out.push(
                hit(
                  `${v.owner}: ${v.name} does not list ${other.owner} (${addr}) under unicast_peer`,
                  v.pos.unicastPeers ?? v.pos.name,
                ),
              );
          }
        }
      }
      return out;
    },
  },
];
