// The cluster demo (`npm run demo`; `bash scripts/demo.sh` installs what it needs, builds and
// runs this): brings the lab up, deploys playbooks/site.yaml twice (the second run changes
// nothing), proves the cluster with `lvsplay verify`, then measures what verify does not: VRRP
// failover and recovery after a power cut, MariaDB replication delay, and (where the directors
// have IPVS, e.g. as UML guests) the LVS-DR data path from the lab's client: the spread of
// connections, direct-routing replies, health checks and a failover under load. Every step is
// bounded in time and prints figures. Local commands go through zx's `$`; lab hosts through the
// lab API. `--release trixie` runs it all on the Debian 13 lab with systemd hosts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { $ as zx } from 'zx/core';
import { hostVarsOf, loadInventory } from '../inventory/index.js';
import { labBoot, labCrash, labExec, labStatus, labUp } from '../lab/index.js';
import { quote } from '../transport/quote.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The lab's inventory per Debian release: bookworm's hosts boot SysV init, trixie's systemd. */
const INVENTORIES: Record<string, string> = { bookworm: 'inventory/lab.ini', trixie: 'inventory/lab-trixie.ini' };
const USAGE =
  'usage: bash scripts/demo.sh [--release bookworm|trixie]\n' +
  "  --release  the lab hosts' Debian release (default bookworm: inventory/lab.ini, SysV init;\n" +
  '             trixie: inventory/lab-trixie.ini, systemd as PID 1)\n';

