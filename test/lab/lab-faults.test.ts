// Fault injection on real lab hosts, seen from the controller side as a runner would see it:
// power cut, clean stop, power on with the same disk and keys, cable pull, partition.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertLabRoute,
  labBoot,
  labCrash,
  labExec,
  labHeal,
  labPartition,
  labPaths,
  labPlug,
  labStatus,
  labStop,
  labUnplug,
  labUp,
} from '../../src/lab/index.js';
import { CONTROLLER_NS } from '../../src/lab/paths.js';
import { keyLine, reaches, sshRun } from '../helpers/lab-net.js';

beforeAll(async () => {
  await labUp({ progress: 'plain' });
  await labHeal();
});

describe('lab faults', () => {
  it('crash makes a host unreachable; boot brings it back with the same disk and host key', async () => {
    const key = keyLine('web2');
    expect(key).toBeDefined();
    expect(sshRun('web2', 'echo kept > /root/disk-mark').status).toBe(0);
    await labCrash('web2');
    await labCrash('web2'); // safe to repeat
    expect((await labStatus()).hosts.find((h) => h.name === 'web2')?.state).toBe('off');
    const down = sshRun('web2', 'true', 2);
    expect(down.status).toBe(255);
    await labBoot('web2');
    await labBoot('web2'); // safe to repeat
    expect(keyLine('web2')).toBe(key);
    const back = sshRun('web2', 'cat /root/disk-mark; rm /root/disk-mark');
    expect(back.stderr).toBe('');
    expect(back.stdout).toBe('kept\n');
  });

  it('crash loses what was only in memory and on the network (addresses), as a power cut does', async () => {
    // An address nothing configures at boot (the cluster's VIP would come back from its init script).
    expect((await labExec('web1', ['ip', 'addr', 'replace', '10.0.7.253/32', 'dev', 'lo'])).code).toBe(0);
    await labCrash('web1');
    await labBoot('web1');
    const r = await labExec('web1', ['ip', '-o', 'addr', 'show', 'dev', 'lo']);
    expect(r.stdout).not.toContain('10.0.7.253');
  });

  it("stop shuts a host's services down cleanly, then boot starts them again", async () => {
    await labStop('db1');
    await labStop('db1');
    expect(sshRun('db1', 'true', 2).status).toBe(255);
    await labBoot('db1');
    const up = sshRun('db1', 'hostname');
    expect(up.stdout, `ssh exit ${up.status}: ${up.stderr}`).toBe('db1\n');
    expect(
      (await labExec('db1', ['grep', '-c', 'lvsplay-init: shutdown', '/var/log/lvsplay-boot.log'])).stdout.trim(),
    ).not.toBe('0');
  });

  it('unplug cuts the host off the switch while it keeps running; plug restores it', async () => {
    await labUnplug('db2');
    await labUnplug('db2');
    const s = await labStatus();
    expect(s.hosts.find((h) => h.name === 'db2')).toMatchObject({ state: 'running', plugged: false });
    expect(await reaches('db1', '10.0.7.42')).toBe(false);
    expect(sshRun('db2', 'true', 2).status).toBe(255);
    await labPlug('db2');
    expect(await reaches('db1', '10.0.7.42', 5)).toBe(true);
    expect(sshRun('db2', 'hostname').stdout).toBe('db2\n');
  });

  it('partition drops traffic between two hosts both ways, and only between them; heal restores it', async () => {
    await labPartition('web1', 'web2');
    await labPartition('web2', 'web1'); // the same partition: safe to repeat
    expect((await labStatus()).partitions).toEqual([['web1', 'web2']]);
    expect(await reaches('web1', '10.0.7.29')).toBe(false);
    expect(await reaches('web2', '10.0.7.211')).toBe(false);
    expect(await reaches('web1', '10.0.7.11')).toBe(true);
    expect(sshRun('web1', 'hostname').stdout).toBe('web1\n');
    await labHeal();
    await labHeal();
    expect((await labStatus()).partitions).toEqual([]);
    expect(await reaches('web1', '10.0.7.29', 5)).toBe(true);
  });
});

describe('the route guard', () => {
  it('lets lab addresses through', async () => {
    await expect(assertLabRoute('10.0.7.11')).resolves.toBeUndefined();
  });

  it('refuses an address with no route in the controller namespace, before connecting', async () => {
    await expect(assertLabRoute('192.0.2.1')).rejects.toThrow(/refusing 192\.0\.2\.1: no route in the lab/);
    await expect(assertLabRoute('10.0.7.1')).rejects.toThrow(/does not go out of the lab's eth0/);
    await expect(assertLabRoute('example.org')).rejects.toThrow(/not an IPv4 address/);
  });

  it('is in the connect helper: it refuses non-lab addresses and refuses to run outside the controller', () => {
    const helper = labPaths().connect;
    const outside = spawnSync('ip', ['netns', 'exec', CONTROLLER_NS, helper, '192.0.2.1', '22'], { encoding: 'utf8' });
    expect(outside.status).not.toBe(0);
    expect(outside.stderr).toMatch(/refusing 192\.0\.2\.1: no route in the lab/);
    const rootNs = spawnSync(helper, ['10.0.7.11', '22'], { encoding: 'utf8' });
    expect(rootNs.status).not.toBe(0);
    expect(rootNs.stderr).toMatch(/not inside the lab's controller namespace/);
    const ssh = spawnSync('ssh', ['-F', labPaths().sshConfig, '-o', 'BatchMode=yes', 'root@192.0.2.1', 'true'], {
      encoding: 'utf8',
    });
    expect(ssh.status).toBe(255);
  });
});

describe('boot applies persisted settings as a real host does', () => {
  it('sysctls persisted in /etc/sysctl.d come back after a crash and boot', async () => {
    // A key nothing else in the lab sets (the cluster's roles set the ARP ones).
    await labExec('web2', [
      'sh',
      '-c',
      'echo "net.ipv4.tcp_keepalive_time = 1234" > /etc/sysctl.d/90-lab-test.conf && sysctl -q -w net.ipv4.tcp_keepalive_time=7200',
    ]);
    await labCrash('web2');
    await labBoot('web2');
    const r = await labExec('web2', ['cat', '/proc/sys/net/ipv4/tcp_keepalive_time']);
    await labExec('web2', ['rm', '-f', '/etc/sysctl.d/90-lab-test.conf']);
    expect(r.stdout.trim()).toBe('1234');
  });
});
