// `lvsplay status --once --format json` on the lab: the VIP on the MASTER director, its live
// IPVS table (with UML directors), replication running; a crashed VIP holder shows as
// unreachable while the other director takes the VIP.
import { describe, expect, it, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { labBoot, labCrash, labExec, labStatus } from '../../src/lab/index.js';
import type { ClusterStatus } from '../../src/status/index.js';
import { CONNECT_TIMEOUT_SEC } from '../../src/status/collect.js';
import { ensureCluster, LAB_INVENTORY } from '../helpers/lab-run.js';
import { runCli } from '../helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
const VIP = '10.0.7.247';

async function status(): Promise<{ code: number; s: ClusterStatus; out: string }> {
  const r = await runCli(['status', '--once', '--format', 'json', '-i', LAB_INVENTORY], ROOT);
  return { code: r.code, s: JSON.parse(r.out) as ClusterStatus, out: r.out };
}

async function holds(host: string): Promise<boolean> {
  try {
    return (await labExec(host, ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0'])).stdout.includes(` ${VIP}/`);
  } catch {
    return false;
  }
}

async function directorsHaveIpvs(): Promise<boolean> {
  const s = await labStatus();
  return s.ipvs === 'loaded' || s.hosts.filter((h) => h.groups.includes('directors')).every((h) => h.kind === 'uml');
}

async function until(what: string, cond: () => Promise<boolean>, limitMs: number): Promise<number> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > limitMs) throw new Error(`${what}: not after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return Date.now() - t0;
}

describe('lvsplay status on the lab', () => {
  beforeAll(async () => {
    // Earlier lab tests may have wiped or changed the hosts: deploy the cluster first.
    await ensureCluster();
    await until('lvs2 holds the VIP', () => holds('lvs2'), 30_000);
  }, 120_000);

  it('shows the VIP on the MASTER director, the VIP on the real servers and replication running', async () => {
    const { code, s } = await status();
    expect(code).toBe(0);
    expect(s.vips).toEqual([expect.objectContaining({ vip: VIP, holders: ['lvs2'], expectedMaster: 'lvs2' })]);
    expect(s.directors.find((d) => d.host === 'lvs2')).toMatchObject({
      reachable: true,
      vrrpState: 'MASTER',
      keepalived: 'running',
      priority: 100,
    });
    expect(s.directors.find((d) => d.host === 'lvs1')).toMatchObject({
      reachable: true,
      vrrpState: 'BACKUP',
      keepalived: 'running',
    });
    // IPVS is there when the directors have it: UML guests (their own kernel), or this machine's kernel
    expect(s.ipvsAvailable).toBe(await directorsHaveIpvs());
    expect(s.realServers.map((r) => [r.host, r.vipsOnLo])).toEqual([
      ['web1', [VIP]],
      ['web2', [VIP]],
    ]);
    for (const db of s.databases) {
      expect(db.replication).toMatchObject({ configured: true, ioRunning: true, sqlRunning: true });
      expect(db.replication?.secondsBehindMaster).toBeTypeOf('number');
    }
    expect(new Set(s.databases.map((d) => d.serverId)).size).toBe(2);
  }, 30_000);

  it("text output shows the directors' live IPVS table, or says their kernel has none", async () => {
    const r = await runCli(['status', '--once', '-i', LAB_INVENTORY], ROOT);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`vip ${VIP}:80: held by lvs2`);
    if (await directorsHaveIpvs()) {
      expect(r.out).toContain(`  TCP ${VIP}:80 wlc`);
      expect(r.out).toMatch(/-> 10\.0\.7\.211:80 Route weight 60 /);
      expect(r.out).toMatch(/-> 10\.0\.7\.29:80 Route weight 40 /);
    } else {
      expect(r.out).toContain('ipvs: not in this kernel');
    }
  }, 30_000);

  it('graph --live adds what runs now to each box', async () => {
    const r = await runCli(['graph', '--live', '--format', 'mermaid', '-i', LAB_INVENTORY], ROOT);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`now: MASTER, holds ${VIP}`);
    expect(r.out).toContain('now: BACKUP');
    expect(r.out.match(/now: VIP on lo yes/g)).toHaveLength(2);
    expect(r.out.match(/now: IO Yes, SQL Yes, \d+s behind/g)).toHaveLength(2);
  }, 30_000);

  it('--watch refreshes every second and shows a host that stops answering within two refreshes; Ctrl-C ends it', async () => {
    const child = spawn(
      process.execPath,
      [resolve(ROOT, 'bin/lvsplay.js'), 'status', '--watch', '--format', 'json', '-i', LAB_INVENTORY],
      { cwd: ROOT },
    );
    const readings: Array<{ t: number; s: ClusterStatus }> = [];
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        readings.push({ t: Date.now(), s: JSON.parse(buf.slice(0, i)) as ClusterStatus });
        buf = buf.slice(i + 1);
      }
    });
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    try {
      await until('four readings', async () => readings.length >= 4, 20_000);
      const web2 = (r: ClusterStatus) => r.realServers.find((x) => x.host === 'web2')!;
      expect(readings.every((r) => web2(r.s).reachable)).toBe(true);
      // A refresh a second (start to start): the first reading also opens the connections, so
      // the gap after it can be short; after that the median gap is about a second.
      const gaps = readings
        .slice(2)
        .map((r, i) => r.t - readings[i + 1]!.t)
        .sort((a, b) => a - b);
      const median = gaps[Math.floor(gaps.length / 2)]!;
      expect(median).toBeGreaterThan(800);
      expect(median).toBeLessThan(1600);
      const seen = readings.length;
      const crashedAt = Date.now();
      await labCrash('web2');
      // Each refresh starts at most a second after the last; a dead host costs its 2 s deadline.
      await until(
        'web2 unreachable on the screen',
        async () => readings.slice(seen).some((r) => !web2(r.s).reachable),
        10_000,
      );
      const shownAfter = readings.slice(seen).findIndex((r) => !web2(r.s).reachable) + 1;
      console.log(
        `status --watch: web2 shown unreachable ${Date.now() - crashedAt} ms after the crash, reading ${shownAfter} after it`,
      );
      expect(shownAfter).toBeLessThanOrEqual(2);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(kill);
      child.kill('SIGKILL');
      await labBoot('web2');
    }
  }, 90_000);

  it("with IPVS directors: the MASTER's table lists the VIP's real servers at the inventory's weights and counts real connections", async (ctx) => {
    if (!(await directorsHaveIpvs())) ctx.skip();
    const before = (await status()).s.directors.find((d) => d.host === 'lvs2')!;
    const svc = before.ipvs?.find((v) => v.vip === VIP && v.port === 80);
    expect(svc?.realServers.map((r) => [r.address, r.weight, r.forward]).sort()).toEqual([
      ['10.0.7.211', 60, 'Route'],
      ['10.0.7.29', 40, 'Route'],
    ]);
    const loop =
      'i=0; while [ $i -lt 20 ]; do timeout 3 busybox wget -q -O /dev/null http://' +
      VIP +
      '/ || exit 1; i=$((i + 1)); done';
    expect((await labExec('client', ['sh', '-c', loop])).code).toBe(0);
    // the kernel's totals lag up to 2 s
    await until(
      'the 20 connections counted',
      async () =>
        ((await status()).s.directors.find((d) => d.host === 'lvs2')?.ipvsStats?.conns ?? 0) >=
        (before.ipvsStats?.conns ?? 0) + 20,
      10_000,
    );
  }, 60_000);

  it('after a crash of the VIP holder: the VIP on the other director, the crashed one unreachable; a boot restores', async () => {
    await labCrash('lvs2');
    try {
      await until('lvs1 takes the VIP', () => holds('lvs1'), 20_000);
      const t0 = Date.now();
      const { code, s } = await status();
      const ms = Date.now() - t0;
      expect(code).toBe(3);
      expect(s.vips[0]?.holders).toEqual(['lvs1']);
      expect(s.directors.find((d) => d.host === 'lvs2')).toMatchObject({ reachable: false });
      expect(s.directors.find((d) => d.host === 'lvs1')).toMatchObject({ reachable: true, vrrpState: 'MASTER' });
      // the dead host costs at most status's ConnectTimeout (5 s; opening is given longer than
      // answering, so a slow host is not called unreachable), plus the command's own start
      expect(ms).toBeLessThan(CONNECT_TIMEOUT_SEC * 1000 + 2500);
    } finally {
      await labBoot('lvs2');
      await until('lvs2 takes the VIP back', async () => (await holds('lvs2')) && !(await holds('lvs1')), 60_000);
    }
    const { code, s } = await status();
    expect(code).toBe(0);
    expect(s.vips[0]?.holders).toEqual(['lvs2']);
  }, 150_000);
});
