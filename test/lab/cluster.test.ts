// The whole cluster on the lab, as an operator runs it: `lvsplay run site.yaml` from the project
// root (ansible.cfg there gives the lab vault password), then what the cluster must do, through
// faults: a director crash mid-rollout, every host rebooted.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { labBoot, labCrash, labExec } from '../../src/lab/index.js';
import { ensureCluster, ensureLab } from '../helpers/lab-run.js';
import { rebootInBatches, replicatesBothWays } from '../helpers/reboot.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/lvsplay.js');
const VIP = '10.0.7.247';
const CONF_TASK = 'director : Write keepalived.conf (checked by keepalived -t before it replaces the old one)';

interface HostResult {
  status: string;
  changes?: Array<{ summary: string; diff?: { before: string; after: string } }>;
  handler?: boolean;
}
interface RunDoc {
  plays: Array<{ tasks: Array<{ task: { name: string }; hosts: Record<string, HostResult> }> }>;
  stats: Record<string, { changed: number; failures: number; unreachable: number }>;
}
interface Run {
  code: number | null;
  doc: RunDoc | undefined;
  out: string;
  err: string;
  ms: number;
}

/** `lvsplay run site.yaml --output json`; onLine sees stdout as it comes (jsonl runs). */
function site(args: string[], o: { onLine?: (line: string) => void; timeoutMs?: number } = {}): Promise<Run> {
  const t0 = Date.now();
  return new Promise((res) => {
    const p = spawn(process.execPath, [BIN, 'run', 'site.yaml', '-i', 'inventory/lab.ini', ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: 'true' },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      out += text;
      if (o.onLine) for (const l of text.split('\n')) if (l) o.onLine(l);
    });
    p.stderr.on('data', (d) => (err += d));
    const kill = setTimeout(() => p.kill('SIGKILL'), o.timeoutMs ?? 600_000);
    p.on('close', (code) => {
      clearTimeout(kill);
      let doc: RunDoc | undefined;
      try {
        doc = JSON.parse(out) as RunDoc;
      } catch {
        doc = undefined;
      }
      res({ code, doc, out, err, ms: Date.now() - t0 });
    });
  });
}

/** Every (task, host) that changed (or, in check mode, would change). */
function changedTasks(doc: RunDoc): string[] {
  return doc.plays.flatMap((p) =>
    p.tasks.flatMap((t) =>
      Object.entries(t.hosts)
        .filter(([, r]) => r.status === 'changed')
        .map(([h]) => `${h}: ${t.task.name}`),
    ),
  );
}

