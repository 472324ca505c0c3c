// Directors as User-Mode Linux guests: their own kernel (with IPVS), on the same segment as the
// namespace hosts, reached over ssh like any host, and taking every lab command. The lab is
// left down afterwards: no guest outlives this file.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  labBoot,
  labCrash,
  labDown,
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
import { hostPaths } from '../../src/lab/paths.js';
import { umlPids } from '../../src/lab/host-uml.js';
import { readRecord } from '../../src/lab/record.js';
import { keyLine, reaches, sshRun } from '../helpers/lab-net.js';

const hostOf = (name: string) => readRecord(labPaths())!.hosts.find((h) => h.name === name)!;
const statusOf = async (name: string) => (await labStatus()).hosts.find((h) => h.name === name)!;

beforeAll(async () => {
  const r = await labUp({ progress: 'plain', groupKinds: { directors: 'uml' } });
  console.log(`lab up with UML directors: ${r.ms} ms`);
  await labHeal();
});

afterAll(async () => {
  await labDown();
});

describe('UML directors', () => {
  it('run their own kernel with IPVS; status shows the kind and the memory of each guest', async () => {
    const s = await labStatus();
    for (const name of ['lvs1', 'lvs2']) {
      const h = s.hosts.find((x) => x.name === name)!;
      expect(h).toMatchObject({ kind: 'uml', state: 'running', plugged: true });
      expect(h.pssKb).toBeGreaterThan(10_000);
      console.log(`${name}: ${(h.pssKb / 1024).toFixed(1)} MB PSS in ${h.processes} machine processes`);
    }
    expect(s.hosts.find((x) => x.name === 'web1')?.kind).toBe('netns');
    const ipvs = await labExec('lvs1', ['cat', '/proc/net/ip_vs']);
    expect(ipvs.code).toBe(0);
    expect(ipvs.stdout).toContain('IP Virtual Server');
    const release = (await labExec('lvs1', ['uname', '-r'])).stdout.trim();
    expect(release).not.toBe(readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
    expect((await labExec('lvs1', ['hostname'])).stdout).toBe('lvs1\n');
  });

  it('exec passes the exit code and stdin through', async () => {
    expect((await labExec('lvs2', ['sh', '-c', 'exit 7'])).code).toBe(7);
    const r = await labExec('lvs2', ['sh', '-c', 'cat; echo "$1"', 'sh', "it's a 'word'"], { input: 'from stdin\n' });
    expect(r.stdout).toBe("from stdin\nit's a 'word'\n");
  });

  it('is just another ssh host: strict host keys through the controller, and on the segment', async () => {
    expect(keyLine('lvs1')).toMatch(/^lvs1,10\.0\.7\.11 ssh-ed25519 /);
    const r = sshRun('lvs1', 'hostname; ip -o -4 addr show dev eth0');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^lvs1\n.* inet 10\.0\.7\.11\/24 /);
    expect(await reaches('web1', '10.0.7.12', 5)).toBe(true);
    expect((await labExec('lvs2', ['ping', '-c', '1', '-W', '2', '10.0.7.41'])).code).toBe(0);
  });

  it('status sees an address the guest adds (how it finds the VIP holder)', async () => {
    expect((await labExec('lvs1', ['ip', 'addr', 'add', '10.0.7.250/32', 'dev', 'eth0'])).code).toBe(0);
    const end = Date.now() + 5_000;
    let seen = false;
    while (!seen && Date.now() < end) {
      const out = readFileSync(`${hostPaths('lvs1').uml.out}/addresses`, 'utf8');
      seen = out.includes(' 10.0.7.250/32 ');
      if (!seen) await new Promise((r) => setTimeout(r, 100));
    }
    await labExec('lvs1', ['ip', 'addr', 'del', '10.0.7.250/32', 'dev', 'eth0']);
    expect(seen).toBe(true);
  });

  it('stop shuts the guest down from inside; boot brings back the same disk and host key', async () => {
    const key = keyLine('lvs1');
    expect((await labExec('lvs1', ['sh', '-c', 'echo kept > /root/disk-mark'])).code).toBe(0);
    const pids = umlPids(hostOf('lvs1'), labPaths());
    expect(pids.length).toBeGreaterThan(1);
    const t0 = Date.now();
    await labStop('lvs1');
    console.log(`lvs1 clean stop: ${Date.now() - t0} ms`);
    await labStop('lvs1'); // safe to repeat
    expect(
      pids.filter((p) => existsSync(`/proc/${p}`) && !readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z ')),
    ).toEqual([]);
    expect(await statusOf('lvs1')).toMatchObject({ state: 'off', processes: 0 });
    // powered off by its own init, not killed
    expect(readFileSync(hostPaths('lvs1').uml.console, 'utf8')).toContain('lvsplay-uml-boot: powering off lvs1');
    expect(sshRun('lvs1', 'true', 2).status).toBe(255);
    const t1 = Date.now();
    await labBoot('lvs1');
    console.log(`lvs1 boot: ${Date.now() - t1} ms`);
    await labBoot('lvs1'); // safe to repeat
    expect(keyLine('lvs1')).toBe(key);
    const back = sshRun(
      'lvs1',
      'cat /root/disk-mark; rm /root/disk-mark; grep -c "lvsplay-init: shutdown" /var/log/lvsplay-boot.log',
    );
    expect(back.stdout).toMatch(/^kept\n[1-9]/);
  });

  it('crash kills every process of the guest at once', async () => {
    const pids = umlPids(hostOf('lvs2'), labPaths());
    expect(pids.length).toBeGreaterThan(1);
    await labCrash('lvs2');
    await labCrash('lvs2');
    expect(
      pids.filter((p) => existsSync(`/proc/${p}`) && !readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z ')),
    ).toEqual([]);
    expect((await statusOf('lvs2')).state).toBe('off');
    expect(readFileSync(hostPaths('lvs2').uml.console, 'utf8')).not.toContain('powering off');
    await labBoot('lvs2');
    expect(sshRun('lvs2', 'hostname').stdout).toBe('lvs2\n');
  });

  it('unplug and plug act on the guest port on the switch', async () => {
    await labUnplug('lvs2');
    expect(await statusOf('lvs2')).toMatchObject({ state: 'running', plugged: false });
    expect(await reaches('web1', '10.0.7.12')).toBe(false);
    await labPlug('lvs2');
    expect(await reaches('web1', '10.0.7.12', 5)).toBe(true);
  });

  it('partition drops traffic between a guest and a namespace host only', async () => {
    await labPartition('lvs1', 'web2');
    expect(await reaches('web2', '10.0.7.11')).toBe(false);
    expect(await reaches('web1', '10.0.7.11')).toBe(true);
    await labHeal();
    expect(await reaches('web2', '10.0.7.11', 5)).toBe(true);
  });
});
