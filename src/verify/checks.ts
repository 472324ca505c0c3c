// The verify checklist: pure judgements of the host readings against the cluster model and
// the files the inventory renders. Each check names what it looked at and gives its figures.
import type { ClusterModel } from '../cluster/model.js';
import { unifiedDiff } from '../report/diff.js';
import type { HostProbe, HostReading } from '../status/reading.js';
import type { RenderedFile } from './render.js';

export interface Check {
  id: string;
  host?: string;
  title: string;
  ok: boolean;
  /** What was found, with figures. */
  detail: string;
  diff?: string;
}

export const ARP_SYSCTLS: Record<string, string> = {
  'all.arp_ignore': '1',
  'lo.arp_ignore': '1',
  'all.arp_announce': '2',
  'lo.arp_announce': '2',
};

export interface VerifyInput {
  model: ClusterModel;
  probes: HostProbe[];
  /** director -> keepalived.conf as the inventory renders it. */
  rendered: Map<string, RenderedFile>;
}

export function verifyChecks({ model, probes, rendered }: VerifyInput): Check[] {
  const byHost = new Map(probes.map((p) => [p.host, p]));
  const checks: Check[] = [];
  const reading = (host: string): HostReading | undefined => {
    const p = byHost.get(host);
    return p?.reachable ? p : undefined;
  };
  for (const p of probes)
    if (!p.reachable)
      checks.push({ id: 'reachable', host: p.host, title: 'host answers', ok: false, detail: p.reason });

  const vips = [...new Map(model.services.map((s) => [s.vip, s])).values()];
  // A check about the whole cluster is only judged when every host it needs was read (--limit).
  const allRead = (hosts: string[]): boolean => hosts.every((h) => byHost.has(h));
  for (const s of allRead(model.directors.map((d) => d.host)) ? vips : []) {
    const holders = model.directors
      .filter((d) => reading(d.host)?.addresses.some((a) => a.address === s.vip && a.dev !== 'lo'))
      .map((d) => d.host);
    checks.push({
      id: 'vip-holder',
      title: `exactly one director holds VIP ${s.vip}`,
      ok: holders.length === 1,
      detail: holders.length ? `held by ${holders.join(', ')}` : 'held by no director',
    });
  }

  for (const d of model.directors) {
    const r = reading(d.host);
    const want = rendered.get(d.host);
    if (!r || !want) continue;
    if (d.mode === 'keepalived')
      checks.push({
        id: 'keepalived-running',
        host: d.host,
        title: 'keepalived runs',
        ok: r.keepalived === 'running',
        detail: r.keepalived,
      });
    const have = r.files.get(want.path);
    if (have === undefined) continue;
    if (have === null) {
      checks.push({
        id: 'keepalived-drift',
        host: d.host,
        title: `${want.path} matches the inventory`,
        ok: false,
        detail: 'the file is missing',
      });
      continue;
    }
    const diff = unifiedDiff({
      before: have,
      after: want.content,
      beforeHeader: `${d.host}:${want.path}`,
      afterHeader: 'rendered from the inventory',
    });
    const changed = diff.split('\n').filter((l) => /^[-+][^-+]/.test(l) || l === '-' || l === '+').length;
    checks.push({
      id: 'keepalived-drift',
      host: d.host,
      title: `${want.path} matches the inventory`,
      ok: diff === '',
      detail: diff === '' ? `${have.length} bytes, identical` : `${changed} line(s) differ`,
      ...(diff ? { diff } : {}),
    });
  }

  for (const d of model.directors) checks.push(...ipvsChecks(d.host, reading(d.host), model.services));

  for (const rs of model.realServers) {
    const r = reading(rs.host);
    if (!r) continue;
    for (const s of vips) {
      const onLo = r.addresses.find((a) => a.address === s.vip && a.dev === 'lo');
      checks.push({
        id: 'vip-on-lo',
        host: rs.host,
        title: `VIP ${s.vip} on lo as /32`,
        ok: onLo?.prefix === 32,
        detail: onLo ? `${onLo.address}/${onLo.prefix} on lo` : 'not on lo',
      });
    }
    const wrong = Object.entries(ARP_SYSCTLS)
      .filter(([k, v]) => r.sysctl[k] !== v)
      .map(([k, v]) => `net.ipv4.conf.${k}=${r.sysctl[k] || '?'} (want ${v})`);
    checks.push({
      id: 'arp-sysctls',
      host: rs.host,
      title: 'arp_ignore=1 and arp_announce=2 on all and lo',
      ok: wrong.length === 0,
      detail: wrong.length
        ? wrong.join(', ')
        : Object.entries(ARP_SYSCTLS)
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
    });
    const ports = [
      ...new Set(
        model.services.flatMap((s) => s.realServers.filter((x) => x.host === rs.host).map((x) => x.port ?? s.port)),
      ),
    ].filter((p): p is number => p !== undefined);
    for (const port of ports) {
      // From the host's own socket table: the controller has no route to the real servers here.
      checks.push({
        id: 'service-listening',
        host: rs.host,
        title: `listens on TCP ${port} (socket table, not an HTTP request)`,
        ok: r.listening.includes(port),
        detail: r.listening.includes(port) ? `port ${port} in LISTEN` : `nothing listens on ${port}`,
      });
    }
  }

  const ids = new Map<number, string[]>();
  for (const db of model.databases) {
    const r = reading(db.host);
    if (!r) continue;
    const m = r.mysql;
    if (!m || m.error || !m.replication) {
      checks.push({
        id: 'replication',
        host: db.host,
        title: 'both replication threads run',
        ok: false,
        detail: m?.error ?? 'no mysql client on the host',
      });
      continue;
    }
    const rep = m.replication;
    const lag = rep.secondsBehindMaster === null ? 'lag unknown' : `${rep.secondsBehindMaster}s behind`;
    checks.push({
      id: 'replication',
      host: db.host,
      title: 'both replication threads run',
      ok: rep.configured && rep.ioRunning && rep.sqlRunning,
      detail: rep.configured
        ? `IO ${rep.ioRunning ? 'Yes' : 'No'}, SQL ${rep.sqlRunning ? 'Yes' : 'No'}, from ${rep.masterHost ?? '?'}, ${lag}${rep.lastError ? `: ${rep.lastError}` : ''}`
        : 'replicates from nobody',
    });
    if (m.serverId !== undefined) ids.set(m.serverId, [...(ids.get(m.serverId) ?? []), db.host]);
  }
  if (model.databases.length > 1 && ids.size && allRead(model.databases.map((d) => d.host))) {
    const dup = [...ids.entries()].filter(([, hs]) => hs.length > 1);
    checks.push({
      id: 'server-ids',
      title: 'database server_ids are distinct',
      ok: dup.length === 0,
      detail: [...ids.entries()].map(([id, hs]) => `${hs.join(', ')}=${id}`).join(' '),
    });
  }
  return checks;
}

