// The status screen as plain lines. --watch highlights the lines that differ from the last screen.
import type { ClusterStatus } from './report.js';

const lag = (s: number | null) => (s === null ? 'unknown' : `${s}s`);

export function statusLines(s: ClusterStatus): string[] {
  const out: string[] = [];
  for (const v of s.vips) {
    const who = v.holders.length ? v.holders.join(', ') : 'NOBODY';
    const note =
      v.holders.length > 1
        ? '  (split brain: more than one director)'
        : v.expectedMaster && v.holders[0] && v.holders[0] !== v.expectedMaster
          ? `  (failed over from ${v.expectedMaster})`
          : '';
    out.push(`vip ${v.vip}${v.port ? `:${v.port}` : ''}: held by ${who}${note}`);
  }
  if (!s.ipvsAvailable)
    out.push('ipvs: not in this kernel (no /proc/net/ip_vs): no virtual service table or connection figures');
  out.push('', 'DIRECTOR  STATE    KEEPALIVED  PRIO  HOLDS');
  for (const d of s.directors) {
    if (!d.reachable) out.push(`${d.host.padEnd(9)} UNREACHABLE (${d.reason ?? ''})`);
    else
      out.push(
        `${d.host.padEnd(9)} ${(d.vrrpState ?? '').padEnd(8)} ${(d.keepalived ?? '').padEnd(11)} ${String(d.priority ?? '-').padEnd(5)} ${d.holds.join(', ') || '-'}`,
      );
    for (const svc of d.ipvs ?? []) {
      out.push(`  ${svc.protocol} ${svc.vip}:${svc.port} ${svc.scheduler}`);
      for (const r of svc.realServers)
        out.push(
          `    -> ${r.address}:${r.port} ${r.forward} weight ${r.weight} active ${r.activeConns} inactive ${r.inactiveConns}`,
        );
    }
    if (d.ipvsStats) out.push(`  ${d.ipvsStats.connsPerSec} conn/s, ${d.ipvsStats.conns} connections in all`);
  }
  out.push('', 'REAL SERVER  VIP ON LO');
  for (const r of s.realServers)
    out.push(
      `${r.host.padEnd(12)} ${r.reachable ? r.vipsOnLo.join(', ') || 'MISSING' : `UNREACHABLE (${r.reason ?? ''})`}`,
    );
  out.push('', 'DATABASE  SERVER_ID  IO   SQL  LAG');
  for (const d of s.databases) {
    if (!d.reachable) out.push(`${d.host.padEnd(9)} UNREACHABLE (${d.reason ?? ''})`);
    else if (!d.replication)
      out.push(`${d.host.padEnd(9)} ${String(d.serverId ?? '-').padEnd(10)} ${d.error ?? 'replication unknown'}`);
    else if (!d.replication.configured)
      out.push(`${d.host.padEnd(9)} ${String(d.serverId ?? '-').padEnd(10)} not replicating from anyone`);
    else {
      const r = d.replication;
      out.push(
        `${d.host.padEnd(9)} ${String(d.serverId ?? '-').padEnd(10)} ${(r.ioRunning ? 'yes' : 'NO').padEnd(4)} ${(r.sqlRunning ? 'yes' : 'NO').padEnd(4)} ${lag(r.secondsBehindMaster)}${r.lastError ? `  ${r.lastError}` : ''}`,
      );
    }
  }
  return out;
}

/** Lines that differ from `before` (same position) are shown in reverse video. */
export function highlightChanges(now: string[], before: string[] | undefined, color: boolean): string[] {
  if (!before || !color) return now;
  return now.map((l, i) => (before[i] === l ? l : `\x1b[7m${l}\x1b[0m`));
}
