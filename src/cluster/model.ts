// The LVS-DR cluster as the bundled roles would build it: virtual services, the directors that
// share each VIP by VRRP, the real servers behind them and the database masters behind those.
// Pure data, derived from the inventory and role variables (see derive.ts); pictures and checks
// read this, never the variables themselves.

export type VrrpState = 'MASTER' | 'BACKUP';

/** A VRRP instance: the VIP the directors hand to each other. */
export interface VrrpInstance {
  name: string;
  /** keepalived's virtual_router_id: directors sharing the VIP must agree on it. */
  virtualRouterId: number | undefined;
  interface: string;
  advertInt: number | undefined;
}

export interface HealthCheck {
  /** keepalived's checker, e.g. TCP_CHECK. */
  type: string;
  port: number | undefined;
  connectTimeout: number | undefined;
  retries: number | undefined;
}

export interface RealServerTarget {
  /** Inventory name of the real server. */
  host: string;
  address: string;
  port: number | undefined;
  weight: number | undefined;
  check: HealthCheck;
}

/** An IPVS virtual service: what clients reach at the VIP. */
export interface VirtualService {
  vip: string;
  prefix: number | undefined;
  port: number | undefined;
  protocol: string;
  /** IPVS scheduler (lb_algo): wlc, wrr, rr... */
  algorithm: string;
  /** IPVS forwarding method (lb_kind): DR means the real servers answer clients directly. */
  forwarding: string;
  delayLoop: number | undefined;
  /** Absent when the directors program IPVS from a script, without VRRP. */
  vrrp: VrrpInstance | undefined;
  realServers: RealServerTarget[];
}

export interface Director {
  host: string;
  address: string;
  /** keepalived: VRRP between directors; script: one director, /etc/init.d/lvs_server. */
  mode: string;
  /** The configured initial state; the highest priority holds the VIP once VRRP settles. */
  state: VrrpState | string;
  priority: number | undefined;
  /** keepalived's global_defs router_id. */
  routerId: string;
}

export interface RealServer {
  host: string;
  address: string;
}

export interface DatabaseMaster {
  host: string;
  address: string;
  port: number | undefined;
  serverId: number | undefined;
  /** The master this one replicates from. */
  replicatesFrom: string | undefined;
  /** Hosts allowed to connect (the real servers, by the role's default). */
  clients: string[];
}

export interface ClusterModel {
  services: VirtualService[];
  directors: Director[];
  realServers: RealServer[];
  databases: DatabaseMaster[];
}

/** Replication links, each pair once: `mutual` when each master replicates from the other. */
export function replicationLinks(model: ClusterModel): Array<{ from: string; to: string; mutual: boolean }> {
  const order = model.databases.map((d) => d.host);
  const links: Array<{ from: string; to: string; mutual: boolean }> = [];
  for (const db of model.databases) {
    const source = db.replicatesFrom;
    if (!source || !order.includes(source)) continue;
    const reverse = links.find((l) => l.from === db.host && l.to === source);
    if (!reverse) links.push({ from: source, to: db.host, mutual: false });
    // A mutual pair reads in inventory order (db1 <-> db2), whichever was met first.
    else if (order.indexOf(source) < order.indexOf(db.host))
      Object.assign(reverse, { from: source, to: db.host, mutual: true });
    else reverse.mutual = true;
  }
  return links;
}
