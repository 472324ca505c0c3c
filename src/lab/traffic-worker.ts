// The traffic loop itself, run by `lvsplay lab traffic` inside a lab host's network namespace
// (nsenter -n: this machine's Node and files, the host's network). It sends one HTTP GET, each on
// a new connection, every 1/rate s on a fixed schedule (a slow answer does not delay the next
// request), and writes one JSON line (a TrafficRecord) per finished request. It stops sending when
// its time is up or its stdin closes, then waits for the requests still in flight.
import { request } from 'node:http';
import { pageIdentity, type TrafficRecord } from './traffic-report.js';

export interface WorkerConfig {
  url: string;
  rate: number;
  seconds: number;
  timeoutMs: number;
}

function get(url: string, timeoutMs: number): Promise<Omit<TrafficRecord, 'seq' | 'at' | 'ms'>> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<TrafficRecord, 'seq' | 'at' | 'ms'>) => {
      if (!settled) resolve(r);
      settled = true;
    };
    // agent false: a new connection per request, as a stream of distinct clients makes
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, ...pageIdentity(Buffer.concat(chunks).toString()) }));
      res.on('error', (e) => done({ error: e.message }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => done({ error: e.message }));
    req.end();
  });
}

async function main(cfg: WorkerConfig): Promise<void> {
  const t0 = performance.now();
  const intervalMs = 1000 / cfg.rate;
  const endMs = cfg.seconds * 1000;
  let stopped = false;
  process.stdin.on('end', () => (stopped = true));
  process.stdin.on('error', () => (stopped = true));
  process.stdin.resume();
  const inFlight = new Set<Promise<void>>();
  for (let seq = 0; ; seq++) {
    const due = seq * intervalMs;
    if (due >= endMs) break;
    const wait = due - (performance.now() - t0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (stopped) break;
    const at = performance.now() - t0;
    const sentAt = Date.now();
    const p = get(cfg.url, cfg.timeoutMs).then((r) => {
      const ms = Math.round(performance.now() - t0 - at);
      const rec: TrafficRecord = { seq, at: Math.round(at), sentAt, ms, ...r };
      process.stdout.write(`${JSON.stringify(rec)}\n`);
      inFlight.delete(p);
    });
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  process.stdin.pause();
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
main(cfg).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`traffic worker: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
