// Each model rule: a cluster that breaks it fires it, the clean cluster does not.
import { describe, expect, test } from 'vitest';
import { runRules } from '../../src/lint/index.js';
import { DEFAULT_SETTINGS } from '../../src/lint/rule.js';
import { MODEL_RULES } from '../../src/lint/rules/index.js';
import type { ClusterModel, VrrpInstance } from '../../src/lint/types.js';

const at = (line: number) => ({ file: 'inv.ini', line, col: 1 });

function vrrp(owner: string, address: string, priority: number, state: string): VrrpInstance {
  return {
    name: 'VI_1',
    owner,
    ownAddress: address,
    state,
    interface: 'eth0',
    vrid: 51,
    priority,
    advertInt: 1,
    nopreempt: false,
    vips: ['10.0.7.247/24'],
    interfaceSubnet: `${address}/24`,
    unicastPeers: [],
    strict: false,
    pos: { priority: at(priority), state: at(2) },
  };
}

function clean(): ClusterModel {
  const check = { type: 'TCP_CHECK', connectTimeout: 3, retry: 2, delayBeforeRetry: 1, pos: {} };
  const service = (owner: string) => ({
    owner,
    vip: '10.0.7.247',
    port: 80,
    kind: 'DR',
    algorithm: 'wlc',
    delayLoop: 6,
    pos: {},
    realServers: [
      { address: '10.0.7.211', host: 'web1', port: 80, weight: 60, checks: [check], pos: { weight: at(14) } },
      { address: '10.0.7.29', host: 'web2', port: 80, weight: 40, checks: [check], pos: { weight: at(15) } },
    ],
  });
  const web = (name: string, address: string) => ({
    name,
    address,
    vip: '10.0.7.247',
    vipPrefix: 32,
    arpIgnore: { all: 1, lo: 1 },
    arpAnnounce: { all: 2, lo: 2 },
    openPorts: [80],
    pos: {},
  });
  return {
    directors: [
      { name: 'lvs1', address: '10.0.7.11', pos: {} },
      { name: 'lvs2', address: '10.0.7.12', pos: {} },
    ],
    vrrp: [vrrp('lvs1', '10.0.7.11', 50, 'BACKUP'), vrrp('lvs2', '10.0.7.12', 100, 'MASTER')],
    services: [service('lvs1'), service('lvs2')],
    realServerHosts: [web('web1', '10.0.7.211'), web('web2', '10.0.7.29')],
    dbMasters: [
      {
        name: 'db1',
        serverId: 1,
        autoIncrementIncrement: 2,
        autoIncrementOffset: 1,
        logBin: true,
        allowedClients: ['db2', 'web1', 'web2'],
        pos: {},
      },
      {
        name: 'db2',
        serverId: 2,
        autoIncrementIncrement: 2,
        autoIncrementOffset: 2,
        logBin: true,
        allowedClients: ['db1', 'web1', 'web2'],
        pos: {},
      },
    ],
    keywords: [{ keyword: 'retry' }, { keyword: 'delay_before_retry' }, { keyword: 'connect_port' }],
    realServersGroup: ['web1', 'web2', '10.0.7.211', '10.0.7.29'],
    vrrpAcceptFrom: { lvs1: ['10.0.7.12'], lvs2: ['10.0.7.11'] },
  };
}

const fired = (m: ClusterModel, seconds = 30) => runRules(m, { ...DEFAULT_SETTINGS, failureDetectionSeconds: seconds });
const ids = (m: ClusterModel) => [...new Set(fired(m).map((f) => f.rule))].sort();

