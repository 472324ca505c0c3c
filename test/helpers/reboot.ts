// Reboots the converged cluster's hosts in batches (`labReboot`: a clean reboot from inside each
// host) and waits, with no playbook run, until the cluster is whole again: keepalived and one
// VIP holder, IPVS where the kernel has it, the VIP on lo and the ARP sysctls on the real
// servers, the page served, MariaDB replicating both ways, every sysctl the roles persisted
// applied, and on systemd hosts no unit failed. Shared by the cluster tests of both releases.
import { labExec, labReboot, labStatus, runFromController, type LabStatus } from '../../src/lab/index.js';

const sh = async (host: string, cmd: string) => (await labExec(host, ['sh', '-c', cmd])).stdout.trim();
const ofGroup = (s: LabStatus, g: string) => s.hosts.filter((h) => h.groups.includes(g)).map((h) => h.name);
/** IPv4 address and port as /proc/net/ip_vs writes them: 0A0007F7:0050. */
const ipvsHex = (addr: string, port: number) =>
  `${addr
    .split('.')
    .map((o) => Number(o).toString(16).toUpperCase().padStart(2, '0'))
    .join('')}:${port.toString(16).toUpperCase().padStart(4, '0')}`;

/** Every sysctl of the roles' /etc/sysctl.d files that the running kernel does not have: one line each. */
const SYSCTL_DRIFT = `for f in /etc/sysctl.d/60-lvs-*.conf; do [ -e "$f" ] || continue
  grep -v '^[[:space:]]*[#;]' "$f" | while IFS='=' read -r k v; do
    k=$(echo $k); v=$(echo $v); [ -n "$k" ] || continue
    now=$(sysctl -n "$k" 2>&1 | tr -s ' \\t' ' '); [ "$now" = "$v" ] || echo "$k is $now, $f says $v"
  done; done`;

async function get(addr: string, path = '/'): Promise<string> {
  return (await runFromController([addr], ['curl', '-s', '--max-time', '5', `http://${addr}${path}`], 15_000)).stdout;
}

/** What is still missing for the cluster to serve as converged (empty: whole). */
export async function clusterProblems(): Promise<string[]> {
  const s = await labStatus();
  const vip = s.vip!;
  const directors = ofGroup(s, 'directors');
  const webs = s.hosts.filter((h) => h.groups.includes('realservers'));
  const dbs = ofGroup(s, 'dbservers');
  const all = [...directors, ...webs.map((w) => w.name), ...dbs];
  const off = s.hosts.filter((h) => all.includes(h.name) && h.state !== 'running').map((h) => `${h.name} is off`);
  if (off.length) return off;
  const problems: string[] = [];
  if (s.vipHolders.length !== 1) problems.push(`the VIP is held by ${s.vipHolders.join(', ') || 'nobody'}`);
  let ipvs = false;
  for (const d of directors) {
    if ((await sh(d, 'pgrep -x keepalived >/dev/null && echo running')) !== 'running')
      problems.push(`${d}: keepalived is not running`);
    if ((await labExec(d, ['test', '-e', '/proc/net/ip_vs'])).code !== 0) continue;
    ipvs = true;
    const table = await sh(d, 'cat /proc/net/ip_vs');
    if (!table.includes(`TCP  ${ipvsHex(vip, 80)} `)) problems.push(`${d}: IPVS has no virtual server ${vip}:80`);
    for (const w of webs)
      if (!table.includes(`-> ${ipvsHex(w.address, 80)} `)) problems.push(`${d}: IPVS lacks real server ${w.name}`);
  }
  for (const w of webs) {
    if (!(await sh(w.name, 'ip -o -4 addr show dev lo')).includes(` ${vip}/32 `))
      problems.push(`${w.name}: the VIP is not on lo`);
    const arp = await sh(w.name, 'sysctl -n net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce');
    if (arp !== '1\n2') problems.push(`${w.name}: arp_ignore/arp_announce are ${arp.replace('\n', '/')}`);
    if (!(await get(w.address)).includes(`<h1>${w.name}</h1>`)) problems.push(`${w.name}: its page is not served`);
  }
  // through the VIP, where a director's kernel balances it
  if (ipvs && !/<h1>web/.test(await get(vip))) problems.push(`the page is not served on the VIP`);
  for (const db of dbs) {
    const st = await sh(db, 'mariadb -e "SHOW SLAVE STATUS\\G" 2>&1');
    if (!/Slave_IO_Running: Yes/.test(st) || !/Slave_SQL_Running: Yes/.test(st))
      problems.push(
        `${db}: replication is not running (${/Slave_IO_Running: \w+|ERROR.*/.exec(st)?.[0] ?? 'no status'})`,
      );
  }
  // on a systemd host, every unit the boot started is up: nothing failed
  for (const h of s.hosts.filter((x) => x.kind === 'systemd' && all.includes(x.name))) {
    const state = await sh(h.name, 'systemctl is-system-running');
    if (state !== 'running')
      problems.push(`${h.name}: systemd is ${state} (${await sh(h.name, 'systemctl --failed --plain --no-legend')})`);
  }
  for (const h of all) {
    const drift = await sh(h, SYSCTL_DRIFT);
    if (drift) problems.push(`${h}: ${drift.replace(/\n/g, '; ')}`);
  }
  return problems;
}

