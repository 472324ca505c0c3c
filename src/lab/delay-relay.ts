// A delaying TCP relay: what `lvsplay lab up --delay` puts in the path of every connection to a
// lab host's ssh port, since this machine's kernel has no netem. Each byte is held for the
// one-way delay in each direction (half the round trip the user asked for), in order, with a
// bounded queue per direction: past `maxQueuedBytes` the sender is paused until the queue
// drains, and a receiver that does not keep up holds the queue (write backpressure).
import { createServer, connect, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface RelayRoute {
  /** Where the relay listens (0: any free port, see `ports`). */
  listenPort: number;
  /** Where each accepted connection goes. */
  host: string;
  port: number;
}

export interface RelayOptions {
  /** Added in each direction; a round trip gains twice this. */
  oneWayMs: number;
  listenHost?: string;
  /** Bytes held per direction of one connection before its sender is paused (default 1 MiB). */
  maxQueuedBytes?: number;
}

export interface Relay {
  /** The listening port of each route, in order. */
  ports: number[];
  close(): Promise<void>;
}

const DEFAULT_MAX_QUEUED = 1 << 20;

/** Copies `from` to `to`, each chunk written `ms` after it arrived. */
export function delayedPipe(from: Socket, to: Socket, ms: number, maxQueued = DEFAULT_MAX_QUEUED): void {
  const queue: { at: number; buf: Buffer }[] = [];
  let queued = 0;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  let waitingDrain = false;
  const schedule = () => {
    if (timer || waitingDrain || queue.length === 0) return;
    timer = setTimeout(flush, Math.max(0, queue[0]!.at - performance.now()));
  };
  const flush = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.at <= now && !waitingDrain) {
      const { buf } = queue.shift()!;
      queued -= buf.length;
      if (!to.write(buf)) {
        waitingDrain = true;
        to.once('drain', () => {
          waitingDrain = false;
          flush();
        });
      }
    }
    if (queued < maxQueued && from.isPaused() && !from.destroyed) from.resume();
    if (queue.length > 0) schedule();
    else if (ended && !waitingDrain) to.end();
  };
  from.on('data', (buf: Buffer) => {
    queue.push({ at: performance.now() + ms, buf });
    queued += buf.length;
    if (queued >= maxQueued) from.pause();
    schedule();
  });
  from.on('end', () => {
    ended = true;
    if (queue.length === 0 && !waitingDrain) to.end();
  });
}

export async function startRelay(routes: readonly RelayRoute[], o: RelayOptions): Promise<Relay> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  for (const r of routes) {
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
      track(client);
      client.pause();
      const upstream = connect({ host: r.host, port: r.port, allowHalfOpen: true, noDelay: true });
      track(upstream);
      const bothGo = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', bothGo);
      upstream.on('error', bothGo);
      // the connection is set up at once (the handshake's delay is in the first bytes both ways)
      delayedPipe(client, upstream, o.oneWayMs, o.maxQueuedBytes);
      delayedPipe(upstream, client, o.oneWayMs, o.maxQueuedBytes);
      const done = () => {
        if (client.writableFinished && upstream.writableFinished) bothGo();
      };
      client.on('finish', done);
      upstream.on('finish', done);
      client.resume();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(r.listenPort, o.listenHost ?? '127.0.0.1', () => resolve());
    });
    servers.push(server);
  }
  return {
    ports: servers.map((s) => {
      const a = s.address();
      return typeof a === 'object' && a ? a.port : 0;
    }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