/** /proc/net/ip_vs names the forwarding methods differently from keepalived's lb_kind. */
const IPVS_FORWARD: Record<string, string> = { DR: 'Route', NAT: 'Masq', TUN: 'Tunnel' };

/**
 * The director's IPVS table against the inventory's services: scheduler, forwarding method and
 * weight of every real server, and nothing else. Only where the kernel has IPVS.
 */
export function ipvsChecks(host: string, r: HostReading | undefined, services: ClusterModel['services']): Check[] {
  if (!r?.ipvs) return [];
  const table = r.ipvs;
  const out: Check[] = [];
  const key = (protocol: string, vip: string, port: number | undefined) =>
    `${protocol.toUpperCase()} ${vip}:${port ?? 0}`;
  const wanted = new Set(services.map((s) => key(s.protocol, s.vip, s.port)));
  for (const s of services) {
    const k = key(s.protocol, s.vip, s.port);
    const have = table.find((t) => key(t.protocol, t.vip, t.port) === k);
    const title = `IPVS service ${k} as the inventory says`;
    if (!have) {
      out.push({ id: 'ipvs-table', host, title, ok: false, detail: 'not in /proc/net/ip_vs' });
      continue;
    }
    const wrong: string[] = [];
    if (have.scheduler !== s.algorithm) wrong.push(`scheduler ${have.scheduler} (want ${s.algorithm})`);
    const forward = IPVS_FORWARD[s.forwarding.toUpperCase()] ?? s.forwarding;
    for (const rs of s.realServers) {
      const port = rs.port ?? s.port;
      const got = have.realServers.find((x) => x.address === rs.address && x.port === port);
      if (!got) {
        wrong.push(`${rs.host} ${rs.address}:${port} missing (its health check may be failing)`);
        continue;
      }
      if (got.forward !== forward) wrong.push(`${rs.host} forwarded by ${got.forward} (want ${forward})`);
      if (rs.weight !== undefined && got.weight !== rs.weight)
        wrong.push(`${rs.host} weight ${got.weight} (want ${rs.weight})`);
    }
    for (const x of have.realServers) {
      if (!s.realServers.some((rs) => rs.address === x.address && (rs.port ?? s.port) === x.port))
        wrong.push(`${x.address}:${x.port} is not in the inventory`);
    }
    const shown = have.realServers.map((x) => `${x.address}:${x.port} ${x.forward} w${x.weight}`).join(', ');
    out.push({
      id: 'ipvs-table',
      host,
      title,
      ok: wrong.length === 0,
      detail: wrong.length ? wrong.join('; ') : `${have.scheduler}: ${shown || 'no real servers'}`,
    });
  }
  for (const t of table) {
    const k = key(t.protocol, t.vip, t.port);
    if (!wanted.has(k))
      out.push({
        id: 'ipvs-table',
        host,
        title: `IPVS service ${k} is in the inventory`,
        ok: false,
        detail: `${t.scheduler} with ${t.realServers.length} real server(s), not in the inventory`,
      });
  }
  return out;
}