/** Milliseconds until clusterProblems() finds nothing; throws with what is still missing after limitMs. */
export async function clusterBack(limitMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const problems = await clusterProblems();
    if (!problems.length) return Date.now() - t0;
    if (Date.now() - t0 > limitMs)
      throw new Error(`the cluster is not back ${limitMs} ms after the reboots: ${problems.join('; ')}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** A row written on each database server appears on the other within limitMs. */
export async function replicatesBothWays(dbs: [string, string], limitMs = 30_000): Promise<void> {
  const sql = (h: string, q: string) => sh(h, `mariadb --batch --skip-column-names -e "${q}"`);
  await sql(
    dbs[0],
    'CREATE DATABASE IF NOT EXISTS reboottest; CREATE TABLE IF NOT EXISTS reboottest.t (id INT AUTO_INCREMENT PRIMARY KEY, token VARCHAR(40))',
  );
  for (const [from, to] of [dbs, [dbs[1], dbs[0]]] as const) {
    const token = `${from}-${Date.now()}`;
    await sql(from, `INSERT INTO reboottest.t (token) VALUES ('${token}')`);
    const t0 = Date.now();
    let seen = '';
    while (seen !== '1' && Date.now() - t0 < limitMs) {
      seen = await sql(to, `SELECT COUNT(*) FROM reboottest.t WHERE token='${token}'`).catch(() => '');
      if (seen !== '1') await new Promise((r) => setTimeout(r, 500));
    }
    if (seen !== '1') throw new Error(`a row written on ${from} did not reach ${to} within ${limitMs} ms`);
  }
}

export interface BatchFigures {
  hosts: string[];
  /** Per host, from its reboot request to sshd answering with a new boot id. */
  rebootMs: Record<string, number>;
  /** From the batch's reboot request to the cluster whole again. */
  backMs: number;
}

/**
 * Reboots each batch of hosts at once and waits for the cluster to be whole before the next
 * batch. Every host must come back with a new boot id.
 */
export async function rebootInBatches(batches: string[][], limitMs: number): Promise<BatchFigures[]> {
  const out: BatchFigures[] = [];
  for (const hosts of batches) {
    const t0 = Date.now();
    const results = await labReboot(hosts);
    for (const r of results)
      if (!r.bootIdAfter || r.bootIdAfter === r.bootIdBefore)
        throw new Error(`${r.host}: boot id ${r.bootIdBefore} -> ${r.bootIdAfter}: not a new boot`);
    await clusterBack(limitMs);
    out.push({ hosts, rebootMs: Object.fromEntries(results.map((r) => [r.host, r.ms])), backMs: Date.now() - t0 });
  }
  return out;
}
