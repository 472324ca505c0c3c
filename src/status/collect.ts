// Reads every host of the cluster at once, one connection and one script each. A host that
// has not answered within the deadline is unreachable for this reading, whatever the reason.
import { ConnectionPool } from '../exec/connections.js';
import { connectionSubset } from '../exec/task-setting.js';
import type { Plan } from '../plan/load-and-plan.js';
import { createTemplar } from '../vars/templar.js';
import type { Vars } from '../vars/precedence.js';
import { probeScript } from './probe.js';
import { readingFromOutput, type HostProbe } from './reading.js';

export { planOf, type ClusterSource } from '../plan/cluster-source.js';

export const DEFAULT_DEADLINE_MS = 2000;

/** A host's connection variables, rendered as the executor renders them for connecting. */
export function connectionVarsOf(plan: Plan, host: string): Vars {
  const play = plan.plays.find((p) => p.hosts.includes(host));
  const vars = play ? play.varsOf(host) : {};
  return createTemplar({ vault: plan.vault }).render(connectionSubset(vars), vars) as Vars;
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export interface ReadOptions {
  deadlineMs?: number;
  /** Files to read whole on each host (host -> paths). */
  files?: (host: string) => string[];
}

/** One reading of `hosts`; the pool keeps connections for the next reading (status --watch). */
export async function readHosts(plan: Plan, hosts: string[], pool: ConnectionPool, o: ReadOptions = {}): Promise<HostProbe[]> {
  const deadline = o.deadlineMs ?? DEFAULT_DEADLINE_MS;
  return Promise.all(hosts.map(async (host): Promise<HostProbe> => {
    const t0 = Date.now();
    try {
      const r = await withDeadline((async () => {
        const t = await pool.get(host, connectionVarsOf(plan, host));
        return t.run(probeScript(o.files?.(host) ?? []), { timeoutMs: deadline });
      })(), deadline);
      if (r.timedOut) throw new Error(`no answer within ${deadline} ms`);
      return readingFromOutput(host, r.stdout, Date.now() - t0);
    } catch (e) {
      // a dead connection is reopened on the next reading
      pool.forget(host);
      return { host, reachable: false, ms: Date.now() - t0, reason: e instanceof Error ? e.message : String(e) };
    }
  }));
}
