import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, targetFromVars, type ConnectTarget, type SshTransport } from '../../src/transport/index.js';
import { startSshd, type Sshd } from './sshd.js';

let sshd: Sshd;
let home: string;
let work: string;
let target: ConnectTarget;
let t: SshTransport;

beforeAll(async () => {
  sshd = await startSshd();
  home = mkdtempSync(join(tmpdir(), 'lvsplay-home-'));
  work = mkdtempSync(join(tmpdir(), 'lvsplay-put-'));
  target = targetFromVars(
    'web1',
    {
      ansible_host: '127.0.0.1',
      ansible_port: sshd.port,
      ansible_user: 'root',
      ansible_ssh_private_key_file: sshd.clientKey,
    },
    { home, userConfigFile: null, systemConfigFile: null, agentSocket: '' },
  );
  t = await connect(target);
});
afterAll(async () => {
  await t?.close();
  await sshd?.stop();
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

const leftovers = () => readdirSync(work).filter((f) => f.startsWith('.lvsplay.'));

describe('put', () => {
  it('writes content, mode and owner in one go', async () => {
    const path = join(work, 'keepalived.conf');
    const r = await t.put(path, 'vrrp_instance VI_1 {}\n', { mode: 0o640, owner: 'root', group: 'root' });
    expect(r).toMatchObject({ ok: true, code: 0 });
    expect(readFileSync(path, 'utf8')).toBe('vrrp_instance VI_1 {}\n');
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(leftovers()).toEqual([]);
  });

  it('keeps the mode of an existing file when none is given', async () => {
    const path = join(work, 'kept-mode');
    writeFileSync(path, 'old');
    chmodSync(path, 0o600);
    expect((await t.put(path, 'new')).ok).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('leaves the old file when validation fails, and says why', async () => {
    const path = join(work, 'validated.conf');
    writeFileSync(path, 'good\n');
    const r = await t.put(path, 'bad\n', { validate: 'grep -q good %s' });
    expect(r.ok).toBe(false);
    expect(r.failedStep).toBe('validate');
    expect(r.stderr).toContain('validation failed: grep -q good %s');
    expect(readFileSync(path, 'utf8')).toBe('good\n');
    expect(leftovers()).toEqual([]);
    const ok = await t.put(path, 'good too\n', { validate: 'grep -q good %s' });
    expect(ok.ok).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('good too\n');
  });

  it('keeps a backup of the old file when asked', async () => {
    const path = join(work, 'backed-up');
    writeFileSync(path, 'version 1\n');
    const r = await t.put(path, 'version 2\n', { backup: true });
    expect(r.ok).toBe(true);
    expect(r.backupPath).toMatch(new RegExp(`^${path}\\.\\d+\\.\\d{4}-\\d\\d-\\d\\d@\\d\\d:\\d\\d:\\d\\d~$`));
    expect(readFileSync(r.backupPath!, 'utf8')).toBe('version 1\n');
    expect(readFileSync(path, 'utf8')).toBe('version 2\n');
  });

  it('writes hostile file names literally', async () => {
    const path = join(work, "it's $(touch x) `y`;\nz");
    expect((await t.put(path, 'x')).ok).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('x');
    expect(readdirSync(work)).not.toContain('x');
  });

  it('reports a missing directory as a failed write', async () => {
    const r = await t.put(join(work, 'no/such/dir/file'), 'x');
    expect(r).toMatchObject({ ok: false, failedStep: 'write' });
    expect(r.stderr).toContain('does not exist');
  });

  it('leaves the old file intact when the connection dies mid-write', async () => {
    const path = join(work, 'big');
    writeFileSync(path, 'old content\n');
    const before = new Set(sshd.connectionPids());
    const other = await connect(target, { mode: 'exec' });
    const writing = other.put(path, Buffer.alloc(256 << 20, 'n')).catch((e: Error) => e);
    // Let the transfer start, then kill the server side of this connection only.
    await new Promise((r) => setTimeout(r, 300));
    const mine = sshd.connectionPids().filter((p) => !before.has(p));
    expect(mine.length).toBe(1);
    process.kill(mine[0]!, 'SIGKILL');
    const outcome = await writing;
    expect(outcome instanceof Error || (outcome as { ok: boolean }).ok === false).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('old content\n');
    // The remote script removes its temp file once its stdin ends.
    for (let i = 0; i < 40 && leftovers().length; i++) await new Promise((r) => setTimeout(r, 50));
    expect(leftovers()).toEqual([]);
    await other.close();
  });
});
