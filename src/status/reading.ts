// What one host told us, decoded from the probe's sections. Unreachable hosts carry why.
import {
  parseIpAddr,
  parseIpvs,
  parseIpvsStats,
  parseKeyValues,
  parseListeningPorts,
  parseSlaveStatus,
  type Ipv4Address,
  type IpvsService,
  type IpvsStats,
  type Replication,
} from './parse.js';
import { splitSections } from './probe.js';

export type KeepalivedState = 'running' | 'stopped' | 'absent';

export interface HostReading {
  host: string;
  reachable: true;
  ms: number;
  addresses: Ipv4Address[];
  keepalived: KeepalivedState;
  /** undefined: the kernel has no IPVS (no /proc/net/ip_vs). */
  ipvs: IpvsService[] | undefined;
  ipvsStats: IpvsStats | undefined;
  sysctl: Record<string, string>;
  listening: number[];
  /** undefined when the host has no mysql client. */
  mysql: { replication: Replication | undefined; serverId: number | undefined; error: string | undefined } | undefined;
  /** path -> content; null when the file is absent. */
  files: Map<string, string | null>;
}

export interface HostUnreachable {
  host: string;
  reachable: false;
  ms: number;
  reason: string;
}

export type HostProbe = HostReading | HostUnreachable;

const ERROR = /^@@error (.*)$/m;

export function readingFromOutput(host: string, stdout: string, ms: number): HostReading {
  const s = splitSections(stdout);
  const files = new Map<string, string | null>();
  for (const [name, text] of s) {
    if (name.startsWith('file:'))
      files.set(name.slice(5), Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8'));
    else if (name.startsWith('nofile:')) files.set(name.slice(7), null);
  }
  let mysql: HostReading['mysql'];
  const slave = s.get('mysql_slave');
  if (slave !== undefined) {
    const idText = s.get('mysql_server_id') ?? '';
    const failed = ERROR.exec(slave) ? slave.trim() : ERROR.exec(idText) ? idText.trim() : undefined;
    const id = /^\s*(\d+)\s*$/m.exec(idText);
    mysql = {
      replication: failed ? undefined : parseSlaveStatus(slave),
      serverId: id ? Number(id[1]) : undefined,
      error: failed?.replace(ERROR, '').trim() || undefined,
    };
  }
  const ipvsText = s.get('ipvs');
  const k = (s.get('keepalived') ?? '').trim();
  return {
    host,
    reachable: true,
    ms,
    addresses: parseIpAddr(s.get('addr') ?? ''),
    keepalived: k === 'running' || k === 'stopped' ? k : 'absent',
    ipvs: ipvsText === undefined ? undefined : parseIpvs(ipvsText),
    ipvsStats: s.has('ipvs_stats') ? parseIpvsStats(s.get('ipvs_stats') ?? '') : undefined,
    sysctl: parseKeyValues(s.get('sysctl') ?? ''),
    listening: parseListeningPorts(s.get('tcp') ?? ''),
    mysql,
    files,
  };
}
