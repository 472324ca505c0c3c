// Reads every host of the cluster at once, one connection and one script each. A host that
// has not answered within the deadline is unreachable for this reading, whatever the reason.
import { type ConnectionPool } from '../exec/connections.js';
import { connectionSubset } from '../exec/task-setting.js';
import type { Plan } from '../plan/load-and-plan.js';
import type { Transport } from '../transport/types.js';
import { joinCommands, type ShellCommand } from '../transport/index.js';
import { createTemplar } from '../vars/templar.js';
import type { Vars } from '../vars/precedence.js';
import { probeScript } from './probe.js';
import { readingFromOutput, type HostProbe } from './reading.js';

export { planOf, type ClusterSource } from '../plan/cluster-source.js';

/** How long a connected host has to answer a reading. */
export const DEFAULT_DEADLINE_MS = 2000;
/**
 * ssh's ConnectTimeout for status and verify (unless the inventory sets ansible_ssh_timeout):
 * opening a connection costs more than answering on an open one (a UML guest on a loaded
 * machine needs 2-3 s for the handshake), and a slow host must not be called unreachable.
 */
export const CONNECT_TIMEOUT_SEC = 5;

/** A host's connection variables, rendered as the executor renders them for connecting. */
export function connectionVarsOf(plan: Plan, host: string): Vars {
  const play = plan.plays.find((p) => p.hosts.includes(host));
  const vars = play ? play.varsOf(host) : {};
  return createTemplar({ vault: plan.vault }).render(connectionSubset(vars), vars) as Vars;
}

/** A wait that ran out while the awaited work goes on (a connection still opening). */
class StillWaiting extends Error {}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StillWaiting(what)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export interface ReadOptions {
  /** How long a connected host has to answer (default 2 s). */
  deadlineMs?: number;
  /**
   * How long this reading waits for a connection still opening; by default until it opens or
   * fails (ConnectTimeout). One still opening after that goes on opening, for the next reading.
   */
  connectWaitMs?: number;
  /** Files to read whole on each host (host -> paths). */
  files?: (host: string) => string[];
  /** More to read in the same round trip: sections of its own (`s NAME`, `s file:PATH`...). */
  extra?: ShellCommand;
}

/** One reading of `hosts`; the pool keeps connections for the next reading (status --watch). */
export async function readHosts(
  plan: Plan,
  hosts: string[],
  pool: ConnectionPool,
  o: ReadOptions = {},
): Promise<HostProbe[]> {
  const deadline = o.deadlineMs ?? DEFAULT_DEADLINE_MS;
  return Promise.all(
    hosts.map(async (host): Promise<HostProbe> => {
      const t0 = Date.now();
      const unreachable = (e: unknown): HostProbe => ({
        host,
        reachable: false,
        ms: Date.now() - t0,
        reason: e instanceof Error ? e.message : String(e),
      });
      let t: Transport;
      try {
        const opening = pool.get(host, connectionVarsOf(plan, host));
        t =
          o.connectWaitMs === undefined
            ? await opening
            : await withDeadline(opening, o.connectWaitMs, `still connecting after ${o.connectWaitMs} ms`);
      } catch (e) {
        // a failed connection is opened again on the next reading; one still opening is left to finish
        if (!(e instanceof StillWaiting)) pool.forget(host);
        return unreachable(e);
      }
      try {
        const r = await withDeadline(
          t.run(
            o.extra ? joinCommands([probeScript(o.files?.(host) ?? []), o.extra]) : probeScript(o.files?.(host) ?? []),
            {
              timeoutMs: deadline,
            },
          ),
          deadline,
          `no answer within ${deadline} ms`,
        );
        if (r.timedOut) throw new Error(`no answer within ${deadline} ms`);
        return readingFromOutput(host, r.stdout, Date.now() - t0);
      } catch (e) {
        // a dead connection is reopened on the next reading
        pool.forget(host);
        return unreachable(e);
      }
    }),
  );
}
