// Measures what the transport costs against a loopback sshd and prints the figures (quoted in
// docs/transport.md). The assertions are loose ceilings: they catch a regression such as Nagle
// coming back on (~46 ms per round trip), not machine-to-machine noise.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, targetFromVars, type ConnectTarget } from '../../src/transport/index.js';
import { createUser, startSshd, type Sshd } from './sshd.js';
import { sh } from '../../src/transport/quote.js';

let sshd: Sshd;
let home: string;
let target: ConnectTarget;
let removeUser: (() => void) | undefined;
// A user whose login shell is plain sh: root's .bashrc on a developer machine can cost more per
// command than the transport itself (bash reads it when started by sshd).
const user = 'lvsplay-bench';

beforeAll(async () => {
  sshd = await startSshd();
  removeUser = createUser(user);
  home = mkdtempSync(join(tmpdir(), 'lvsplay-home-'));
  target = targetFromVars(
    'bench',
    {
      ansible_host: '127.0.0.1',
      ansible_port: sshd.port,
      ansible_user: user,
      ansible_ssh_private_key_file: sshd.clientKey,
    },
    { home, userConfigFile: null, systemConfigFile: null, agentSocket: '' },
  );
});
afterAll(async () => {
  await sshd?.stop();
  removeUser?.();
  rmSync(home, { recursive: true, force: true });
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe('transport figures', () => {
  it('handshake, round trip, 50 sequential commands (exec vs session), 1 MB put', async () => {
    const handshakes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      const t = await connect(target);
      handshakes.push(performance.now() - start);
      await t.close();
    }
    const figures: Record<string, number> = { handshakeMs: median(handshakes) };
    for (const mode of ['exec', 'session'] as const) {
      const t = await connect(target, { mode });
      await t.run(sh`true`); // a session opens its shell on first use
      const rtts: number[] = [];
      for (let i = 0; i < 10; i++) {
        const s = performance.now();
        await t.run(sh`true`);
        rtts.push(performance.now() - s);
      }
      figures[`${mode}RoundTripMs`] = median(rtts);
      const start = performance.now();
      for (let i = 0; i < 50; i++) {
        const r = await t.run(sh`echo ${String(i)}`);
        expect(r.stdout).toBe(`${i}\n`);
      }
      figures[`${mode}50SequentialMs`] = performance.now() - start;
      if (mode === 'exec') {
        const mb = Buffer.alloc(1 << 20, 'x');
        const s = performance.now();
        const r = await t.put(join('/home', user, 'big'), mb);
        figures.put1MbMs = performance.now() - s;
        expect(r.ok).toBe(true);
      }
      await t.close();
    }
    for (const [k, v] of Object.entries(figures)) figures[k] = Math.round(v * 10) / 10;
    console.log('transport figures', JSON.stringify(figures));
    expect(figures.execRoundTripMs).toBeLessThan(40);
    expect(figures.sessionRoundTripMs).toBeLessThan(40);
  });
});
