// The delaying relay of `lvsplay lab up --delay`, on loopback: it adds about the round trip
// asked for (checked loosely: a loaded machine only makes it later), keeps the bytes whole and
// in order through a queue far smaller than what goes through, and passes a half close on.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type Relay } from '../../src/lab/delay-relay.js';

let echo: Server;
let echoPort = 0;
const relays: Relay[] = [];

beforeAll(async () => {
  // echoes everything, and closes its side once the client has closed its own
  echo = createServer({ allowHalfOpen: true }, (s) => {
    s.pipe(s);
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  echoPort = (echo.address() as { port: number }).port;
});
afterAll(async () => {
  for (const r of relays) await r.close();
  await new Promise((r) => echo.close(r));
});

async function relayTo(oneWayMs: number, maxQueuedBytes?: number): Promise<number> {
  const r = await startRelay([{ listenPort: 0, host: '127.0.0.1', port: echoPort }], {
    oneWayMs,
    ...(maxQueuedBytes ? { maxQueuedBytes } : {}),
  });
  relays.push(r);
  return r.ports[0]!;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Median time of `n` one-byte pings echoed back on one connection. */
async function pingMs(port: number, n = 5): Promise<number> {
  const s = await open(port);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      s.once('data', () => resolve());
      s.write('x');
    });
    times.push(performance.now() - t0);
  }
  s.destroy();
  return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
}

describe('delaying relay', () => {
  it('adds about the round trip asked for', async () => {
    const direct = await pingMs(echoPort);
    const delayed = await pingMs(await relayTo(50));
    // 2 x 50 ms: never less (timers do not fire early by more than a tick), later when loaded
    expect(delayed - direct).toBeGreaterThanOrEqual(95);
    expect(delayed).toBeLessThan(5_000);
    const none = await pingMs(await relayTo(0));
    expect(none).toBeLessThan(delayed);
  });

  it('keeps 4 MiB whole and in order through a 64 KiB queue, and passes the close on', async () => {
    const port = await relayTo(5, 64 * 1024);
    const data = randomBytes(4 << 20);
    const s = await open(port);
    const got = createHash('sha256');
    let bytes = 0;
    const closed = new Promise<void>((resolve) => s.on('end', () => resolve()));
    s.on('data', (b: Buffer) => {
      got.update(b);
      bytes += b.length;
    });
    s.end(data);
    await closed;
    expect(bytes).toBe(data.length);
    expect(got.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('closes the client when the far end cannot be reached', async () => {
    const r = await startRelay([{ listenPort: 0, host: '127.0.0.1', port: 1 }], { oneWayMs: 1 });
    relays.push(r);
    const s = await open(r.ports[0]!);
    await new Promise<void>((resolve) => s.on('close', () => resolve()));
    expect(s.destroyed).toBe(true);
  });
});
