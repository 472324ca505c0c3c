// The verify checklist judged on readings: a VIP on both directors, duplicate server_ids and
// stopped replication each fail, with what was found.
import { describe, expect, it } from 'vitest';
import { verifyChecks } from '../../src/verify/checks.js';
import { readingFromOutput } from '../../src/status/reading.js';
import { MARK } from '../../src/status/probe.js';
import type { ClusterModel } from '../../src/cluster/model.js';

const model = {
  services: [{ vip: '10.0.7.247', prefix: 24, port: 80, protocol: 'TCP', algorithm: 'wlc', forwarding: 'DR', delayLoop: 6, vrrp: undefined, realServers: [] }],
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

const director = (host: string) => readingFromOutput(host, `${MARK}addr\n2: eth0    inet 10.0.7.247/24 scope global secondary eth0:vip\\ x\n${MARK}keepalived\nrunning\n`, 1);
const db = (host: string, io: string, id: number) =>
  readingFromOutput(host, `${MARK}mysql_slave\nMaster_Host: x\nSlave_IO_Running: ${io}\nSlave_SQL_Running: Yes\nSeconds_Behind_Master: 0\n${MARK}mysql_server_id\n${id}\n`, 1);

describe('verify checks', () => {
  it('fails when both directors hold the VIP, when server_ids collide and when a thread stopped', () => {
    const checks = verifyChecks({ model, probes: [director('lvs1'), director('lvs2'), db('db1', 'Yes', 1), db('db2', 'No', 1)], rendered: new Map() });
    const failed = checks.filter((c) => !c.ok).map((c) => [c.id, c.host, c.detail]);
    expect(failed).toEqual([
      ['vip-holder', undefined, 'held by lvs1, lvs2'],
      ['replication', 'db2', 'IO No, SQL Yes, from x, 0s behind'],
      ['server-ids', undefined, 'db1, db2=1'],
    ]);
  });

  it('an unreachable host is a failed check', () => {
    const checks = verifyChecks({ model, probes: [{ host: 'lvs2', reachable: false, ms: 2000, reason: 'no answer within 2000 ms' }], rendered: new Map() });
    expect(checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(['reachable', 'vip-holder']);
  });
});
