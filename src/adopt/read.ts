// Connects to every host of the HOSTS inventory (read-only) and runs adopt's probe on each, all
// at once, over the runner's own transport and connection variables.
import { ExitCode, LvsplayError, hasErrors } from '../diagnostics.js';
import { ConnectionPool } from '../exec/connections.js';
import { connectionSubset } from '../exec/task-setting.js';
import { hostVarsOf, loadInventory, type Inventory } from '../inventory/index.js';
import { createTemplar } from '../vars/templar.js';
import type { Vars } from '../vars/precedence.js';
import { adoptProbe, adoptReadingFromOutput, type AdoptReading } from './probe.js';

const PROBE_TIMEOUT_MS = 30_000;

export interface Unreachable {
  host: string;
  reason: string;
}

export interface ClusterReading {
  inventory: Inventory;
  readings: AdoptReading[];
  unreachable: Unreachable[];
}

export function loadHosts(sources: string[], cwd: string): Inventory {
  const { inventory, diagnostics } = loadInventory(sources, { cwd });
  if (hasErrors(diagnostics)) throw new LvsplayError(diagnostics, ExitCode.parseError);
  return inventory;
}

export async function readCluster(inventory: Inventory): Promise<ClusterReading> {
  const templar = createTemplar({});
  const pool = new ConnectionPool({ timeoutSec: 10 });
  const readings: AdoptReading[] = [];
  const unreachable: Unreachable[] = [];
  try {
    await Promise.all(
      [...inventory.hosts.keys()].map(async (host) => {
        const vars = hostVarsOf(inventory, host) as Vars;
        const conn = templar.render(connectionSubset(vars), vars) as Vars;
        const address = String(conn.ansible_host ?? host);
        const t0 = Date.now();
        try {
          const t = await pool.get(host, conn);
          const r = await t.run(adoptProbe(), { timeoutMs: PROBE_TIMEOUT_MS });
          if (r.timedOut) throw new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`);
          readings.push(adoptReadingFromOutput(host, address, r.stdout, Date.now() - t0));
        } catch (e) {
          unreachable.push({ host, reason: e instanceof Error ? e.message : String(e) });
        }
      }),
    );
  } finally {
    await pool.closeAll();
  }
  // inventory order, whatever order the answers came in
  const order = [...inventory.hosts.keys()];
  readings.sort((a, b) => order.indexOf(a.host) - order.indexOf(b.host));
  return { inventory, readings, unreachable };
}
