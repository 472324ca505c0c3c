// The run lock between two real `lvsplay run` processes on one host (a loopback sshd): the
// second refuses at once naming the first, or waits with --lock-wait; a controller killed with
// SIGKILL leaves no lock behind; a lock whose controller ended without its connection closing
// (a dropped link) is taken over by a rerun from that controller, never from a live one; check
// mode takes none. The lock file is put in a temp dir by
// the host variable lvsplay_run_lock, so nothing else on this machine is touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/diagnostics.js';
import { controllerId } from '../../src/exec/run-lock.js';
import { startSshd, type Sshd } from './sshd.js';

const BIN = resolve(import.meta.dirname, '../../bin/lvsplay.js');
let sshd: Sshd;
let dir: string;
let lockFile: string;

interface Proc {
  child: ChildProcess;
  out: () => string;
  done: Promise<number | null>;
}

function lvsplay(args: string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  return { child, out: () => out, done };
}

/** A play that marks its start, then holds the host for `sec` seconds. */
function playbook(name: string, sec: number): string {
  const f = join(dir, `${name}.yml`);
  writeFileSync(
    f,
    `- hosts: target
  gather_facts: false
  tasks:
    - command: touch ${join(dir, `${name}.started`)}
    - command: sleep ${sec}
`,
  );
  return f;
}