const cases: Array<[string, (m: ClusterModel) => void]> = [
  [
    'vrrp-router-id-unique',
    (m) => m.vrrp.push({ ...vrrp('lvs3', '10.0.7.13', 10, 'BACKUP'), name: 'VI_OTHER', vips: ['10.0.7.248/24'] }),
  ],
  [
    'vrrp-priority-range',
    (m) => {
      m.vrrp[1]!.priority = 255;
    },
  ],
  [
    'vrrp-priority-distinct',
    (m) => {
      m.vrrp[0]!.priority = 100;
      m.vrrp[0]!.state = 'BACKUP';
      m.vrrp[1]!.state = 'BACKUP';
    },
  ],
  [
    'vrrp-single-master',
    (m) => {
      m.vrrp[0]!.state = 'MASTER';
    },
  ],
  [
    'vrrp-master-highest',
    (m) => {
      m.vrrp[0]!.state = 'MASTER';
      m.vrrp[1]!.state = 'BACKUP';
    },
  ],
  [
    'vrrp-nopreempt-backup',
    (m) => {
      m.vrrp[1]!.nopreempt = true;
    },
  ],
  [
    'vrrp-peers-agree',
    (m) => {
      m.vrrp[1]!.advertInt = 3;
    },
  ],
  [
    'vrrp-auth-pass',
    (m) => {
      for (const v of m.vrrp) {
        v.authType = 'PASS';
        v.authPass = 'x';
      }
    },
  ],
  [
    'vrrp-strict-conflict',
    (m) => {
      for (const v of m.vrrp) v.strict = true;
      m.vrrp[0]!.unicastPeers = ['10.0.7.12'];
      m.vrrp[1]!.unicastPeers = ['10.0.7.11'];
    },
  ],
  [
    'vrrp-unicast-peers',
    (m) => {
      m.vrrp[0]!.unicastPeers = ['10.0.7.11'];
      m.vrrp[1]!.unicastPeers = ['10.0.7.11'];
    },
  ],
  [
    'lvs-dr-port',
    (m) => {
      m.services[0]!.realServers[0]!.port = 8080;
    },
  ],
  [
    'lvs-kind-explicit',
    (m) => {
      for (const s of m.services) delete s.kind;
    },
  ],
  [
    'lvs-scheduler',
    (m) => {
      for (const s of m.services) s.algorithm = 'loadbalance';
    },
  ],
  [
    'lvs-realserver-in-group',
    (m) => {
      m.services[0]!.realServers.push({ address: '10.0.7.99', port: 80, weight: 1, checks: [], pos: {} });
    },
  ],
  [
    'lvs-director-not-realserver',
    (m) => {
      m.realServerHosts.push({ ...m.realServerHosts[0]!, name: 'lvs1', address: '10.0.7.11' });
    },
  ],
  [
    'lvs-realserver-subnet',
    (m) => {
      for (const s of m.services) s.realServers[0]!.address = '10.0.9.211';
      m.realServersGroup!.push('10.0.9.211');
    },
  ],
  [
    'lvs-vip-subnet',
    (m) => {
      for (const v of m.vrrp) v.vips = ['10.0.8.247/24'];
    },
  ],
  [
    'lvs-weights-zero',
    (m) => {
      for (const s of m.services) for (const r of s.realServers) r.weight = 0;
    },
  ],
  [
    'lvs-failure-detection',
    (m) => {
      for (const s of m.services)
        for (const r of s.realServers) r.checks = [{ type: 'TCP_CHECK', connectTimeout: 20, retry: 3, pos: {} }];
    },
  ],
  [
    'lvs-persistence-quiescent',
    (m) => {
      for (const s of m.services) {
        s.persistenceTimeout = 300;
        s.quiescent = true;
      }
    },
  ],
  [
    'rs-vip-lo-32',
    (m) => {
      m.realServerHosts[0]!.vipPrefix = 24;
    },
  ],
  [
    'rs-arp-sysctls',
    (m) => {
      m.realServerHosts[0]!.arpIgnore = { lo: 1 };
    },
  ],
  [
    'fw-vrrp-directors',
    (m) => {
      m.vrrpAcceptFrom!.lvs1 = ['192.168.1.12'];
    },
  ],
  [
    'fw-service-port',
    (m) => {
      m.realServerHosts[1]!.openPorts = [8080];
    },
  ],
  [
    'fw-mysql-access',
    (m) => {
      m.dbMasters[0]!.allowedClients = ['db2'];
    },
  ],
  [
    'db-server-id-unique',
    (m) => {
      m.dbMasters[1]!.serverId = 1;
    },
  ],
  [
    'db-auto-increment',
    (m) => {
      m.dbMasters[1]!.autoIncrementOffset = 1;
    },
  ],
  [
    'db-binlog',
    (m) => {
      m.dbMasters[0]!.logBin = false;
    },
  ],
  [
    'db-gtid-agree',
    (m) => {
      m.dbMasters[0]!.gtidStrictMode = true;
    },
  ],
  [
    'keepalived-deprecated-keyword',
    (m) => {
      m.keywords.push({ keyword: 'nb_get_retry', pos: at(30) });
    },
  ],
  [
    'keepalived-unknown-keyword',
    (m) => {
      m.keywords.push({ keyword: 'lb_algorr', pos: at(31) });
    },
  ],
];

describe('model rules', () => {
  test('the clean cluster fires nothing', () => {
    expect(fired(clean())).toEqual([]);
  });

  test('every model rule has a firing case', () => {
    expect(cases.map(([id]) => id).sort()).toEqual(MODEL_RULES.map((r) => r.id).sort());
  });

  test.each(cases)('%s fires on a cluster that breaks it, and only it', (id, breakIt) => {
    const m = clean();
    breakIt(m);
    expect(ids(m)).toContain(id);
    const f = fired(m).find((x) => x.rule === id)!;
    expect(f.message.length).toBeGreaterThan(10);
    expect(f.why.length).toBeGreaterThan(10);
    expect(f.fix.length).toBeGreaterThan(5);
  });

  test('a MASTER with a lower priority points at its state', () => {
    const m = clean();
    m.vrrp[0]!.state = 'MASTER';
    m.vrrp[1]!.state = 'BACKUP';
    const f = fired(m).find((x) => x.rule === 'vrrp-master-highest')!;
    expect(f.message).toBe('lvs1 is MASTER with priority 50 but lvs2 has 100 in VI_1');
    expect(f.pos).toEqual(at(2));
  });

  test('VRRP ids may repeat on different segments', () => {
    const m = clean();
    m.vrrp.push({ ...vrrp('lvs3', '192.168.5.3', 10, 'BACKUP'), name: 'VI_OTHER', vips: ['192.168.5.247/24'] });
    expect(ids(m)).not.toContain('vrrp-router-id-unique');
  });

  test('failure detection counts delay_loop, every attempt and the pauses (the seed: 89 s)', () => {
    const m = clean();
    for (const s of m.services)
      for (const r of s.realServers) r.checks = [{ type: 'TCP_CHECK', connectTimeout: 20, retry: 3, pos: {} }];
    expect(fired(m).find((f) => f.rule === 'lvs-failure-detection')!.message).toContain('89 s');
    expect(fired(m, 90).map((f) => f.rule)).not.toContain('lvs-failure-detection');
  });

  test('arp settings on all alone satisfy the kernel (it takes the larger of all and the interface)', () => {
    const m = clean();
    m.realServerHosts[0]!.arpIgnore = { all: 1 };
    m.realServerHosts[0]!.arpAnnounce = { all: 2 };
    m.realServerHosts[0]!.interface = 'eth0';
    expect(ids(m)).not.toContain('rs-arp-sysctls');
  });
});