async function holdsVip(host: string): Promise<boolean> {
  try {
    const r = await labExec(host, ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0']);
    return r.stdout.includes(` ${VIP}/`);
  } catch {
    return false; // not running
  }
}

async function vipHolders(): Promise<string[]> {
  const out: string[] = [];
  for (const h of ['lvs1', 'lvs2']) if (await holdsVip(h)) out.push(h);
  return out;
}

/** Milliseconds until the VIP holders are exactly `want`, or fails after `limitMs`. */
async function waitHolders(want: string[], limitMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const now = await vipHolders();
    if (now.join(',') === want.join(',')) return Date.now() - t0;
    if (Date.now() - t0 > limitMs)
      throw new Error(`VIP holders ${now.join(',') || 'none'} after ${limitMs} ms, wanted ${want.join(',')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function weightOverride(host: string, weight: number): string {
  const f = join(mkdtempSync(join(tmpdir(), 'lvsplay-weight-')), 'weight.ini');
  writeFileSync(f, `[realservers]\n${host} lvs_weight=${weight}\n`);
  return f;
}

const sh = async (host: string, cmd: string) => (await labExec(host, ['sh', '-c', cmd])).stdout.trim();

beforeAll(async () => {
  await ensureLab();
}, 600_000);

describe('the cluster on the lab', () => {
  it('site.yaml converges, and a second run changes nothing', async () => {
    const first = await site(['--output', 'json']);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const second = await site(['--output', 'json']);
    expect(second.code).toBe(0);
    expect(changedTasks(second.doc!)).toEqual([]);
    for (const h of ['lvs1', 'lvs2', 'web1', 'web2', 'db1', 'db2'])
      expect(second.doc!.stats[h]).toMatchObject({ changed: 0, failures: 0, unreachable: 0 });
    console.log(`site.yaml: first run ${first.ms} ms, second run ${second.ms} ms`);
  }, 900_000);

  it('keepalived accepts its config without a warning; it programs IPVS where the kernel has it, else runs VRRP-only', async () => {
    for (const d of ['lvs1', 'lvs2']) {
      const test = await labExec(d, ['keepalived', '-t', '-f', '/etc/keepalived/keepalived.conf']);
      expect(test.code).toBe(0);
      expect(test.stdout + test.stderr).not.toMatch(/warn|unknown keyword/i);
      expect(await sh(d, 'pgrep -x keepalived >/dev/null && echo running')).toBe('running');
      if ((await labExec(d, ['test', '-e', '/proc/net/ip_vs'])).code === 0) {
        // a UML director: its own kernel has IPVS; VIP:80 (0A0007F7:0050) with both real servers
        expect(await sh(d, 'cat /etc/default/keepalived')).toMatch(/^DAEMON_ARGS=""$/m);
        const table = await sh(d, 'cat /proc/net/ip_vs');
        expect(table).toMatch(/^TCP\s+0A0007F7:0050 wlc/m);
        expect(table).toMatch(/-> 0A0007D3:0050\s+Route\s+60 /);
        expect(table).toMatch(/-> 0A00071D:0050\s+Route\s+40 /);
      } else {
        expect(await sh(d, 'cat /etc/default/keepalived')).toMatch(/^DAEMON_ARGS="--vrrp"$/m);
      }
    }
  });

  it('the VIP is on exactly one director, the highest-priority one', async () => {
    expect(await vipHolders()).toEqual(['lvs2']);
  });

  it('each real server answers HTTP, holds the VIP on lo and does not answer ARP for it', async () => {
    for (const [w, addr] of [
      ['web1', '10.0.7.211'],
      ['web2', '10.0.7.29'],
    ] as const) {
      const page = spawnSync(
        'ip',
        ['netns', 'exec', 'lvsplay-ctl', 'curl', '-s', '--max-time', '5', `http://${addr}/`],
        { encoding: 'utf8' },
      );
      expect(page.stdout).toContain(`<h1>${w}</h1>`);
      expect(await sh(w, 'ip -o -4 addr show dev lo')).toContain(` ${VIP}/32 `);
      expect(
        await sh(
          w,
          'sysctl -n net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce net.ipv4.conf.lo.arp_ignore net.ipv4.conf.lo.arp_announce',
        ),
      ).toBe('1\n2\n1\n2');
      expect(await sh(w, '/etc/init.d/realserver status; echo rc=$?')).toContain('rc=0');
    }
    // ARP for the VIP, asked afresh from the controller, is answered by the director alone.
    spawnSync('ip', ['netns', 'exec', 'lvsplay-ctl', 'ip', 'neigh', 'flush', 'to', VIP]);
    // Any packet to the VIP makes the controller ask (a TCP connect: the machine may lack ping).
    spawnSync('ip', ['netns', 'exec', 'lvsplay-ctl', 'timeout', '3', 'bash', '-c', `: </dev/tcp/${VIP}/80`]);
    const neigh = spawnSync('ip', ['netns', 'exec', 'lvsplay-ctl', 'ip', 'neigh', 'show', 'to', VIP], {
      encoding: 'utf8',
    }).stdout;
    expect(neigh).toContain(`lladdr ${await sh('lvs2', 'cat /sys/class/net/eth0/address')}`);
  });

  it('a row written on each database server appears on the other', async () => {
    const sql = (h: string, q: string) => sh(h, `mariadb --batch --skip-column-names -e "${q}"`);
    await sql(
      'db1',
      'CREATE DATABASE IF NOT EXISTS clustertest; CREATE TABLE IF NOT EXISTS clustertest.t (id INT AUTO_INCREMENT PRIMARY KEY, token VARCHAR(40))',
    );
    for (const [from, to] of [
      ['db1', 'db2'],
      ['db2', 'db1'],
    ] as const) {
      const token = `${from}-${Date.now()}`;
      const t0 = Date.now();
      await sql(from, `INSERT INTO clustertest.t (token) VALUES ('${token}')`);
      let seen = '';
      while (seen !== '1' && Date.now() - t0 < 10_000)
        seen = await sql(to, `SELECT COUNT(*) FROM clustertest.t WHERE token='${token}'`).catch(() => '');
      expect(seen).toBe('1');
      console.log(`replication ${from} -> ${to}: ${Date.now() - t0} ms`);
    }
    const status = await sh('db1', 'mariadb -e "SHOW SLAVE STATUS\\G"');
    expect(status).toMatch(/Slave_IO_Running: Yes/);
    expect(status).toMatch(/Slave_SQL_Running: Yes/);
    // A lost peer is retried every mysql_connect_retry seconds, not MariaDB's 60.
    expect(status).toMatch(/Connect_Retry: 5\n/);
  });

  it('--check --diff after one lvs_weight change shows exactly that line on both directors; the run reloads keepalived once per director', async () => {
    const override = weightOverride('web1', 70);
    const check = await site(['-i', override, '--check', '--diff', '--output', 'json']);
    expect(check.code).toBe(0);
    const changed = changedTasks(check.doc!).filter((t) => !t.endsWith(': director : reload keepalived'));
    expect(changed).toEqual([`lvs1: ${CONF_TASK}`, `lvs2: ${CONF_TASK}`]);
    for (const h of ['lvs1', 'lvs2']) {
      // With serial: 1 each director's batch is reported on its own.
      const conf = check.doc!.plays.flatMap((p) => p.tasks).find((t) => t.task.name === CONF_TASK && t.hosts[h])!.hosts[
        h
      ]!;
      const diff = conf.changes!.find((c) => c.diff)!.diff!;
      const before = diff.before.split('\n');
      const after = diff.after.split('\n');
      expect(after.length).toBe(before.length);
      expect(before.flatMap((l, i) => (l === after[i] ? [] : [l.trim(), after[i]!.trim()]))).toEqual([
        'weight 60',
        'weight 70',
      ]);
    }

    const real = await site(['-i', override, '--output', 'json']);
    expect(real.code).toBe(0);
    const handlers = changedTasks(real.doc!).filter(
      (t) => /: director : (reload|stop|start|wait for) keepalived/.test(t) || t.includes('keepalived'),
    );
    expect(handlers.filter((t) => t.endsWith('reload keepalived')).sort()).toEqual([
      'lvs1: director : reload keepalived',
      'lvs2: director : reload keepalived',
    ]);
    expect(handlers.filter((t) => /(stop|start) keepalived$/.test(t))).toEqual([]);
    expect(await sh('lvs1', 'grep -c "weight 70" /etc/keepalived/keepalived.conf')).toBe('1');
    expect(await vipHolders()).toEqual(['lvs2']);

    // Back to the inventory's weights.
    const back = await site(['--output', 'json']);
    expect(back.code).toBe(0);
  }, 900_000);

  it('a director crash mid-rollout leaves the other director holding the VIP', async () => {
    const override = weightOverride('web2', 45);
    let crashed: Promise<void> | undefined;
    let crashAt = 0;
    const run = await site(['-i', override, '--output', 'jsonl'], {
      onLine: (line) => {
        // When the rollout writes keepalived.conf on the second director (lvs2, the VIP holder),
        // pull its plug.
        if (crashed || !line.includes('"taskStart"')) return;
        if (line.includes('"hosts":["lvs2"]') && line.includes('"director : Write keepalived.conf')) {
          crashAt = Date.now();
          crashed = labCrash('lvs2');
        }
      },
    });
    expect(crashed).toBeDefined();
    await crashed;
    expect(run.code).not.toBe(0);
    const took = await waitHolders(['lvs1'], 15_000);
    console.log(`VIP on lvs1 ${Date.now() - crashAt} ms after the crash of lvs2 (${took} ms after the run ended)`);
    // lvs1 was updated before the crash: it has the new weight and kept keepalived running.
    expect(await sh('lvs1', 'grep -c "weight 45" /etc/keepalived/keepalived.conf')).toBe('1');

    await labBoot('lvs2');
    const back = await waitHolders(['lvs2'], 60_000);
    console.log(`lvs2 holds the VIP again ${back} ms after its boot`);
    const converge = await site(['--output', 'json']);
    expect(converge.code).toBe(0);
    expect(await vipHolders()).toEqual(['lvs2']);
  }, 900_000);

  it('every host rebooted, a director, a real server and a database at a time, comes back by itself with no playbook run; site.yaml then changes nothing', async () => {
    await ensureCluster();
    const t0 = Date.now();
    const batches = await rebootInBatches(
      [
        ['lvs1', 'web1', 'db1'],
        ['lvs2', 'web2', 'db2'],
      ],
      180_000,
    );
    await replicatesBothWays(['db1', 'db2']);
    // the MASTER takes the VIP back once it is up again
    await waitHolders(['lvs2'], 60_000);
    console.log(`reboots: ${JSON.stringify(batches)}; all back in ${Date.now() - t0} ms`);
    const again = await site(['--output', 'json']);
    expect(again.code).toBe(0);
    expect(changedTasks(again.doc!)).toEqual([]);
  }, 900_000);
});
