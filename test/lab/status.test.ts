// `lvsplay status --once --format json` on the lab: the VIP on the MASTER director, replication
// running; a crashed VIP holder shows as unreachable while the other director takes the VIP.
import { describe, expect, it, beforeAll } from 'vitest';
import { resolve } from 'node:path';
import { labBoot, labCrash, labExec } from '../../src/lab/index.js';
import type { ClusterStatus } from '../../src/status/index.js';
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
    expect(s.directors.find((d) => d.host === 'lvs2')).toMatchObject({ reachable: true, vrrpState: 'MASTER', keepalived: 'running', priority: 100 });
    expect(s.directors.find((d) => d.host === 'lvs1')).toMatchObject({ reachable: true, vrrpState: 'BACKUP', keepalived: 'running' });
    expect(s.ipvsAvailable).toBe(false); // this lab's kernel has no IPVS
    expect(s.realServers.map((r) => [r.host, r.vipsOnLo])).toEqual([['web1', [VIP]], ['web2', [VIP]]]);
    for (const db of s.databases) {
      expect(db.replication).toMatchObject({ configured: true, ioRunning: true, sqlRunning: true });
      expect(db.replication?.secondsBehindMaster).toBeTypeOf('number');
    }
    expect(new Set(s.databases.map((d) => d.serverId)).size).toBe(2);
  }, 30_000);

  it('text output says the kernel has no IPVS', async () => {
    const r = await runCli(['status', '--once', '-i', LAB_INVENTORY], ROOT);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`vip ${VIP}:80: held by lvs2`);
    expect(r.out).toContain('ipvs: not in this kernel');
  }, 30_000);

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
      expect(ms).toBeLessThan(5000); // the dead host costs at most the 2 s deadline
    } finally {
      await labBoot('lvs2');
      await until('lvs2 takes the VIP back', async () => (await holds('lvs2')) && !(await holds('lvs1')), 60_000);
    }
    const { code, s } = await status();
    expect(code).toBe(0);
    expect(s.vips[0]?.holders).toEqual(['lvs2']);
  }, 150_000);
});
