// `lvsplay status` without the CLI: read the cluster once, or keep reading it.
import { clusterModelOf } from '../cluster/derive.js';
import type { ClusterModel } from '../cluster/model.js';
import { ConnectionPool } from '../exec/connections.js';
import type { Plan } from '../plan/load-and-plan.js';
import { CONNECT_TIMEOUT_SEC, planOf, readHosts, type ClusterSource, type ReadOptions } from './collect.js';
import type { HostProbe } from './reading.js';
import { clusterStatus, type ClusterStatus } from './report.js';

export { DEFAULT_DEADLINE_MS, planOf, readHosts, type ClusterSource } from './collect.js';
export { clusterStatus, type ClusterStatus } from './report.js';
export { statusLines, highlightChanges } from './text.js';
export type { HostProbe, HostReading } from './reading.js';

export interface ClusterSession {
  plan: Plan;
  model: ClusterModel;
  hosts: string[];
  pool: ConnectionPool;
}

export function openCluster(src: ClusterSource): ClusterSession {
  const plan = planOf(src);
  const { model } = clusterModelOf(plan);
  const hosts = [
    ...new Set([
      ...model.directors.map((d) => d.host),
      ...model.realServers.map((r) => r.host),
      ...model.databases.map((d) => d.host),
    ]),
  ];
  return { plan, model, hosts, pool: new ConnectionPool({ timeoutSec: CONNECT_TIMEOUT_SEC }) };
}

export async function readCluster(
  c: ClusterSession,
  o: ReadOptions = {},
): Promise<{ status: ClusterStatus; probes: HostProbe[] }> {
  const probes = await readHosts(c.plan, c.hosts, c.pool, o);
  return { status: clusterStatus(c.model, probes), probes };
}
