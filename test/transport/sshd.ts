// A throwaway OpenSSH server on 127.0.0.1 for transport tests: its own host keys, config,
// authorized_keys and pid file in a temp dir, on a free high port. Tests run as root.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export interface Sshd {
  port: number;
  dir: string;
  /** Private key accepted for every user (authorized_keys is shared). */
  clientKey: string;
  /** The server's ed25519 public key line (type and base64). */
  hostKeyLine: string;
  /** A known_hosts file holding the server's key, for tests that want a known host. */
  knownHosts: string;
  /** Pids of the per-connection sshd processes (to kill a connection abruptly). */
  connectionPids(): number[];
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function keygen(file: string, type = 'ed25519', extra: string[] = []): void {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'lvsplay-test', '-f', file, ...extra]);
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      s.once('error', () => resolve(false));
      s.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on ${port}: ${log()}`);
}

export interface SshdOpts {
  maxSessions?: number;
  extraConfig?: string;
  /** Reuse another server's client key so one key opens both. */
  clientKey?: string;
}

export async function startSshd(opts: SshdOpts = {}): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-sshd-'));
  // sshd reads authorized_keys as the logging-in user, who must be able to reach it.
  chmodSync(dir, 0o755);
  mkdirSync('/run/sshd', { recursive: true }); // sshd's privilege separation directory
  const port = await freePort();
  keygen(join(dir, 'host_ed25519'));
  keygen(join(dir, 'host_ecdsa'), 'ecdsa');
  const clientKey = opts.clientKey ?? join(dir, 'client_ed25519');
  if (!opts.clientKey) keygen(clientKey);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`), { mode: 0o644 });
  const config = `Port ${port}
ListenAddress 127.0.0.1
HostKey ${dir}/host_ed25519
HostKey ${dir}/host_ecdsa
PidFile ${dir}/sshd.pid
AuthorizedKeysFile ${dir}/authorized_keys
UsePAM no
PermitRootLogin yes
StrictModes no
MaxSessions ${opts.maxSessions ?? 10}
PasswordAuthentication yes
KbdInteractiveAuthentication no
AllowTcpForwarding yes
LogLevel ERROR
${opts.extraConfig ?? ''}
`;
  writeFileSync(join(dir, 'sshd_config'), config);
  let log = '';
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  await waitForPort(port, child, () => log);
  const hostKeyLine = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKeyLine}\n`);
  return {
    port,
    dir,
    clientKey,
    hostKeyLine,
    knownHosts,
    connectionPids: () =>
      execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' })
        .split('\n')
        .map((l) => Number(l.trim()))
        .filter((n) => n > 0),
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A local account for password and become tests; removed by the returned function. */
export function createUser(name: string, password?: string): () => void {
  // '*' (no password) rather than useradd's '!' (locked): sshd without PAM refuses locked accounts.
  execFileSync('useradd', ['-m', '-s', '/bin/sh', '-p', '*', name]);
  if (password) execFileSync('chpasswd', { input: `${name}:${password}\n` });
  return () => {
    execFileSync('userdel', ['-r', '-f', name], { stdio: 'ignore' });
  };
}

/** What `sshdWithUsers` gives a test file once its beforeAll has run. */
export interface SshdWithUsers {
  sshd: Sshd;
  /** An empty home for the controller side (no ~/.ssh of the machine's own). */
  home: string;
  /** Connection options that read nothing of the machine's ssh configuration or agent. */
  targetOpts(): { home: string; userConfigFile: null; systemConfigFile: null; agentSocket: string };
}

/**
 * A loopback sshd, local accounts and their sudo rules (a drop-in under /etc/sudoers.d) for the
 * tests of one file: made before its first test, all removed after its last.
 */
export function sshdWithUsers(users: { name: string; password?: string }[], sudoers: { file: string; rules: string }) {
  const fx = { home: '' } as SshdWithUsers;
  fx.targetOpts = () => ({ home: fx.home, userConfigFile: null, systemConfigFile: null, agentSocket: '' });
  const cleanups: (() => void)[] = [];
  beforeAll(async () => {
    fx.sshd = await startSshd();
    fx.home = mkdtempSync(join(tmpdir(), 'lvsplay-home-'));
    for (const u of users) cleanups.push(createUser(u.name, u.password));
    writeFileSync(sudoers.file, sudoers.rules, { mode: 0o440 });
  });
  afterAll(async () => {
    rmSync(sudoers.file, { force: true });
    for (const c of cleanups) c();
    await fx.sshd?.stop();
    if (fx.home) rmSync(fx.home, { recursive: true, force: true });
  });
  return fx;
}
