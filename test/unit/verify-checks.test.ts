// The verify checklist judged on readings: a VIP on both directors, duplicate server_ids and
// stopped replication each fail, with what was found.
import { describe, expect, it } from 'vitest';
import { ipvsChecks, verifyChecks } from '../../src/verify/checks.js';
import { arpRepliers } from '../../src/verify/from-controller.js';
import { readingFromOutput } from '../../src/status/reading.js';
import { MARK } from '../../src/status/probe.js';
import type { ClusterModel } from '../../src/cluster/model.js';

const model = {
  services: [
    {
      vip: '10.0.7.247',
      prefix: 24,
      port: 80,
      protocol: 'TCP',
      algorithm: 'wlc',
      forwarding: 'DR',
      delayLoop: 6,
      vrrp: undefined,
      realServers: [],
    },
  ],
  directors: [
    { host: 'lvs1', address: '10.0.7.11', mode: 'keepalived', state: 'BACKUP', priority: 50, routerId: 'lvs1' },
    { host: 'lvs2', address: '10.0.7.12', mode: 'keepalived', state: 'MASTER', priority: 100, routerId: 'lvs2' },
  ],
  realServers: [],
  databases: [
    { host: 'db1', address: '10.0.7.41', port: 3306, serverId: 1, replicatesFrom: 'db2', clients: [] },
    { host: 'db2', address: '10.0.7.42', port: 3306, serverId: 2, replicatesFrom: 'db1', clients: [] },
  ],
} as ClusterModel;

const director = (host: string) =>
  readingFromOutput(
    host,
    `${MARK}addr\n2: eth0    inet 10.0.7.247/24 scope global secondary eth0:vip\\ x\n${MARK}keepalived\nrunning\n`,
    1,
  );
const db = (host: string, io: string, id: number) =>
  readingFromOutput(
    host,
    `${MARK}mysql_slave\nMaster_Host: x\nSlave_IO_Running: ${io}\nSlave_SQL_Running: Yes\nSeconds_Behind_Master: 0\n${MARK}mysql_server_id\n${id}\n`,
    1,
  );

describe('verify checks', () => {
  it('fails when both directors hold the VIP, when server_ids collide and when a thread stopped', () => {
    const checks = verifyChecks({
      model,
      probes: [director('lvs1'), director('lvs2'), db('db1', 'Yes', 1), db('db2', 'No', 1)],
      rendered: new Map(),
    });
    const failed = checks.filter((c) => !c.ok).map((c) => [c.id, c.host, c.detail]);
    expect(failed).toEqual([
      ['vip-holder', undefined, 'held by lvs1, lvs2'],
      ['replication', 'db2', 'IO No, SQL Yes, from x, 0s behind'],
      ['server-ids', undefined, 'db1, db2=1'],
    ]);
  });

  it('an unreachable host is a failed check', () => {
    const lvs1 = readingFromOutput('lvs1', `${MARK}addr\n2: eth0    inet 10.0.7.11/24 scope global eth0\\ x\n`, 1);
    const checks = verifyChecks({
      model,
      probes: [lvs1, { host: 'lvs2', reachable: false, ms: 2000, reason: 'no answer within 2000 ms' }],
      rendered: new Map(),
    });
    expect(checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['reachable', 'vip-holder']);
  });

  it('judges a cluster-wide check only when every host it needs was read (--limit)', () => {
    const checks = verifyChecks({ model, probes: [director('lvs2'), db('db1', 'Yes', 1)], rendered: new Map() });
    // No vip-holder (lvs1 was not read) and no server-ids (db2 was not read).
    expect(checks.map((c) => c.id)).toEqual(['replication']);
  });
});

describe('the IPVS table against the inventory', () => {
  const check = { type: 'TCP_CHECK', port: 80, connectTimeout: 3, retries: 3 };
  const services = [
    {
      ...model.services[0]!,
      realServers: [
        { host: 'web1', address: '10.0.7.211', port: 80, weight: 60, check },
        { host: 'web2', address: '10.0.7.29', port: 80, weight: 40, check },
      ],
    },
  ];
  // /proc/net/ip_vs as the kernel prints it: addresses and ports in hex.
  const table = (rows: string) =>
    readingFromOutput(
      'lvs2',
      `${MARK}ipvs\nIP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n${rows}`,
      1,
    );

  it('passes when scheduler, forwarding and every weight match', () => {
    const r = table(
      'TCP  0A0007F7:0050 wlc \n  -> 0A0007D3:0050      Route   60     0          0\n  -> 0A00071D:0050      Route   40     0          0\n',
    );
    expect(ipvsChecks('lvs2', r, services)).toEqual([
      {
        id: 'ipvs-table',
        host: 'lvs2',
        title: 'IPVS service TCP 10.0.7.247:80 as the inventory says',
        ok: true,
        detail: 'wlc: 10.0.7.211:80 Route w60, 10.0.7.29:80 Route w40',
      },
    ]);
  });

  it('names each difference: scheduler, weight, forwarding, a missing and an unknown real server, an unknown service', () => {
    const r = table(
      'TCP  0A0007F7:0050 rr \n  -> 0A0007D3:0050      Masq    70     0          0\n  -> 0A0007FE:0050      Route   1      0          0\nTCP  0A0007F7:01BB wlc \n',
    );
    const checks = ipvsChecks('lvs2', r, services);
    expect(checks.map((c) => [c.ok, c.detail])).toEqual([
      [
        false,
        'scheduler rr (want wlc); web1 forwarded by Masq (want Route); web1 weight 70 (want 60); web2 10.0.7.29:80 missing (its health check may be failing); 10.0.7.254:80 is not in the inventory',
      ],
      [false, 'wlc with 0 real server(s), not in the inventory'],
    ]);
  });

  it('says nothing where the kernel has no IPVS', () => {
    expect(ipvsChecks('lvs2', director('lvs2'), services)).toEqual([]);
  });
});

describe('ARP replies', () => {
  it('lists every MAC that answered, once, as iputils arping prints them', () => {
    const out = [
      'ARPING 10.0.7.247 from 10.0.7.1 eth0',
      'Unicast reply from 10.0.7.247 [02:6C:1A:2B:3C:4D]  0.612ms',
      'Unicast reply from 10.0.7.247 [02:6C:99:88:77:66]  0.701ms',
      'Unicast reply from 10.0.7.247 [02:6C:1A:2B:3C:4D]  0.540ms',
      'Sent 3 probes (1 broadcast(s))',
      'Received 3 response(s)',
    ].join('\n');
    expect(arpRepliers(out)).toEqual(['02:6c:1a:2b:3c:4d', '02:6c:99:88:77:66']);
    expect(arpRepliers('Sent 3 probes (3 broadcast(s))\nReceived 0 response(s)\n')).toEqual([]);
  });
});
