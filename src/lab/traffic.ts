// Client traffic to the VIP from a lab host, for proving that a change to the cluster loses no
// request: the loop (traffic-worker.js) runs in the host's network namespace, so its packets
// start where a client's do, and reports every request as it ends.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { LvsplayError, diag } from '../diagnostics.js';
import { assertLabRoute } from './guard.js';
import { initPid } from './host-netns.js';
import { labPaths } from './paths.js';
import { findHost } from './record.js';
import { builtWorker } from './worker-path.js';
import type { TrafficRecord } from './traffic-report.js';
import type { WorkerConfig } from './traffic-worker.js';

export interface TrafficOptions {
  /** The lab host the requests leave from (a namespace host; default `client`). */
  from?: string;
  /** The VIP (or a lab address) to send to. */
  address: string;
  port?: number;
  path?: string;
  /** Requests per second (default 50). */
  rate?: number;
  /** At most this long (default 60). */
  seconds?: number;
  /** A request without an answer in this time fails (default 2000 ms). */
  timeoutMs?: number;
  /** Stops sending early; the requests in flight still finish and are reported. */
  signal?: AbortSignal;
  onRecord?: (r: TrafficRecord) => void;
}

export async function labTraffic(o: TrafficOptions): Promise<TrafficRecord[]> {
  const p = labPaths();
  const from = o.from ?? 'client';
  const h = findHost(p, from);
  if (h.kind !== 'netns')
    throw new LvsplayError(
      diag(
        `lab traffic: ${from} is a ${h.kind} host`,
        undefined,
        'send from a namespace host (the inventory\'s "client" is one): --from HOST',
      ),
    );
  const pid = initPid(h, p);
  if (!pid) throw new LvsplayError(diag(`lab traffic: ${from} is not running`, undefined, `lvsplay lab boot ${from}`));
  await assertLabRoute(o.address);
  const cfg: WorkerConfig = {
    url: `http://${o.address}:${o.port ?? 80}${o.path ?? '/'}`,
    rate: o.rate ?? 50,
    seconds: o.seconds ?? 60,
    timeoutMs: o.timeoutMs ?? 2000,
  };
  // only the network namespace: the worker is this machine's Node running this package's file
  const child = spawn(
    'nsenter',
    [
      '-t',
      String(pid),
      '-n',
      '--',
      process.execPath,
      builtWorker('traffic-worker.js', 'the traffic loop'),
      JSON.stringify(cfg),
    ],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const stop = () => child.stdin.end();
  if (o.signal?.aborted) stop();
  o.signal?.addEventListener('abort', stop, { once: true });
  const records: TrafficRecord[] = [];
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (l) => {
    const r = JSON.parse(l) as TrafficRecord;
    records.push(r);
    o.onRecord?.(r);
  });
  const code = await new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (c) => resolve(c ?? 1));
  });
  o.signal?.removeEventListener('abort', stop);
  if (code !== 0)
    throw new LvsplayError(diag(`lab traffic: the traffic loop in ${from} failed (exit ${code}): ${stderr.trim()}`));
  return records;
}
