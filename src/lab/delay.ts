// `lvsplay lab up --delay 20ms`: slow links for the lab, as this machine's kernel has no netem.
// A delaying relay (delay-worker.js) runs in the controller namespace, where every lab
// connection starts, and nftables there redirects each connection to a lab host's ssh port to
// the relay's port for that host; the relay, whose group the rule lets through, opens the real
// connection and holds every byte for half the delay in each direction. Any client in the
// controller namespace (ssh with or without the ProxyCommand, ssh2, socat) gets the same delay.
// `lab up` without --delay takes it away.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LvsplayError, diag } from '../diagnostics.js';
import { assertLabRoute } from './guard.js';
import { CONTROLLER_NS, type LabPaths } from './paths.js';
import { alive, signal, waitGone } from './procs.js';
import { run, sys } from './sys.js';
import type { LabHost } from './topology.js';
import { builtWorker } from './worker-path.js';

/** The group the relay runs with; the redirect rules pass its own connections through. */
export const RELAY_GID = 65534;
const TABLE = 'lvsplay_delay';
const FIRST_PORT = 41000;
const SSH_PORT = 22;

/** "20ms", "0.1s", "100" (ms), "0": the added round trip in ms; an error says what is accepted. */
export function parseDelay(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/.exec(v);
  const ms = m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : NaN;
  if (!Number.isFinite(ms) || ms > 10_000)
    throw new LvsplayError(
      diag(`lab: delay "${v}" is not a round trip of 0 to 10 s`, undefined, 'give e.g. --delay 20ms, 0.1s or 0'),
    );
  return ms;
}

function stateFile(p: LabPaths): string {
  return join(p.stateDir, 'delay.json');
}

/** The delay the lab runs with now (0 when none). */
export function currentDelayMs(p: LabPaths): number {
  try {
    const s = JSON.parse(readFileSync(stateFile(p), 'utf8')) as { ms: number; pid: number };
    return alive(s.pid) ? s.ms : 0;
  } catch {
    return 0;
  }
}

/** The nftables script: each host's ssh port redirected to its relay port, but for the relay. */
export function redirectRules(hosts: readonly LabHost[], firstPort = FIRST_PORT): string {
  return [
    `table ip ${TABLE} {`,
    '  chain out {',
    '    type nat hook output priority -100; policy accept;',
    ...hosts.map(
      (h, i) =>
        `    meta skgid != ${RELAY_GID} ip daddr ${h.address} tcp dport ${SSH_PORT} redirect to :${firstPort + i}`,
    ),
    '  }',
    '}',
    '',
  ].join('\n');
}

async function removeDelay(p: LabPaths): Promise<void> {
  await run`ip netns exec ${CONTROLLER_NS} nft delete table ip ${TABLE}`;
  try {
    const { pid } = JSON.parse(readFileSync(stateFile(p), 'utf8')) as { pid: number };
    if (alive(pid)) {
      signal(pid, 'SIGTERM');
      if (!(await waitGone([pid], 3_000))) signal(pid, 'SIGKILL');
    }
  } catch {
    // no relay was running
  }
  rmSync(stateFile(p), { force: true });
}

/** Puts the lab's link delay at `ms` round trip (0: none); the controller namespace must exist. */
export async function applyDelay(p: LabPaths, hosts: readonly LabHost[], ms: number): Promise<void> {
  await removeDelay(p);
  if (ms <= 0 || hosts.length === 0) return;
  for (const h of hosts) await assertLabRoute(h.address);
  const cfg = {
    oneWayMs: ms / 2,
    routes: hosts.map((h, i) => ({ listenPort: FIRST_PORT + i, host: h.address, port: SSH_PORT })),
  };
  // its complaints (a route it could not reach) go to a log beside its state, not to a closed pipe
  const log = openSync(join(p.stateDir, 'delay.log'), 'w');
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      CONTROLLER_NS,
      'setpriv',
      `--regid=${RELAY_GID}`,
      '--clear-groups',
      '--',
      process.execPath,
      builtWorker('delay-worker.js', 'the delaying relay'),
      JSON.stringify(cfg),
    ],
    { detached: true, stdio: ['ignore', 'pipe', log] },
  );
  closeSync(log);
  const ready = await new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => resolve('it did not start within 10 s'), 10_000);
    child.stdout?.on('data', (b: Buffer) => {
      if (b.toString().includes('ready')) {
        clearTimeout(timer);
        resolve(undefined);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(`it exited with ${code}: ${readFileSync(join(p.stateDir, 'delay.log'), 'utf8').trim()}`);
    });
  });
  if (ready !== undefined) {
    if (child.pid) signal(child.pid, 'SIGKILL');
    throw new LvsplayError(diag(`lab: the delaying relay failed: ${ready}`));
  }
  child.stdout?.destroy();
  child.unref();
  writeFileSync(stateFile(p), `${JSON.stringify({ ms, pid: child.pid })}\n`);
  const nft = await sys({ input: redirectRules(hosts) }).run`ip netns exec ${CONTROLLER_NS} nft -f -`;
  if (nft.code !== 0) {
    await removeDelay(p);
    throw new LvsplayError(diag(`lab: the redirect to the delaying relay failed: ${nft.stderr.trim()}`));
  }
}
