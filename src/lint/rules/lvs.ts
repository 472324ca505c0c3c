// LVS rules: the virtual service as keepalived programs IPVS, and the L2 layout that DR needs.
import { hit, type Hit, type Rule } from '../rule.js';
import { inSubnet, splitCidr } from '../net.js';
import type { HealthCheck, VirtualService } from '../types.js';

export const SCHEDULERS = [
  'rr',
  'wrr',
  'lc',
  'wlc',
  'lblc',
  'lblcr',
  'dh',
  'sh',
  'sed',
  'nq',
  'fo',
  'ovf',
  'mh',
  'twos',
];

const isDr = (s: VirtualService): boolean => (s.kind ?? '').toUpperCase() === 'DR';

/**
 * Seconds from a real server dying to keepalived removing it, at worst: it may die right after a
 * check (delay_loop), then every attempt waits out connect_timeout, with delay_before_retry
 * between the retries. keepalived's defaults: connect_timeout 5, retry 1, delay_before_retry 1.
 */
export function worstCaseDetection(delayLoop: number, c: HealthCheck): number {
  const timeout = c.connectTimeout ?? 5;
  const retry = c.retry ?? 1;
  const pause = c.delayBeforeRetry ?? 1;
  return delayLoop + (retry + 1) * timeout + retry * pause;
}

