// Pure readers of what a host prints: `ip -o -4 addr`, /proc/net/ip_vs, /proc/net/ip_vs_stats,
// /proc/net/tcp, `SHOW SLAVE STATUS\G`. Each is tested on output captured from the lab hosts.

export interface Ipv4Address {
  dev: string;
  address: string;
  prefix: number;
  label: string | undefined;
}

/** `ip -o -4 addr`: one line per address, e.g. `2: eth0    inet 10.0.7.247/24 ... secondary eth0:vip\ ...`. */
export function parseIpAddr(text: string): Ipv4Address[] {
  const out: Ipv4Address[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet\s+(\d+\.\d+\.\d+\.\d+)\/(\d+)(.*)$/.exec(line.trim());
    if (!m) continue;
    // the label, when one is set, is the last word before the backslash that ends the first line
    const rest = (m[4] ?? '').split('\\')[0] ?? '';
    const words = rest.trim().split(/\s+/);
    const last = words[words.length - 1];
    const label = last && last.includes(':') ? last : undefined;
    out.push({ dev: m[1]!, address: m[2]!, prefix: Number(m[3]), label });
  }
  return out;
}

/** IPVS prints IPv4 addresses as 8 hex digits in network order: 0A0700F7 is 10.0.7.247. */
export function hexToIpv4(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export interface IpvsRealServer {
  address: string;
  port: number;
  forward: string;
  weight: number;
  activeConns: number;
  inactiveConns: number;
}

export interface IpvsService {
  protocol: string;
  vip: string;
  port: number;
  scheduler: string;
  flags: string;
  realServers: IpvsRealServer[];
}

/** /proc/net/ip_vs: the kernel's virtual services and their real servers (what `ipvsadm -Ln` shows). */
export function parseIpvs(text: string): IpvsService[] {
  const out: IpvsService[] = [];
  for (const line of text.split('\n')) {
    const svc = /^(TCP|UDP|SCTP)\s+([0-9A-Fa-f]{8}):([0-9A-Fa-f]{4})\s+(\S+)\s*(.*)$/.exec(line.trim());
    if (svc) {
      out.push({
        protocol: svc[1]!,
        vip: hexToIpv4(svc[2]!),
        port: Number.parseInt(svc[3]!, 16),
        scheduler: svc[4]!,
        flags: (svc[5] ?? '').trim(),
        realServers: [],
      });
      continue;
    }
    const rs = /^->\s+([0-9A-Fa-f]{8}):([0-9A-Fa-f]{4})\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(line.trim());
    const current = out[out.length - 1];
    if (rs && current) {
      current.realServers.push({
        address: hexToIpv4(rs[1]!),
        port: Number.parseInt(rs[2]!, 16),
        forward: rs[3]!,
        weight: Number(rs[4]),
        activeConns: Number(rs[5]),
        inactiveConns: Number(rs[6]),
      });
    }
  }
  return out;
}

export interface IpvsStats {
  conns: number;
  inPackets: number;
  outPackets: number;
  inBytes: number;
  outBytes: number;
  connsPerSec: number;
  inPacketsPerSec: number;
  outPacketsPerSec: number;
  inBytesPerSec: number;
  outBytesPerSec: number;
}

/** /proc/net/ip_vs_stats: totals, then rates; the kernel prints both rows in hex. */
export function parseIpvsStats(text: string): IpvsStats | undefined {
  const rows = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[0-9A-Fa-f]+(\s+[0-9A-Fa-f]+){4}$/.test(l));
  if (rows.length < 2) return undefined;
  const [t, r] = rows.map((l) => l.split(/\s+/).map((x) => Number.parseInt(x, 16))) as [number[], number[]];
  return {
    conns: t[0]!,
    inPackets: t[1]!,
    outPackets: t[2]!,
    inBytes: t[3]!,
    outBytes: t[4]!,
    connsPerSec: r[0]!,
    inPacketsPerSec: r[1]!,
    outPacketsPerSec: r[2]!,
    inBytesPerSec: r[3]!,
    outBytesPerSec: r[4]!,
  };
}

/** Local TCP ports in LISTEN state (0A) from /proc/net/tcp and tcp6. */
export function parseListeningPorts(text: string): number[] {
  const ports = new Set<number>();
  for (const line of text.split('\n')) {
    const m = /^\s*\d+:\s+[0-9A-Fa-f]+:([0-9A-Fa-f]{4})\s+[0-9A-Fa-f]+:[0-9A-Fa-f]{4}\s+0A\s/.exec(line);
    if (m) ports.add(Number.parseInt(m[1]!, 16));
  }
  return [...ports].sort((a, b) => a - b);
}

/** `SHOW SLAVE STATUS\G`: field -> value; empty when the server replicates from nobody. */
export function parseVerticalRow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*):\s?(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.trimEnd();
  }
  return out;
}

export interface Replication {
  /** False when SHOW SLAVE STATUS returned no row: this server replicates from nobody. */
  configured: boolean;
  masterHost: string | undefined;
  ioRunning: boolean;
  sqlRunning: boolean;
  /** null when the SQL thread is not running (MariaDB prints NULL). */
  secondsBehindMaster: number | null;
  lastError: string | undefined;
}

export function parseSlaveStatus(text: string): Replication {
  const f = parseVerticalRow(text);
  const lag = f.Seconds_Behind_Master;
  const err = [f.Last_IO_Error, f.Last_SQL_Error, f.Last_Error].find((e) => e);
  return {
    configured: 'Slave_IO_Running' in f,
    masterHost: f.Master_Host || undefined,
    ioRunning: f.Slave_IO_Running === 'Yes',
    sqlRunning: f.Slave_SQL_Running === 'Yes',
    secondsBehindMaster: lag === undefined || lag === 'NULL' || lag === '' ? null : Number(lag),
    lastError: err,
  };
}

/** `name=value` lines (the probe prints sysctls so) into a map. */
export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}
