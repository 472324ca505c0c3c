// The cluster as a layered graph: who forwards to whom, and what each box says. Every picture
// (text, Mermaid, DOT, SVG) draws this one graph, so they never disagree; renderers only draw.
import { replicationLinks, type ClusterModel, type Director, type VirtualService } from '../cluster/model.js';
import type { ClusterStatus } from '../status/report.js';

export type NodeKind = 'clients' | 'service' | 'director' | 'realServer' | 'database';

export interface TopoNode {
  id: string;
  kind: NodeKind;
  /** 0 at the top (clients); consecutive, with no empty layer. */
  layer: number;
  /** What the box says, one entry a line; the first names the node. */
  lines: string[];
}

export interface TopoEdge {
  from: string;
  to: string;
  label?: string;
  /** dashed: a standby path (a BACKUP director's), or one-way replication. */
  style: 'solid' | 'dashed';
  /** Arrowheads at both ends (mutual replication). */
  both: boolean;
}

export interface Topology {
  nodes: TopoNode[];
  edges: TopoEdge[];
  /** Node ids by layer, top to bottom, each in inventory order. */
  layers: string[][];
}

const KIND_ORDER: NodeKind[] = ['clients', 'service', 'director', 'realServer', 'database'];

export const LAYER_TITLES: Record<NodeKind, string> = {
  clients: 'clients',
  service: 'virtual services',
  director: 'directors',
  realServer: 'real servers',
  database: 'database masters',
};

const show = (v: number | string | undefined): string => (v === undefined ? '?' : String(v));

export const serviceAddress = (s: VirtualService): string => `${s.vip}:${show(s.port)}`;

function serviceLines(s: VirtualService): string[] {
  const lines = [`VIP ${serviceAddress(s)}`, `${s.protocol} ${s.algorithm} ${s.forwarding}`];
  if (s.vrrp) lines.push(`VRRP ${s.vrrp.name} vrid ${show(s.vrrp.virtualRouterId)}`);
  else lines.push('no VRRP (script mode)');
  return lines;
}

function directorLines(d: Director): string[] {
  const role = d.mode === 'keepalived' ? `${d.state} prio ${show(d.priority)}` : 'script mode, no VRRP';
  return [`${d.host} ${d.address}`, role, `router_id ${d.routerId}`];
}

/** What `status` saw, one line per box id (graph --live). */
function liveLines(model: ClusterModel, live: ClusterStatus): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of live.directors) {
    out.set(
      `dir_${d.host}`,
      !d.reachable
        ? 'now: UNREACHABLE'
        : d.vrrpState === 'MASTER'
          ? `now: MASTER, holds ${d.holds.join(', ')}`
          : `now: ${d.vrrpState ?? 'no keepalived'}`,
    );
  }
  // The VIP holder's IPVS table says how each real server is forwarded to right now.
  const table = live.directors.find((d) => d.holds.length && d.ipvs)?.ipvs ?? [];
  for (const r of live.realServers) {
    let line = !r.reachable ? 'now: UNREACHABLE' : `now: VIP on lo ${r.vipsOnLo.length ? 'yes' : 'NO'}`;
    const address = model.realServers.find((x) => x.host === r.host)?.address;
    for (const x of table.flatMap((svc) => svc.realServers).filter((x) => x.address === address))
      line += `, IPVS w${x.weight} ${x.activeConns}/${x.inactiveConns} conns`;
    out.set(`rs_${r.host}`, line);
  }
  for (const db of live.databases) {
    const r = db.replication;
    out.set(
      `db_${db.host}`,
      !db.reachable
        ? 'now: UNREACHABLE'
        : !r
          ? `now: ${db.error ?? 'no replication status'}`
          : !r.configured
            ? 'now: replicates from nobody'
            : `now: IO ${r.ioRunning ? 'Yes' : 'No'}, SQL ${r.sqlRunning ? 'Yes' : 'No'}, ${r.secondsBehindMaster ?? '?'}s behind`,
    );
  }
  return out;
}

/**
 * The cluster as the inventory describes it; with `live` (what `status` read), each box also
 * says what runs now, and the VIP's edges follow the director that holds it, not the configured
 * MASTER.
 */
export function topologyOf(model: ClusterModel, live?: ClusterStatus): Topology {
  const holding = new Set(live?.directors.filter((d) => d.holds.length).map((d) => d.host));
  const isStandby = (d: Director): boolean =>
    d.mode === 'keepalived' && (live ? !holding.has(d.host) : d.state !== 'MASTER');
  const nodes: TopoNode[] = [];
  const edges: TopoEdge[] = [];
  const add = (id: string, kind: NodeKind, lines: string[]): void => {
    nodes.push({ id, kind, layer: 0, lines });
  };
  const edge = (from: string, to: string, style: 'solid' | 'dashed' = 'solid', label?: string, both = false): void => {
    edges.push({ from, to, style, both, ...(label ? { label } : {}) });
  };

  const serviceIds = model.services.map((_, i) => `vip_${i}`);
  if (model.services.length) add('clients', 'clients', ['clients']);
  model.services.forEach((s, i) => {
    add(serviceIds[i]!, 'service', serviceLines(s));
    edge('clients', serviceIds[i]!, 'solid', `${s.protocol} ${show(s.port)}`);
  });

  for (const d of model.directors) {
    add(`dir_${d.host}`, 'director', directorLines(d));
    for (const id of serviceIds)
      edge(id, `dir_${d.host}`, isStandby(d) ? 'dashed' : 'solid', d.mode === 'keepalived' ? d.state : 'script');
  }

  for (const rs of model.realServers) {
    const targets = model.services.flatMap((s) =>
      s.realServers.filter((t) => t.host === rs.host).map((t) => ({ s, t })),
    );
    const lines = [`${rs.host} ${rs.address}`];
    if (!targets.length) lines.push('in no virtual service');
    for (const { s, t } of targets) {
      const where = model.services.length > 1 ? ` @ ${serviceAddress(s)}` : '';
      lines.push(`weight ${show(t.weight)}${where}`, `${t.check.type} :${show(t.check.port)}`);
    }
    add(`rs_${rs.host}`, 'realServer', lines);
    // Every director forwards to every real server of its services; a BACKUP's path is standby.
    if (targets.length)
      for (const d of model.directors) edge(`dir_${d.host}`, `rs_${rs.host}`, isStandby(d) ? 'dashed' : 'solid');
  }

  const realServers = new Set(model.realServers.map((r) => r.host));
  for (const db of model.databases) {
    add(`db_${db.host}`, 'database', [
      `${db.host} ${db.address}:${show(db.port)}`,
      `MariaDB server_id ${show(db.serverId)}`,
    ]);
    for (const c of db.clients) if (realServers.has(c)) edge(`rs_${c}`, `db_${db.host}`);
  }
  for (const l of replicationLinks(model))
    edge(`db_${l.from}`, `db_${l.to}`, l.mutual ? 'solid' : 'dashed', 'replication', l.mutual);

  if (live) {
    const now = liveLines(model, live);
    for (const n of nodes) {
      const line = now.get(n.id);
      if (line) n.lines.push(line);
    }
  }

  // Layers in a fixed order, skipping kinds the cluster has none of.
  const present = KIND_ORDER.filter((k) => nodes.some((n) => n.kind === k));
  for (const n of nodes) n.layer = present.indexOf(n.kind);
  const layers = present.map((k) => nodes.filter((n) => n.kind === k).map((n) => n.id));
  return { nodes, edges, layers };
}