export const lvsRules: Rule[] = [
  {
    id: 'lvs-dr-port',
    severity: 'error',
    title: 'in DR the real-server port equals the virtual port',
    why: 'direct routing rewrites only the MAC address: the packet reaches the real server on the virtual port, so a different real-server port is never used',
    fix: "give the real server the virtual service's port, or use NAT",
    check(m) {
      const out: Hit[] = [];
      for (const s of m.services.filter(isDr)) {
        for (const rs of s.realServers) {
          if (rs.port !== undefined && s.port !== undefined && rs.port !== s.port)
            out.push(
              hit(
                `${s.owner}: real server ${rs.address} port ${rs.port} differs from virtual port ${s.port} in DR`,
                rs.pos.port ?? rs.pos.address,
              ),
            );
        }
      }
      return out;
    },
  },
  {
    id: 'lvs-kind-explicit',
    severity: 'warning',
    title: 'forwarding method set explicitly',
    why: 'without lb_kind keepalived uses NAT, which needs the real servers to route replies through the director; on a DR cluster nothing answers',
    fix: 'set lb_kind DR (or lvs_method DR) in the virtual_server',
    check: (m) =>
      m.services
        .filter((s) => !s.kind)
        .map((s) =>
          hit(
            `${s.owner}: virtual_server ${s.vip} ${s.port ?? ''} has no lb_kind (keepalived defaults to NAT)`,
            s.pos.vip,
          ),
        ),
  },
  {
    id: 'lvs-scheduler',
    severity: 'error',
    title: 'lb_algo names an IPVS scheduler',
    why: 'keepalived cannot create the virtual service with an unknown scheduler, so nothing is balanced',
    fix: `use one of ${SCHEDULERS.join(', ')}`,
    check: (m) =>
      m.services
        .filter((s) => s.algorithm !== undefined && !SCHEDULERS.includes(s.algorithm))
        .map((s) => hit(`${s.owner}: lb_algo '${s.algorithm}' is not an IPVS scheduler`, s.pos.algorithm)),
  },
  {
    id: 'lvs-realserver-in-group',
    severity: 'error',
    title: 'every real server is in the realservers group',
    why: 'a real server the roles do not manage lacks the VIP on lo and the ARP settings, so it drops or misroutes what the director sends it',
    fix: 'add the host to the realservers group of the inventory, or remove the real_server entry',
    check(m) {
      const known = m.realServersGroup;
      if (!known) return [];
      return m.services.flatMap((s) =>
        s.realServers
          .filter((rs) => !known.includes(rs.address) && !(rs.host && known.includes(rs.host)))
          .map((rs) =>
            hit(`${s.owner}: real server ${rs.address} is not a host of the realservers group`, rs.pos.address),
          ),
      );
    },
  },
  {
    id: 'lvs-director-not-realserver',
    severity: 'error',
    title: 'no host is both director and real server',
    why: 'in DR a director that is also a real server holds the VIP on lo while its peer forwards to it: the two directors bounce connections between them',
    fix: 'keep directors and real servers on different hosts',
    check(m) {
      const out: Hit[] = [];
      for (const d of m.directors) {
        const both = m.realServerHosts.find(
          (r) => r.name === d.name || (d.address !== undefined && r.address === d.address),
        );
        if (both)
          out.push(
            hit(
              `${d.name} is both a director and a real server${both.name !== d.name ? ` (${both.name}, same address ${d.address})` : ''}`,
              d.pos.name,
            ),
          );
      }
      return out;
    },
  },
  {
    id: 'lvs-realserver-subnet',
    severity: 'error',
    title: "DR real servers on the directors' L2 subnet",
    why: "direct routing delivers by MAC address, which works only on the directors' own segment; a real server behind a router never receives the packets",
    fix: "put the real servers on the VRRP interface's subnet, or use TUN/NAT",
    check(m) {
      const out: Hit[] = [];
      const subnets = [...new Set(m.vrrp.map((v) => v.interfaceSubnet).filter((s): s is string => !!s))];
      if (!subnets.length) return out;
      for (const s of m.services.filter(isDr)) {
        for (const rs of s.realServers) {
          if (subnets.every((n) => inSubnet(rs.address, n) === false))
            out.push(
              hit(
                `${s.owner}: real server ${rs.address} is not on the directors' subnet (${subnets.join(', ')})`,
                rs.pos.address,
              ),
            );
        }
      }
      return out;
    },
  },
  {
    id: 'lvs-vip-subnet',
    severity: 'error',
    title: "the VIP inside the VRRP interface's subnet",
    why: "clients reach the VIP through the segment's router by ARP; a VIP outside the interface's subnet is never asked for there",
    fix: "choose a VIP on the VRRP interface's subnet, or fix lvs_interface / the prefix",
    check: (m) =>
      m.vrrp.flatMap((v) =>
        v.interfaceSubnet
          ? v.vips
              .filter((vip) => inSubnet(splitCidr(vip).address, v.interfaceSubnet!) === false)
              .map((vip) =>
                hit(
                  `${v.owner}: VIP ${vip} is outside the subnet of ${v.interface ?? 'the interface'} (${v.interfaceSubnet})`,
                  v.pos.vips,
                ),
              )
          : [],
      ),
  },
  {
    id: 'lvs-weights-zero',
    severity: 'error',
    title: 'weights not all zero',
    why: 'IPVS sends nothing to a real server of weight 0: with all at 0 the service accepts connections and drops them',
    fix: 'give at least one real server a positive weight',
    check: (m) =>
      m.services
        .filter((s) => s.realServers.length > 0 && s.realServers.every((rs) => rs.weight === 0))
        .map((s) =>
          hit(
            `${s.owner}: every real server of ${s.vip}:${s.port ?? ''} has weight 0`,
            s.realServers[0]!.pos.weight ?? s.pos.vip,
          ),
        ),
  },
  {
    id: 'lvs-failure-detection',
    severity: 'warning',
    title: 'worst-case failure detection under the threshold',
    why: 'until the health check gives up, IPVS keeps sending new connections to a dead real server: every one of them fails',
    fix: 'lower connect_timeout (2-3 s), retry (1-2) and delay_loop',
    check(m, settings) {
      const out: Hit[] = [];
      for (const s of m.services) {
        for (const rs of s.realServers) {
          for (const c of rs.checks) {
            const worst = worstCaseDetection(s.delayLoop ?? 60, c);
            if (worst > settings.failureDetectionSeconds) {
              out.push(
                hit(
                  `${s.owner}: a dead real server ${rs.address} may take ${worst} s to be taken out (delay_loop ${s.delayLoop ?? 60}, connect_timeout ${c.connectTimeout ?? 5}, retry ${c.retry ?? 1}, delay_before_retry ${c.delayBeforeRetry ?? 1}); the threshold is ${settings.failureDetectionSeconds} s`,
                  c.pos.connectTimeout ?? c.pos.retry ?? s.pos.delayLoop ?? rs.pos.address,
                ),
              );
              return out; // the same settings usually repeat on every real server: say it once per model
            }
          }
        }
      }
      return out;
    },
  },
  {
    id: 'lvs-persistence-quiescent',
    severity: 'warning',
    title: 'persistence with quiescent real servers expires their templates',
    why: 'with persistence_timeout and inhibit_on_failure a failed real server keeps weight 0 and its persistence templates keep sending returning clients to it, unless net.ipv4.vs.expire_quiescent_template=1',
    fix: 'set net.ipv4.vs.expire_quiescent_template=1 on the directors, or drop inhibit_on_failure',
    check: (m) =>
      m.services
        .filter((s) => (s.persistenceTimeout ?? 0) > 0 && s.quiescent === true)
        .map((s) =>
          hit(
            `${s.owner}: ${s.vip}:${s.port ?? ''} has persistence_timeout ${s.persistenceTimeout} with quiescent (inhibit_on_failure) real servers`,
            s.pos.persistenceTimeout,
          ),
        ),
  },
];
