// The cluster's live state, as one document: per VIP who holds it, per director keepalived
// and IPVS, per real server the VIP on lo, per database master its replication. Pure: built
// from the cluster model and the host readings.
import type { ClusterModel } from '../cluster/model.js';
import type { IpvsService, IpvsStats, Replication } from './parse.js';
import type { HostProbe, HostReading, KeepalivedState } from './reading.js';

export interface VipStatus {
  vip: string;
  port: number | undefined;
  /** Directors whose interfaces carry the VIP right now. */
  holders: string[];
  /** The director the inventory makes MASTER (highest priority). */
  expectedMaster: string | undefined;
}

export interface DirectorStatus {
  host: string;
  reachable: boolean;
  reason?: string;
  configuredState: string;
  priority: number | undefined;
  keepalived?: KeepalivedState;
  /** MASTER when it holds a VIP, BACKUP when keepalived runs without it (keepalived logs its state only to syslog). */
  vrrpState?: 'MASTER' | 'BACKUP' | 'STOPPED';
  holds: string[];
  /** undefined: this kernel has no IPVS. */
  ipvs?: IpvsService[] | undefined;
  ipvsStats?: IpvsStats | undefined;
  ms: number;
}

export interface RealServerStatus {
  host: string;
  reachable: boolean;
  reason?: string;
  /** VIPs found on lo as /32. */
  vipsOnLo: string[];
  ms: number;
}

export interface DatabaseStatus {
  host: string;
  reachable: boolean;
  reason?: string;
  serverId?: number | undefined;
  replication?: Replication | undefined;
  error?: string | undefined;
  ms: number;
}

export interface ClusterStatus {
  at: string;
  /** false when no reachable director has /proc/net/ip_vs. */
  ipvsAvailable: boolean;
  vips: VipStatus[];
  directors: DirectorStatus[];
  realServers: RealServerStatus[];
  databases: DatabaseStatus[];
}

const reachable = (p: HostProbe | undefined): p is HostReading => !!p && p.reachable;

export function clusterStatus(model: ClusterModel, probes: HostProbe[], at = new Date()): ClusterStatus {
  const byHost = new Map(probes.map((p) => [p.host, p]));
  const vipList = [...new Map(model.services.map((s) => [s.vip, s])).values()];
  const highest = [...model.directors]
    .filter((d) => d.mode === 'keepalived')
    .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0))[0];
  const holdersOf = (vip: string) =>
    model.directors
      .map((d) => byHost.get(d.host))
      .filter(reachable)
      .filter((r) => r.addresses.some((a) => a.address === vip && a.dev !== 'lo'))
      .map((r) => r.host);
  const unreachable = (p: HostProbe | undefined) => ({
    reachable: false,
    reason: p && !p.reachable ? p.reason : 'not read',
    ms: p?.ms ?? 0,
  });

  const directors = model.directors.map((d): DirectorStatus => {
    const p = byHost.get(d.host);
    const base = { host: d.host, configuredState: d.state, priority: d.priority, holds: [] as string[] };
    if (!reachable(p)) return { ...base, ...unreachable(p) };
    const holds = vipList.map((s) => s.vip).filter((v) => p.addresses.some((a) => a.address === v && a.dev !== 'lo'));
    const vrrpState = p.keepalived !== 'running' ? 'STOPPED' : holds.length ? 'MASTER' : 'BACKUP';
    return {
      ...base,
      reachable: true,
      keepalived: p.keepalived,
      vrrpState,
      holds,
      ipvs: p.ipvs,
      ipvsStats: p.ipvsStats,
      ms: p.ms,
    };
  });

  const realServers = model.realServers.map((r): RealServerStatus => {
    const p = byHost.get(r.host);
    if (!reachable(p)) return { host: r.host, vipsOnLo: [], ...unreachable(p) };
    const vipsOnLo = vipList
      .map((s) => s.vip)
      .filter((v) => p.addresses.some((a) => a.address === v && a.dev === 'lo' && a.prefix === 32));
    return { host: r.host, reachable: true, vipsOnLo, ms: p.ms };
  });

  const databases = model.databases.map((db): DatabaseStatus => {
    const p = byHost.get(db.host);
    if (!reachable(p)) return { host: db.host, ...unreachable(p) };
    return {
      host: db.host,
      reachable: true,
      serverId: p.mysql?.serverId,
      replication: p.mysql?.replication,
      error: p.mysql ? p.mysql.error : 'no mysql client on the host',
      ms: p.ms,
    };
  });

  const readDirectors = model.directors.map((d) => byHost.get(d.host)).filter(reachable);
  return {
    at: at.toISOString(),
    ipvsAvailable: readDirectors.some((r) => r.ipvs !== undefined),
    vips: vipList.map((s) => ({
      vip: s.vip,
      port: s.port,
      holders: holdersOf(s.vip),
      expectedMaster: s.vrrp ? highest?.host : undefined,
    })),
    directors,
    realServers,
    databases,
  };
}
