// The status readers on output captured from the lab hosts (ip, /proc/net/tcp, MariaDB), and on
// /proc/net/ip_vs as a kernel with IPVS prints it.
import { describe, expect, it } from 'vitest';
import {
  hexToIpv4,
  parseIpAddr,
  parseIpvs,
  parseIpvsStats,
  parseListeningPorts,
  parseSlaveStatus,
} from '../../src/status/parse.js';
import { readingFromOutput } from '../../src/status/reading.js';
import { MARK, probeScript } from '../../src/status/probe.js';
import { clusterStatus } from '../../src/status/report.js';
import { statusLines } from '../../src/status/text.js';
import type { ClusterModel } from '../../src/cluster/model.js';

const LVS2_ADDR = `1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
2: eth0    inet 10.0.7.12/24 scope global eth0\\       valid_lft forever preferred_lft forever
2: eth0    inet 10.0.7.247/24 scope global secondary eth0:vip\\       valid_lft forever preferred_lft forever`;
const WEB1_ADDR = `1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
1: lo    inet 10.0.7.247/32 scope global lo:vip\\       valid_lft forever preferred_lft forever
2: eth0    inet 10.0.7.211/24 scope global eth0\\       valid_lft forever preferred_lft forever`;
const WEB1_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2763448 1 00000000f751fc10 100 0 0 10 0
   1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2773429 1 00000000abf20102 100 0 0 10 0
   2: D307000A:0016 0107000A:B7AA 06 00000000:00000000 03:000004DA 00000000     0        0 0 3 00000000e0eef20c`;
const IPVS = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port Forward Weight ActiveConn InActConn
TCP  0A0007F7:0050 wlc
  -> 0A0007D3:0050      Route   60     3          12
  -> 0A00071D:0050      Route   40     1          7
`;
const IPVS_STATS = `   Total Incoming Outgoing         Incoming         Outgoing
   Conns  Packets  Packets            Bytes            Bytes
      1A      2F0        0            1F400                0

 Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s
       3       10        0              3E8                0
`;
const SLAVE = `*************************** 1. row ***************************
                Slave_IO_State: Waiting for master to send event
                   Master_Host: 10.0.7.42
              Slave_IO_Running: Yes
             Slave_SQL_Running: No
                    Last_Error: 
         Seconds_Behind_Master: NULL
                Last_SQL_Error: Error 'Duplicate entry' on query
`;

describe('status readers', () => {
  it('finds the VIP a director holds and its label, and the VIP on lo /32 of a real server', () => {
    expect(parseIpAddr(LVS2_ADDR)).toContainEqual({
      dev: 'eth0',
      address: '10.0.7.247',
      prefix: 24,
      label: 'eth0:vip',
    });
    expect(parseIpAddr(WEB1_ADDR)).toContainEqual({ dev: 'lo', address: '10.0.7.247', prefix: 32, label: 'lo:vip' });
    expect(parseIpAddr(WEB1_ADDR).find((a) => a.address === '127.0.0.1')?.label).toBeUndefined();
  });

  it('reads listening ports only (port 22 and 80), not established connections', () => {
    expect(parseListeningPorts(WEB1_TCP)).toEqual([22, 80]);
  });

  it('decodes IPVS services, real servers, weights and connection counts', () => {
    expect(hexToIpv4('0A0007F7')).toBe('10.0.7.247');
    expect(parseIpvs(IPVS)).toEqual([
      {
        protocol: 'TCP',
        vip: '10.0.7.247',
        port: 80,
        scheduler: 'wlc',
        flags: '',
        realServers: [
          { address: '10.0.7.211', port: 80, forward: 'Route', weight: 60, activeConns: 3, inactiveConns: 12 },
          { address: '10.0.7.29', port: 80, forward: 'Route', weight: 40, activeConns: 1, inactiveConns: 7 },
        ],
      },
    ]);
    expect(parseIpvsStats(IPVS_STATS)).toMatchObject({
      conns: 26,
      inPackets: 752,
      inBytes: 128000,
      connsPerSec: 3,
      inPacketsPerSec: 16,
      inBytesPerSec: 1000,
    });
  });

  it('reads a broken replication: SQL thread stopped, lag unknown, the error kept', () => {
    expect(parseSlaveStatus(SLAVE)).toEqual({
      configured: true,
      masterHost: '10.0.7.42',
      ioRunning: true,
      sqlRunning: false,
      secondsBehindMaster: null,
      lastError: "Error 'Duplicate entry' on query",
    });
    expect(parseSlaveStatus('').configured).toBe(false);
  });

  it('splits the probe output into sections and decodes files byte for byte', () => {
    const body = 'vrrp_instance VI_1 {\n}'; // no final newline: must survive
    const out = [
      `${MARK}addr`,
      LVS2_ADDR,
      `${MARK}keepalived`,
      'running',
      `${MARK}file:/etc/keepalived/keepalived.conf`,
      Buffer.from(body).toString('base64'),
      `${MARK}nofile:/etc/x`,
      '',
    ].join('\n');
    const r = readingFromOutput('lvs2', out, 5);
    expect(r.keepalived).toBe('running');
    expect(r.ipvs).toBeUndefined();
    expect(r.files.get('/etc/keepalived/keepalived.conf')).toBe(body);
    expect(r.files.get('/etc/x')).toBeNull();
    expect(r.mysql).toBeUndefined();
  });

  it('quotes file paths in the probe script', () => {
    expect(probeScript(["/etc/it's.conf"]).text).toContain(`base64 < '/etc/it'\\''s.conf'`);
  });
});

describe('status report', () => {
  const model: ClusterModel = {
    services: [
      {
        vip: '10.0.7.247',
        prefix: 24,
        port: 80,
        protocol: 'TCP',
        algorithm: 'wlc',
        forwarding: 'DR',
        delayLoop: 6,
        vrrp: { name: 'VI_1', virtualRouterId: 51, interface: 'eth0', advertInt: 1 },
        realServers: [],
      },
    ],
    directors: [
      { host: 'lvs1', address: '10.0.7.11', mode: 'keepalived', state: 'BACKUP', priority: 50, routerId: 'lvs1' },
      { host: 'lvs2', address: '10.0.7.12', mode: 'keepalived', state: 'MASTER', priority: 100, routerId: 'lvs2' },
    ],
    realServers: [],
    databases: [],
  } as ClusterModel;

  it('shows a failover: the backup holds the VIP, the master unreachable', () => {
    const lvs1 = readingFromOutput(
      'lvs1',
      `${MARK}addr\n${LVS2_ADDR.replace('10.0.7.12/', '10.0.7.11/')}\n${MARK}keepalived\nrunning\n${MARK}ipvs\n${IPVS}`,
      3,
    );
    const s = clusterStatus(model, [
      lvs1,
      { host: 'lvs2', reachable: false, ms: 2000, reason: 'no answer within 2000 ms' },
    ]);
    expect(s.vips).toEqual([{ vip: '10.0.7.247', port: 80, holders: ['lvs1'], expectedMaster: 'lvs2' }]);
    expect(s.ipvsAvailable).toBe(true);
    const text = statusLines(s).join('\n');
    expect(text).toContain('vip 10.0.7.247:80: held by lvs1  (failed over from lvs2)');
    expect(text).toContain('lvs2      UNREACHABLE (no answer within 2000 ms)');
    expect(text).toContain('-> 10.0.7.211:80 Route weight 60 active 3 inactive 12');
  });
});