function releaseInventory(argv: string[]): string {
  try {
    const { values } = parseArgs({ args: argv, options: { release: { type: 'string' }, help: { type: 'boolean' } } });
    if (values.help) {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    const release = values.release ?? 'bookworm';
    if (Object.hasOwn(INVENTORIES, release)) return resolve(ROOT, INVENTORIES[release]!);
    process.stderr.write(`demo: --release ${release}: the lab knows bookworm and trixie\n${USAGE}`);
  } catch (e) {
    process.stderr.write(`demo: ${(e as Error).message}\n${USAGE}`);
  }
  process.exit(2);
}
const INV = releaseInventory(process.argv.slice(2));
const LOG = mkdtempSync(join(tmpdir(), 'lvsplay-demo.'));
const $ = zx({ quote, cwd: ROOT, nothrow: true, quiet: true, verbose: false, stdio: ['ignore', 'pipe', 'pipe'] });
const lvsplay = (args: string[], timeoutMs: number) =>
  $({ timeout: timeoutMs, timeoutSignal: 'SIGKILL' })`${process.execPath} ${join(ROOT, 'bin/lvsplay.js')} ${args}`;

class DemoFailed extends Error {}
const step = (title: string) => process.stdout.write(`\n\x1b[1m== ${title}\x1b[0m\n`);
const ok = (what: string) => process.stdout.write(`   ok: ${what}\n`);
const fail = (what: string): never => {
  throw new DemoFailed(what);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** argv in a lab host; its stdout, or the demo fails naming the host and what it said. */
async function on(host: string, argv: string[], input?: string): Promise<string> {
  const r = await labExec(host, argv, input === undefined ? {} : { input });
  if (r.code !== 0) fail(`${host}: \`${argv.join(' ')}\` exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Waits (at most `limitMs`) until exactly `want` holds the VIP; the milliseconds it took. */
async function waitHolder(want: string, limitMs: number): Promise<number | undefined> {
  const t0 = Date.now();
  while (Date.now() - t0 < limitMs) {
    const holders = (await labStatus()).vipHolders;
    if (holders.length === 1 && holders[0] === want) return Date.now() - t0;
    await sleep(100);
  }
  return undefined;
}

const recap = (out: string) => out.slice(Math.max(0, out.indexOf('PLAY RECAP')));

async function deploy(): Promise<void> {
  for (const run of [1, 2]) {
    step(`lvsplay run site.yaml, run ${run}`);
    const t0 = Date.now();
    const r = await lvsplay(['run', 'site.yaml', '-i', INV, '-o', 'plain'], 1_200_000);
    writeFileSync(join(LOG, `run${run}.txt`), r.stdout + r.stderr);
    process.stdout.write(recap(r.stdout));
    if (r.exitCode !== 0)
      fail(`run ${run} exited ${r.exitCode}: ${r.stderr.trim().split('\n').slice(-5).join('\n')} (log in ${LOG})`);
    ok(`run ${run} converged in ${Math.round((Date.now() - t0) / 1000)} s`);
    if (run === 2 && /changed=[1-9]/.test(recap(r.stdout))) fail('the second run changed something');
  }
  ok('second run: changed=0 on every host');
}

async function verify(): Promise<void> {
  step('lvsplay verify: VIP holder, configs, real servers (HTTP, VIP on lo, ARP), replication, drift');
  const r = await lvsplay(['verify', '-i', INV], 300_000);
  process.stdout.write(r.stdout);
  if (r.exitCode !== 0) fail(`lvsplay verify exited ${r.exitCode}: ${r.stderr.trim()}`);
  ok('every check passed');
}

async function vrrpFailover(master: string, backup: string): Promise<void> {
  step(`lab crash ${master}: the VIP moves to ${backup}`);
  await labCrash(master);
  const moved = await waitHolder(backup, 20_000);
  if (moved === undefined) fail(`the VIP did not move to ${backup} within 20 s`);
  ok(`VIP on ${backup} ${moved} ms after the crash of ${master}`);

  step(`lab boot ${master}: the cluster recovers`);
  const t0 = Date.now();
  await labBoot(master);
  const back = await waitHolder(master, 60_000);
  if (back === undefined) fail(`${master} did not take the VIP back within 60 s`);
  ok(`${master} booted and holds the VIP again ${Date.now() - t0} ms after 'lab boot' (preemption ${back} ms after)`);
}

async function replicationDelay(dbs: string[]): Promise<void> {
  step('MariaDB master-master: how long a row written on one server takes to appear on the other');
  const sql = (host: string, q: string) => on(host, ['mariadb', '--batch', '--skip-column-names', '-e', q]);
  await sql(dbs[0]!, 'CREATE DATABASE IF NOT EXISTS demo');
  await sql(dbs[0]!, 'CREATE TABLE IF NOT EXISTS demo.rows (id INT AUTO_INCREMENT PRIMARY KEY, token VARCHAR(40))');
  for (const [from, to] of [dbs, [...dbs].reverse()] as [string, string][]) {
    const token = `${from}-${Date.now()}`;
    const count = `SELECT COUNT(*) FROM demo.rows WHERE token='${token}'`;
    // hosts share this machine's clock: the writer stamps its commit, a loop on the reader
    // stamps the moment the row is there
    const poll = `until [ "$(mariadb -N -B -e "$1")" = 1 ]; do sleep 0.005; done; date +%s%3N`;
    const seen = on(to, ['timeout', '30', 'sh', '-c', poll, 'sh', count]);
    await sleep(500);
    const insert = `INSERT INTO demo.rows (token) VALUES ('${token}')`;
    const wrote = Number(await on(from, ['sh', '-c', 'mariadb -e "$1" && date +%s%3N', 'sh', insert]));
    const delay = Math.max(0, Number(await seen) - wrote);
    ok(`row written on ${from} seen on ${to} ${delay} ms after its commit (resolution: one mariadb client start)`);
  }
  ok(
    `auto-increment ids interleave: ${(await sql(dbs[0]!, 'SELECT GROUP_CONCAT(id ORDER BY id) FROM demo.rows')).trim()}`,
  );
}

/**
 * Shell text: GET / from `addr` (a shell word) on port 80 within `seconds`, the answer on stdout.
 * Perl rather than wget: perl-base is on every Debian host, a wget or busybox is not (the Debian
 * 13 lab's systemd hosts have neither).
 */
const httpGet = (seconds: number, addr: string) =>
  `timeout ${seconds} perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(PeerAddr => $ARGV[0], PeerPort => 80) or exit 1;
    print $s "GET / HTTP/1.0\\r\\nHost: $ARGV[0]\\r\\n\\r\\n"; print while <$s>' ${addr}`;

/** What the client got from `n` connections to the VIP, one at a time: page title -> count. */
async function spread(vip: string, n: number): Promise<Map<string, number>> {
  const loop = `i=0; while [ $i -lt "$1" ]; do ${httpGet(3, '"$2"')} 2>/dev/null |
    sed -n 's:.*<title>\\(.*\\)</title>.*:\\1:p' | grep . || echo FAILED; i=$((i + 1)); done`;
  const got = new Map<string, number>();
  for (const w of (await on('client', ['sh', '-c', loop, 'sh', String(n), vip])).split('\n').filter(Boolean))
    got.set(w, (got.get(w) ?? 0) + 1);
  return got;
}
const show = (m: Map<string, number>) => [...m].map(([w, c]) => `${w} ${c}`).join(', ');

async function dataPath(vip: string, holder: string, backup: string, webs: string[]): Promise<void> {
  step('the IPVS data path');
  const kind = (await labStatus()).hosts.find((h) => h.name === holder)?.kind;
  ok(`${holder} has IPVS (lab host kind: ${kind}); keepalived programmed it:`);
  process.stdout.write(await on(holder, ['ipvsadm', '-Ln']));
  const svc = `${vip}:80`;
  const { inventory } = loadInventory([INV]);
  const weights = webs.map((w) => `${w} ${String(hostVarsOf(inventory, w).lvs_weight)}`).join(', ');
  await on(holder, ['ipvsadm', '-Z', '-t', svc]);
  await on(holder, ['ipvsadm', '-E', '-t', svc, '-s', 'wrr']);
  const wrr = await spread(vip, 200);
  await on(holder, ['ipvsadm', '-E', '-t', svc, '-s', 'wlc']);
  ok(`wrr, 200 connections from client: ${show(wrr)} (weights: ${weights})`);
  if (wrr.has('FAILED')) fail('some connections failed');
  ok(`wlc (the cluster's setting), 200 connections: ${show(await spread(vip, 200))}`);
  await sleep(2000); // the kernel's totals lag up to 2 s
  const stats = (await on(holder, ['ipvsadm', '-Ln', '--stats', '--exact', '-t', svc])).split('\n');
  const [conns, inpkts, outpkts] = (stats.find((l) => l.startsWith('TCP')) ?? '').trim().split(/\s+/).slice(2, 5);
  if (outpkts !== '0') fail(`the director sent ${outpkts} reply packets: not direct routing`);
  ok(`${holder}: ${conns} connections, ${inpkts} packets in, ${outpkts} out: the real servers answer directly (DR)`);
  // the real server closes first (HTTP/1.0): its side of each finished connection waits in TIME-WAIT
  const client = (await labStatus()).hosts.find((h) => h.name === 'client')?.address ?? fail('no lab client');
  const waiting = await on(webs[0]!, ['ss', '-Htn', 'state', 'time-wait']);
  if (!new RegExp(`${vip.replace(/\./g, '\\.')}:80 +${client.replace(/\./g, '\\.')}:`).test(waiting))
    fail(`${webs[0]} did not see the client's address`);
  ok(`${webs[0]} saw the client's own address (${client}) on connections to ${vip}:80`);

  // keepalived's health check takes a real server out of scheduling when its web server stops
  // (weight 0 with inhibit_on_failure, or out of the table with a plain check), and back in
  const w = webs[1]!;
  const addr = String(hostVarsOf(loadInventory([INV]).inventory, w).ansible_host);
  const inTable = async () => {
    const line = (await on(holder, ['ipvsadm', '-Ln', '-t', svc])).split('\n').find((l) => l.includes(` ${addr}:80 `));
    // `  -> 10.0.7.29:80   Route   40   0   0`: the weight is the fourth word
    return line !== undefined && line.trim().split(/\s+/)[3] !== '0';
  };
  const until = async (want: boolean, what: string) => {
    const t0 = Date.now();
    while ((await inTable()) !== want) {
      if (Date.now() - t0 > 120_000) fail(`${w} ${what} within 120 s`);
      await sleep(200);
    }
    return Date.now() - t0;
  };
  await on(w, ['service', 'lighttpd', 'stop']);
  try {
    ok(`${w}'s web server stopped: out of scheduling after ${await until(false, 'stayed in scheduling')} ms`);
    const now = await spread(vip, 20);
    ok(`20 connections now: ${show(now)}`);
    if (now.has('FAILED') || now.has(w)) fail(`a connection failed or reached ${w}`);
  } finally {
    await on(w, ['service', 'lighttpd', 'start']);
  }
  ok(`${w}'s web server started: back in scheduling after ${await until(true, 'did not come back')} ms`);

  // one connection at a time for 20 s, each stamped, given up after 1 s; the holder dies at 3 s
  const loop = `end=$(($(date +%s) + 20)); while [ $(date +%s) -lt $end ]; do t=$(date +%s%3N);
    w=$(${httpGet(1, '"$1"')} 2>/dev/null | sed -n 's:.*<title>\\(.*\\)</title>.*:\\1:p');
    echo "$t \${w:-FAILED}"; done`;
  const during = on('client', ['sh', '-c', loop, 'sh', vip]);
  await sleep(3000);
  await labCrash(holder);
  const lines = (await during)
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ') as [string, string]);
  const firstFail = lines.findIndex(([, r]) => r === 'FAILED');
  const recovered = lines.findIndex(([, r], i) => i > firstFail && r !== 'FAILED');
  if (firstFail < 0 || recovered < 0) fail(`the client did not get through the VIP again within 20 s of the crash`);
  const gap = Number(lines[recovered]![0]) - Number(lines[firstFail - 1]?.[0] ?? lines[firstFail]![0]);
  const after = lines.slice(recovered);
  const late = after.filter(([, r]) => r === 'FAILED').length;
  if (late * 100 > after.length) fail(`${late} of ${after.length} connections failed after the failover (over 1%)`);
  ok(
    `crash of ${holder}: connections go through ${backup} after a gap of ${gap} ms; ${late} of ${after.length} later failed`,
  );
  await labBoot(holder);
  if ((await waitHolder(holder, 60_000)) === undefined) fail(`${holder} did not take the VIP back within 60 s`);
  ok(`${holder} booted and holds the VIP again`);
}

async function main(): Promise<void> {
  const { inventory } = loadInventory([INV]);
  const group = (g: string) => inventory.groups.get(g)?.hosts ?? [];
  const directors = group('directors');
  const byPriority = [...directors].sort(
    (a, b) => Number(hostVarsOf(inventory, b).vrrp_priority) - Number(hostVarsOf(inventory, a).vrrp_priority),
  );
  const [master, backup] = byPriority as [string, string];

  step('lab up');
  const up = await labUp({ inventory: INV, progress: 'plain' });
  const kinds = up.hosts.map((h) => `${h.name} (${h.kind ?? 'netns'})`).join(', ');
  ok(`${up.hosts.length} hosts in ${(up.ms / 1000).toFixed(1)} s${up.builtBase ? ' (base built)' : ''}: ${kinds}`);
  await deploy();
  await verify();

  const s = await labStatus();
  const vip = s.vip ?? fail('the lab knows no VIP');
  if (s.vipHolders.join() !== master) fail(`VIP holders: ${s.vipHolders.join(', ')}; ${master} has the top priority`);
  await vrrpFailover(master, backup);
  await replicationDelay(group('dbservers'));

  if ((await labExec(master, ['test', '-e', '/proc/net/ip_vs'])).code === 0) {
    await dataPath(vip, master, backup, group('realservers'));
  } else {
    process.stdout.write(
      [
        "   NOT PROVEN: the directors' kernel has no IPVS (this machine's kernel lacks it and they are not",
        "   UML guests: install user-mode-linux and run 'lab up --kind directors=uml'), so keepalived runs",
        '   VRRP only (--vrrp) and does not forward connections. Proven above: VRRP failover, the real',
        "   servers' VIP on lo and ARP behaviour (lvsplay verify).",
        '',
      ].join('\n'),
    );
  }
  process.stdout.write(`\ndemo: all steps passed (logs in ${LOG})\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`   FAILED: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
