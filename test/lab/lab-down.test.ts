// `down` leaves nothing on the machine, whatever state the lab was left in; `up` repairs a lab
// a killed command left half made. Leaves the lab up for the test files that follow.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { labDown, labExec, labPaths, labStatus, labUp } from '../../src/lab/index.js';
import { hostPaths, systemdHostPaths } from '../../src/lab/paths.js';
import { KINDS_INVENTORY } from './modules-system-helpers.js';

function leftovers(): string[] {
  const found: string[] = [];
  const ns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  for (const l of ns.split('\n')) if (l.startsWith('lvsplay-')) found.push(`netns ${l}`);
  for (const l of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    if (l.includes('lvsplay') || l.includes(labPaths().stateDir)) found.push(`mount ${l}`);
  }
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout;
  for (const l of links.split('\n')) if (/: lvsplay-/.test(l)) found.push(`link ${l}`);
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (
      /lvsplay-(init|boot|connect|nspawn)|tini -s|netns exec lvsplay-|systemd-nspawn/.test(cmd) &&
      Number(d) !== process.pid
    )
      found.push(`process ${d} ${cmd}`);
  }
  for (const c of [
    '/sys/fs/cgroup',
    '/sys/fs/cgroup/memory',
    '/sys/fs/cgroup/pids',
    '/sys/fs/cgroup/unified',
    '/sys/fs/cgroup/systemd',
    // systemd-nspawn's directory per machine (the systemd hosts)
    '/run/systemd/nspawn/propagate',
  ]) {
    if (existsSync(c)) for (const e of readdirSync(c)) if (e.startsWith('lvsplay')) found.push(`cgroup ${c}/${e}`);
  }
  return found;
}

/**
 * A process that still runs. A dead one that nobody has reaped yet (state Z) does not count: a UML
 * kernel is a child of PID 1 once its launcher exits, and where PID 1 is not an init that reaps
 * orphans (a microVM's or a container's agent) it stays listed as a zombie, holding nothing.
 */
function alive(pid: number | undefined): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

afterAll(async () => {
  await labUp({ progress: 'silent' });
});

describe('lab down', () => {
  it('leaves no namespace, mount, link, cgroup or process behind, in under 5 s', async () => {
    // every host kind: netns and UML hosts, and systemd hosts of both releases
    await labUp({ progress: 'plain', inventory: KINDS_INVENTORY });
    const pids = (await labStatus()).hosts.map((h) => h.pid);
    expect(pids.every((p) => typeof p === 'number')).toBe(true);
    const r = await labDown();
    expect(r.ms).toBeLessThan(5_000);
    expect(leftovers()).toEqual([]);
    for (const p of pids) expect(alive(p), `host process ${p}`).toBe(false);
    expect((await labStatus()).up).toBe(false);
  });

  it('is safe to repeat', async () => {
    await labDown();
    await labDown();
    expect(leftovers()).toEqual([]);
  });

  it('cleans up a lab left by a killed command (stale lock, lost pid files, stray processes)', async () => {
    await labUp({ progress: 'silent', inventory: KINDS_INVENTORY });
    const p = labPaths();
    // a command killed mid-way: its lock names a dead process, it never wrote the pid files of
    // web1 and of the systemd host sd13, and something it started still runs in the controller
    // namespace
    const dead = spawnSync('true').pid!;
    writeFileSync(p.lock, `${dead} 0\n`);
    rmSync(hostPaths('web1').pidFile);
    rmSync(hostPaths('web1').parentPidFile);
    rmSync(systemdHostPaths('sd13', 'trixie').pidFile);
    const stray = spawn('ip', ['netns', 'exec', 'lvsplay-ctl', 'sleep', '600'], { detached: true, stdio: 'ignore' });
    stray.unref();
    await new Promise((r) => setTimeout(r, 200));
    await labDown();
    expect(leftovers()).toEqual([]);
  });

  it('is repaired by up when the switch was left half made', async () => {
    await labUp({ progress: 'silent' });
    spawnSync('ip', ['netns', 'del', 'lvsplay-ctl']);
    await labUp({ progress: 'silent' });
    const ssh = spawnSync('ssh', ['-F', labPaths().sshConfig, '-o', 'BatchMode=yes', 'lvs1', 'hostname'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(ssh.stdout).toBe('lvs1\n');
  });

  it('--purge wipes the disks and keys: the next up gives hosts new host keys and a clean disk', async () => {
    await labUp({ progress: 'silent' });
    const p = labPaths();
    const keyBefore = readFileSync(p.knownHosts, 'utf8');
    await labExec('db1', ['sh', '-c', 'echo x > /root/purge-mark']);
    await labDown({ purge: true });
    expect(leftovers()).toEqual([]);
    expect(existsSync(p.hostsDir)).toBe(false);
    expect(existsSync(p.key)).toBe(false);
    expect(existsSync(p.base)).toBe(true);
    await labUp({ progress: 'silent' });
    expect(readFileSync(p.knownHosts, 'utf8')).not.toBe(keyBefore);
    expect((await labExec('db1', ['test', '-e', '/root/purge-mark'])).code).not.toBe(0);
  });
});
