// Firewall rules, as far as the roles' variables tell what the packet filter lets in.
import { hit, type Hit, type Rule } from '../rule.js';

export const firewallRules: Rule[] = [
  {
    id: 'fw-vrrp-directors',
    severity: 'error',
    title: 'VRRP (IP protocol 112) accepted between directors',
    why: "a director that does not receive its peer's adverts thinks the peer is dead and takes the VIP too: both are MASTER",
    fix: "accept protocol 112 from every other director's address on the VRRP interface (unicast_src_ip, or the address on the VIP's subnet)",
    check(m) {
      const out: Hit[] = [];
      const accept = m.vrrpAcceptFrom;
      if (!accept) return out;
      for (const v of m.vrrp) {
        const allowed = accept[v.owner];
        if (!allowed) continue;
        for (const peer of m.vrrp.filter((p) => p.name === v.name && p.owner !== v.owner)) {
          const source = peer.unicastSrc ?? peer.ownAddress;
          if (source && !allowed.includes(source))
            out.push(
              hit(
                `${v.owner}: the firewall accepts VRRP from ${allowed.join(', ') || 'nobody'}, but ${peer.owner} sends its adverts from ${source}`,
                peer.pos.ownAddress ?? v.pos.name,
              ),
            );
        }
      }
      return out;
    },
  },
  {
    id: 'fw-service-port',
    severity: 'error',
    title: 'the service port open on the real servers',
    why: 'the director forwards client connections to the virtual port; a real server filtering it drops every connection while the health check may still pass on another port',
    fix: "open the virtual service's port on every real server (lvs_port the same for directors and real servers)",
    check(m) {
      const out: Hit[] = [];
      const ports = [...new Set(m.services.map((s) => s.port).filter((p): p is number => p !== undefined))];
      for (const r of m.realServerHosts) {
        if (!r.openPorts) continue;
        for (const p of ports)
          if (!r.openPorts.includes(p))
            out.push(
              hit(
                `${r.name}: its firewall opens ${r.openPorts.join(', ')}, not the service port ${p}`,
                r.pos.openPorts ?? r.pos.name,
              ),
            );
      }
      return out;
    },
  },
  {
    id: 'fw-mysql-access',
    severity: 'error',
    title: '3306 open between database masters and from the real servers',
    why: 'replication needs each master to reach the other, and the web servers need the database: a missing rule stops replication or the application',
    fix: 'let the peer and the realservers group reach the database port (mysql_clients_group: realservers)',
    check(m) {
      const out: Hit[] = [];
      const webs = m.realServerHosts.map((r) => r.name);
      for (const db of m.dbMasters) {
        if (!db.allowedClients) continue;
        const need = [...m.dbMasters.filter((o) => o !== db).map((o) => o.name), ...webs];
        const missing = need.filter((n) => !db.allowedClients!.includes(n));
        if (missing.length)
          out.push(
            hit(
              `${db.name}: port ${db.port ?? 3306} is not open to ${missing.join(', ')}`,
              db.pos.allowedClients ?? db.pos.name,
            ),
          );
      }
      return out;
    },
  },
];
