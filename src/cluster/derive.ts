// The cluster model from a Plan: each host's variables exactly as `lvsplay run` would merge them
// (inventory, group_vars, role defaults and vars), read from the plays that apply the bundled
// roles. Nothing here connects to a host.
import { diag, type Diagnostic } from '../diagnostics.js';
import { modelFromPlan } from '../lint/from-inventory.js';
import { planOf, type ClusterSource } from '../plan/cluster-source.js';
import type { Plan } from '../plan/load-and-plan.js';
import type { ClusterModel, RealServerTarget } from './model.js';

export type { ClusterSource } from '../plan/cluster-source.js';

const text = (v: unknown, fallback = ''): string => (v === undefined || v === null ? fallback : String(v));

function number(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

export interface DerivedCluster {
  model: ClusterModel;
  warnings: Diagnostic[];
}

export function loadClusterModel(src: ClusterSource = {}): DerivedCluster {
  const plan = planOf(src);
  const derived = clusterModelOf(plan);
  return { model: derived.model, warnings: [...plan.warnings, ...derived.warnings] };
}

/**
 * The picture's model from lint's reading of the plan (src/lint/from-inventory.ts), so the
 * variables are read and rendered in one place. lint keeps one service and one VRRP instance
 * per director; the picture needs them once, with each director's state beside it.
 */
export function clusterModelOf(plan: Plan): DerivedCluster {
  const warnings: Diagnostic[] = [];
  const { model: seen, views } = modelFromPlan(plan);
  const get = (host: string, key: string): unknown => views.get(host)?.get(key);
  const model: ClusterModel = { services: [], directors: [], realServers: [], databases: [] };

  if (!seen.directors.length && !plan.plays.some((pp) => pp.compiled.roles.some((r) => r.name === 'director'))) {
    warnings.push(
      diag(
        `no play of ${plan.playbookPath} applies the director role`,
        undefined,
        'the picture shows no virtual service; apply roles/director to the directors',
        'warning',
      ),
    );
  }
  for (const d of seen.directors) {
    const vrrp = seen.vrrp.find((v) => v.owner === d.name);
    const mode = vrrp ? 'keepalived' : text(get(d.name, 'lvs_director_mode'), 'script');
    model.directors.push({
      host: d.name,
      address: d.address ?? d.name,
      mode,
      state: vrrp ? text(vrrp.state, 'BACKUP').toUpperCase() : 'script',
      priority: vrrp?.priority,
      // The director role's keepalived.conf sets router_id to the inventory name.
      routerId: d.name,
    });
  }

  for (const s of seen.services) {
    if (model.services.some((x) => x.vip === s.vip && x.port === s.port)) continue;
    const vrrp = seen.vrrp.find((v) => v.owner === s.owner);
    model.services.push({
      vip: s.vip,
      prefix: number(get(s.owner, 'lvs_vip_prefix')),
      port: s.port,
      protocol: text(s.protocol, 'TCP').toUpperCase(),
      algorithm: text(s.algorithm, 'wlc'),
      forwarding: text(s.kind, 'DR'),
      delayLoop: s.delayLoop,
      vrrp: vrrp
        ? {
            name: vrrp.name,
            virtualRouterId: vrrp.vrid,
            interface: text(vrrp.interface, 'eth0'),
            advertInt: vrrp.advertInt,
          }
        : undefined,
      realServers: s.realServers.map((r): RealServerTarget => {
        const check = r.checks[0];
        return {
          host: r.host ?? r.address,
          address: r.address,
          port: r.port,
          weight: r.weight,
          check: {
            type: check?.type ?? 'none',
            port: check?.connectPort ?? r.port,
            connectTimeout: check?.connectTimeout,
            retries: check?.retry,
          },
        };
      }),
    });
  }

  const members = [
    ...model.services.flatMap((s) => s.realServers.map((r) => r.host)),
    ...seen.realServerHosts.map((r) => r.name),
  ];
  for (const host of new Set(members)) {
    const known = seen.realServerHosts.find((r) => r.name === host);
    model.realServers.push({ host, address: known?.address ?? text(get(host, 'ansible_host'), host) });
  }

  const masters = seen.dbMasters.map((d) => d.name);
  for (const db of seen.dbMasters) {
    // mysql_peer reads groups[...] | difference(...) | first: with one master there is none.
    const peer = masters.length > 1 ? text(get(db.name, 'mysql_peer')) || undefined : undefined;
    model.databases.push({
      host: db.name,
      address: db.address ?? db.name,
      port: db.port,
      serverId: db.serverId,
      replicatesFrom: peer,
      clients: (db.allowedClients ?? []).filter((c) => c !== peer),
    });
  }
  return { model, warnings };
}