async function until(test: () => boolean, limitMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!test()) {
    if (Date.now() - t0 > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const run = (book: string, ...extra: string[]) =>
  lvsplay(['run', book, '-i', join(dir, 'hosts.ini'), '-o', 'plain', ...extra]);

beforeAll(async () => {
  sshd = await startSshd();
  dir = mkdtempSync(join(tmpdir(), 'lvsplay-lock-'));
  lockFile = join(dir, 'lock', 'lvsplay.lock');
  writeFileSync(
    join(dir, 'hosts.ini'),
    `[target]
h1 ansible_host=127.0.0.1 ansible_port=${sshd.port} ansible_user=root ansible_ssh_private_key_file=${sshd.clientKey} lvsplay_run_lock=${lockFile}
`,
  );
  writeFileSync(join(dir, 'ansible.cfg'), `[defaults]\nhost_key_checking = False\n`);
});

afterAll(async () => {
  await sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the run lock between two lvsplay runs on one host', () => {
  it('refuses the second run at once, naming the first; the first finishes untouched', async () => {
    const first = run(playbook('a', 6));
    await until(() => existsSync(join(dir, 'a.started')), 20_000, 'the first run starting its tasks');
    const second = run(playbook('b', 0));
    const code = await second.done;
    expect(code, second.out()).toBe(ExitCode.unreachable); // the host could not be worked on
    expect(second.out()).toMatch(
      /another run is changing this host: run [0-9a-f]{12} of \S+@\S+ \(pid \d+, playbook a\.yml, since /,
    );
    expect(second.out()).toContain('--lock-wait');
    expect(existsSync(join(dir, 'b.started'))).toBe(false);
    expect(await first.done, first.out()).toBe(0);
    // the lock file says who took it last, and that is all it keeps
    expect(readFileSync(lockFile, 'utf8')).toMatch(/^run [0-9a-f]{12} of .*playbook a\.yml/);
  }, 60_000);

  it('lets the second run wait with --lock-wait, and start once the first has ended', async () => {
    rmSync(join(dir, 'a.started'), { force: true });
    rmSync(join(dir, 'b.started'), { force: true });
    const first = run(playbook('a', 3));
    await until(() => existsSync(join(dir, 'a.started')), 20_000, 'the first run starting its tasks');
    const second = run(playbook('b', 0), '--lock-wait', '60');
    expect(await second.done, second.out()).toBe(0);
    // warnings are wrapped at 80 columns, as Ansible's
    expect(second.out().replace(/\s+/g, ' ')).toMatch(
      /waiting for the run lock, held by run [0-9a-f]{12} of .*playbook a\.yml/,
    );
    expect(first.child.exitCode, 'the first run had ended before the second started its tasks').toBe(0);
  }, 90_000);

  it('is released when the controller holding it is killed (SIGKILL)', async () => {
    rmSync(join(dir, 'a.started'), { force: true });
    const first = run(playbook('a', 60));
    await until(() => existsSync(join(dir, 'a.started')), 20_000, 'the first run starting its tasks');
    first.child.kill('SIGKILL');
    await first.done;
    // sshd sees the connection close and ends the lock's holder with it
    const second = run(playbook('b', 0), '--lock-wait', '20');
    expect(await second.done, second.out()).toBe(0);
  }, 90_000);

  it('is not taken in check mode', async () => {
    rmSync(join(dir, 'a.started'), { force: true });
    const first = run(playbook('a', 6));
    await until(() => existsSync(join(dir, 'a.started')), 20_000, 'the first run starting its tasks');
    const check = run(playbook('b', 0), '--check');
    expect(await check.done, check.out()).toBe(0);
    expect(check.out()).not.toContain('another run');
    expect(await first.done).toBe(0);
  }, 60_000);

  it('gives way on a server that allows one channel at a time (MaxSessions 1), saying so', async () => {
    const one = await startSshd({ maxSessions: 1, clientKey: sshd.clientKey });
    try {
      const inv = join(dir, 'one.ini');
      writeFileSync(
        inv,
        `[target]\nh1 ansible_host=127.0.0.1 ansible_port=${one.port} ansible_user=root ansible_ssh_private_key_file=${sshd.clientKey} lvsplay_run_lock=${lockFile}\n`,
      );
      rmSync(join(dir, 'b.started'), { force: true });
      const r = lvsplay(['run', playbook('b', 0), '-i', inv, '-o', 'plain']);
      expect(await r.done, r.out()).toBe(0);
      expect(existsSync(join(dir, 'b.started'))).toBe(true);
      expect(r.out().replace(/\s+/g, ' ')).toContain('the run lock was given up on this host');
    } finally {
      await one.stop();
    }
  }, 60_000);

  /**
   * What a run leaves on a host whose link dropped before it ended: a holder of the lock that
   * nothing will end but the host's TCP timeout. Made here by hand, as the lock script makes
   * it, naming this controller and the given controller pid.
   */
  async function orphanedHolder(controllerPid: number): Promise<{ child: ChildProcess; owner: string }> {
    rmSync(lockFile, { force: true });
    const owner = `run 0123456789ab of root@lost (pid ${controllerPid}, playbook old.yml, since 2026-01-01T00:00:00Z)`;
    const child = spawn(
      'sh',
      [
        '-c',
        `mkdir -p "\${1%/*}"; : >>"$1"; exec 9<"$1"; flock 9; printf '%s\\n%s %s\\n' "$2" "$3" "$$" >"$1"; exec sleep 120`,
        'sh',
        lockFile,
        owner,
        `lvsplay-lock-controller ${controllerId()} ${controllerPid}`,
      ],
      { stdio: 'ignore' },
    );
    await until(() => existsSync(lockFile) && readFileSync(lockFile, 'utf8').includes(owner), 10_000, 'the holder');
    return { child, owner };
  }

  it('takes over a lock whose run ended without releasing it (its link dropped), saying whose', async () => {
    const gone = spawn('true');
    await new Promise((r) => gone.once('close', r));
    const { child, owner } = await orphanedHolder(gone.pid!);
    const ended = new Promise((r) => child.once('close', r));
    rmSync(join(dir, 'b.started'), { force: true });
    const r = run(playbook('b', 0));
    expect(await r.done, r.out()).toBe(0);
    expect(existsSync(join(dir, 'b.started'))).toBe(true);
    expect(r.out().replace(/\s+/g, ' ')).toContain(
      `the run lock was held by ${owner}, which has ended without releasing it`,
    );
    await ended; // the orphaned holder was ended, not left behind
    expect(readFileSync(lockFile, 'utf8')).toMatch(/playbook b\.yml/);
  }, 60_000);

  it('never takes over a lock whose controller process still runs', async () => {
    const { child, owner } = await orphanedHolder(process.pid);
    try {
      const r = run(playbook('b', 0));
      expect(await r.done, r.out()).toBe(ExitCode.unreachable);
      expect(r.out().replace(/\s+/g, ' ')).toContain(`another run is changing this host: ${owner}`);
      expect(child.exitCode).toBe(null);
      expect(readFileSync(lockFile, 'utf8')).toContain(owner);
    } finally {
      child.kill();
    }
  }, 60_000);
});
