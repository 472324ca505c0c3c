import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/secret.js';
import { connect, sh, targetFromVars, UnreachableError, type SshTransport } from '../../src/transport/index.js';
import { freePort, startSshd, type Sshd } from './sshd.js';

let sshd: Sshd;
let home: string;
let transports: Record<'exec' | 'session', SshTransport>;

function vars(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ansible_host: '127.0.0.1',
    ansible_port: sshd.port,
    ansible_user: 'root',
    ansible_ssh_private_key_file: sshd.clientKey,
    ...extra,
  };
}
const noConfig = () => ({ home, userConfigFile: null, systemConfigFile: null, agentSocket: '' });

beforeAll(async () => {
  sshd = await startSshd();
  home = mkdtempSync(join(tmpdir(), 'lvsplay-home-'));
  const target = targetFromVars('web1', vars(), noConfig());
  transports = { exec: await connect(target, { mode: 'exec' }), session: await connect(target, { mode: 'session' }) };
});
afterAll(async () => {
  for (const t of Object.values(transports ?? {})) await t.close();
  await sshd?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe.each(['exec', 'session'] as const)('run over a real sshd (%s mode)', (mode) => {
  let t: SshTransport;
  beforeAll(() => {
    t = transports[mode];
  });
  it('returns stdout, stderr and the exit code as values', async () => {
    const r = await t.run(sh`printf out; printf err >&2; exit 3`);
    expect(r).toMatchObject({ code: 3, stdout: 'out', stderr: 'err' });
    expect(r.ms).toBeGreaterThan(0);
  });

  it('passes stdin and keeps unicode whole', async () => {
    const text = 'ünïcödé ✓ 日本語\n'.repeat(5000);
    const r = await t.run(sh`cat`, { stdin: text });
    expect(r.stdout).toBe(text);
  });

  it('passes hostile values literally and never runs them', async () => {
    const canary = `/tmp/lvsplay-canary-${process.pid}`;
    const hostile = [`$(touch ${canary})`, `\`touch ${canary}\``, `'; touch ${canary}; '`, `a\nb;touch ${canary}`, ''];
    const r = await t.run(sh`printf '[%s]' ${hostile}`);
    expect(r.stdout).toBe(hostile.map((h) => `[${h}]`).join(''));
    expect((await t.run(sh`test -e ${canary}`)).code).toBe(1);
    expect(existsSync(canary)).toBe(false);
  });

  it('kills a command at its timeout and says so', async () => {
    const start = Date.now();
    const r = await t.run(sh`sleep 30`, { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.code).toBeNull();
    expect(Date.now() - start).toBeLessThan(3000);
    // The connection is still usable afterwards.
    expect((await t.run(sh`echo ok`)).stdout).toBe('ok\n');
  });

  it('runs many commands at once on one connection beyond MaxSessions', async () => {
    const n = 40;
    const results = await Promise.all(Array.from({ length: n }, (_, i) => t.run(sh`sleep 0.05; echo ${i}`)));
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: n }, (_, i) => String(i)));
    expect(results.every((r) => r.code === 0)).toBe(true);
  });

  it('masks a secret in the command output', async () => {
    const r = await t.run(sh`echo ${new Secret('hunter2')}`);
    expect(r.stdout).toBe('********\n');
  });
});

describe('first contact', () => {
  it('records a new host key (accept-new) with a note', () => {
    const kh = join(home, '.ssh', 'known_hosts');
    expect(readFileSync(kh, 'utf8')).toContain(`[127.0.0.1]:${sshd.port} ssh-ed25519 `);
    expect(transports.exec.warnings.join('\n')).toMatch(
      /Permanently added \[127\.0\.0\.1\]:\d+ \(ssh-ed25519 key SHA256:/,
    );
  });
});

describe('unreachable hosts', () => {
  it('reports a closed port as refused, quickly', async () => {
    const port = await freePort();
    const start = Date.now();
    const err = await connect(targetFromVars('down', vars({ ansible_port: port }), noConfig())).catch((e) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err.reason).toBe('refused');
    expect(err.message).toMatch(/^down: connection refused by 127\.0\.0\.1:\d+/);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('reports a bad key as an authentication failure naming what was tried', async () => {
    const other = join(home, 'nokey');
    const err = await connect(targetFromVars('web1', vars({ ansible_ssh_private_key_file: other }), noConfig())).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err.reason).toBe('auth');
    expect(err.message).toContain(`identity file ${other} does not exist`);
  });
});
