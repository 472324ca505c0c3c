import { describe, expect, it, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadClusterModel } from '../../src/cluster/derive.js';
import type { ClusterModel } from '../../src/cluster/model.js';
import {
  intersects,
  layoutTopology,
  renderGraph,
  SVG_METRICS,
  TEXT_METRICS,
  topologyOf,
  type Box,
} from '../../src/graph/index.js';
import { main } from '../../src/cli/main.js';
import type { ClusterStatus } from '../../src/status/index.js';

// The tests run from the project root, where site.yaml, the roles and ansible.cfg are.
const LAB = 'inventory/lab.ini';

/** Parses with a real XML parser (Python's minidom); throws on anything not well-formed. */
function parseXml(text: string): { ok: boolean; error: string } {
  const r = spawnSync(
    'python3',
    ['-c', 'import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())'],
    { input: text },
  );
  return { ok: r.status === 0, error: r.stderr.toString() };
}

/** The boxes of the SVG as drawn: each node's <rect>. */
function svgBoxes(svg: string): Box[] {
  const groups = [
    ...svg.matchAll(
      /<g class="node [^"]*">\s*<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"[^>]*>([\s\S]*?)<\/g>/g,
    ),
  ];
  return groups.map((m) => {
    const name = /<text[^>]*>([^<\s]+)/.exec(m[5]!)?.[1] ?? '?';
    return { id: name, x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]) };
  });
}

function overlapping(boxes: Box[]): string[] {
  const bad: string[] = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => intersects(a, b) && bad.push(`${a.id} x ${b.id}`)));
  return bad;
}

describe('graph of the bundled lab inventory', () => {
  let model: ClusterModel;
  beforeAll(() => {
    model = loadClusterModel({ inventory: [LAB] }).model;
  });

  it('reads the cluster as lvsplay run would: group_vars, host vars and role defaults', () => {
    expect(model.services).toHaveLength(1);
    const s = model.services[0]!;
    expect(s).toMatchObject({ vip: '10.0.7.247', port: 80, protocol: 'TCP', algorithm: 'wlc', forwarding: 'DR' });
    expect(s.vrrp).toMatchObject({ name: 'VI_1', virtualRouterId: 51 });
    expect(s.realServers.map((r) => [r.host, r.address, r.weight, r.check.type])).toEqual([
      ['web1', '10.0.7.211', 60, 'HTTP_GET'],
      ['web2', '10.0.7.29', 40, 'HTTP_GET'],
    ]);
    expect(model.directors.map((d) => [d.host, d.state, d.priority, d.routerId])).toEqual([
      ['lvs1', 'BACKUP', 50, 'lvs1'],
      ['lvs2', 'MASTER', 100, 'lvs2'],
    ]);
    // mysql_server_id and mysql_peer are templates in the role: they must come out rendered.
    expect(model.databases.map((d) => [d.host, d.serverId, d.replicatesFrom])).toEqual([
      ['db1', 1, 'db2'],
      ['db2', 2, 'db1'],
    ]);
  });

  it('mermaid shows every layer, the VRRP roles, the weights and mutual replication', () => {
    const m = renderGraph(model, 'mermaid');
    expect(m.startsWith('flowchart TB\n')).toBe(true);
    expect(m).toContain('vip_0["VIP 10.0.7.247:80<br/>TCP wlc DR<br/>VRRP VI_1 vrid 51"]');
    expect(m).toContain('dir_lvs1["lvs1 10.0.7.11<br/>BACKUP prio 50<br/>router_id lvs1"]');
    expect(m).toContain('dir_lvs2["lvs2 10.0.7.12<br/>MASTER prio 100<br/>router_id lvs2"]');
    expect(m).toContain('rs_web1["web1 10.0.7.211<br/>weight 60<br/>HTTP_GET :80"]');
    expect(m).toContain('rs_web2["web2 10.0.7.29<br/>weight 40<br/>HTTP_GET :80"]');
    expect(m).toContain('db_db1[("db1 10.0.7.41:3306<br/>MariaDB server_id 1")]');
    const edges = m
      .split('\n')
      .filter((l) => /-->|-\.->/.test(l))
      .map((l) => l.trim());
    expect(edges).toEqual([
      'clients -->|TCP 80| vip_0',
      'vip_0 -.->|BACKUP| dir_lvs1',
      'vip_0 -->|MASTER| dir_lvs2',
      'dir_lvs1 -.-> rs_web1',
      'dir_lvs2 --> rs_web1',
      'dir_lvs1 -.-> rs_web2',
      'dir_lvs2 --> rs_web2',
      'rs_web1 --> db_db1',
      'rs_web2 --> db_db1',
      'rs_web1 --> db_db2',
      'rs_web2 --> db_db2',
      'db_db1 <-->|replication| db_db2',
    ]);
  });

  it('dot declares every node an edge names, and Graphviz accepts it where installed', () => {
    const d = renderGraph(model, 'dot');
    expect(d).toMatch(/^digraph lvs_cluster \{\n[\s\S]*\}\n$/);
    expect(d).toContain('"dir_lvs2" [label="lvs2 10.0.7.12\\nMASTER prio 100\\nrouter_id lvs2"');
    expect(d).toContain('"rs_web1" [label="web1 10.0.7.211\\nweight 60\\nHTTP_GET :80"');
    expect(d).toContain('"vip_0" -> "dir_lvs1" [label="BACKUP", style=dashed];');
    expect(d).toContain('"db_db1" -> "db_db2" [label="replication", dir=both, constraint=false];');
    const declared = new Set([...d.matchAll(/^\s+"([^"]+)" \[label=/gm)].map((x) => x[1]));
    const used = [...d.matchAll(/^\s+"([^"]+)" -> "([^"]+)"/gm)].flatMap((x) => [x[1], x[2]]);
    expect(used.length).toBe(24);
    expect(used.filter((u) => !declared.has(u))).toEqual([]);
    const dot = spawnSync('dot', ['-Tsvg'], { input: d });
    // Graphviz is optional on the machines that run this; when present, its verdict counts.
    if (!(dot.error && (dot.error as NodeJS.ErrnoException).code === 'ENOENT')) {
      expect(dot.stderr.toString()).toBe('');
      expect(dot.status).toBe(0);
    }
  });

  it('svg is well-formed, self-contained XML with one box per host', () => {
    const svg = renderGraph(model, 'svg');
    const parsed = parseXml(svg);
    expect(parsed.error).toBe('');
    expect(parsed.ok).toBe(true);
    expect(svg).not.toMatch(/href=|<script|@import|<image/);
    expect(svgBoxes(svg).map((b) => b.id)).toEqual(['clients', 'VIP', 'lvs1', 'lvs2', 'web1', 'web2', 'db1', 'db2']);
    expect(overlapping(svgBoxes(svg))).toEqual([]);
  });

  it('the picture and the Mermaid text in docs/ are what graph draws today', () => {
    const refresh =
      'regenerate: lvsplay graph -i inventory/lab.ini --format svg -o docs/cluster-graph.svg, and the mermaid block of docs/graph.md';
    expect(readFileSync('docs/cluster-graph.svg', 'utf8'), refresh).toBe(renderGraph(model, 'svg'));
    expect(readFileSync('docs/graph.md', 'utf8'), refresh).toContain(
      `\`\`\`mermaid\n${renderGraph(model, 'mermaid')}\`\`\``,
    );
  });

  it('a parse error in the SVG would be caught (the XML check can fail)', () => {
    expect(parseXml('<svg><g></svg>').ok).toBe(false);
  });

  it('text is plain ASCII boxes, with the standby path and replication drawn', () => {
    const t = renderGraph(model, 'text');
    expect(t).toMatch(/^[\x20-\x7e\n]+$/);
    expect(t).toContain('| VIP 10.0.7.247:80 |');
    expect(t).toMatch(/\| lvs2 10\.0\.7\.12 +\|/);
    expect(t).toMatch(/\| MASTER prio 100 +\|/);
    expect(t).toMatch(/\| weight 60 +\|/);
    expect(t).toMatch(/\|<-+ replication -+>\|/);
    expect(t).toContain("':' standby path");
    // Each line of every box is closed by its right edge at the same column.
    const lines = t.split('\n');
    const top = lines.findIndex((l) => l.includes('| lvs1 10.0.7.11'));
    const right = lines[top]!.indexOf('|', lines[top]!.indexOf('lvs1'));
    expect(lines[top + 1]![right]).toBe('|');
    expect(lines[top - 1]![right]).toBe('+');
  });
});

describe('graph of a larger cluster', () => {
  let dir: string;
  let model: ClusterModel;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lvsplay-graph-'));
    writeFileSync(
      join(dir, 'big.ini'),
      [
        '[directors]',
        'dir-a ansible_host=192.0.2.11 vrrp_priority=50',
        'dir-b ansible_host=192.0.2.12 vrrp_priority=80',
        'dir-c ansible_host=192.0.2.13 vrrp_priority=150 vrrp_state=MASTER',
        '[realservers]',
        'app1.example.org ansible_host=192.0.2.21 lvs_weight=10',
        'app2.example.org ansible_host=192.0.2.22 lvs_weight=20',
        'app3.example.org ansible_host=192.0.2.23 lvs_weight=30',
        'app4.example.org ansible_host=192.0.2.24',
        '[dbservers]',
        'sql1 ansible_host=192.0.2.31',
        'sql2 ansible_host=192.0.2.32',
        '[all:vars]',
        'lvs_vip=192.0.2.100',
        'lvs_port=443',
        'lvs_algorithm=wrr',
        '',
      ].join('\n'),
    );
    // The roles' secrets must be defined for the playbook to validate; the picture shows none.
    mkdirSync(join(dir, 'group_vars'));
    writeFileSync(
      join(dir, 'group_vars', 'all.yml'),
      'vrrp_auth_pass: fixture1\nmysql_replication_password: fixture2\n',
    );
    model = loadClusterModel({ inventory: [join(dir, 'big.ini')] }).model;
  });

  it('takes the service, priorities and weights from this inventory, defaults from the role', () => {
    expect(model.services[0]).toMatchObject({ vip: '192.0.2.100', port: 443, algorithm: 'wrr' });
    expect(model.directors.map((d) => `${d.host}:${d.state}:${d.priority}`)).toEqual([
      'dir-a:BACKUP:50',
      'dir-b:BACKUP:80',
      'dir-c:MASTER:150',
    ]);
    // app4 sets no lvs_weight: the director role's lvs_default_weight (1) applies, as in keepalived.conf.
    expect(model.services[0]!.realServers.map((r) => r.weight)).toEqual([10, 20, 30, 1]);
  });

  it('3 directors and 4 real servers lay out with no two boxes overlapping, in SVG and in text', () => {
    const t = topologyOf(model);
    for (const metrics of [SVG_METRICS, TEXT_METRICS]) {
      const boxes = [...layoutTopology(t, metrics).boxes.values()];
      expect(boxes).toHaveLength(1 + 1 + 3 + 4 + 2);
      expect(overlapping(boxes)).toEqual([]);
    }
    const svg = renderGraph(model, 'svg');
    expect(parseXml(svg).ok).toBe(true);
    const drawn = svgBoxes(svg);
    expect(drawn).toHaveLength(11);
    expect(overlapping(drawn)).toEqual([]);
    // Every box is inside the picture.
    const [w, h] = [/width="(\d+)"/.exec(svg)![1], /height="(\d+)"/.exec(svg)![1]].map(Number);
    const shift = Number(/translate\(([\d.]+) 0\)/.exec(svg)![1]);
    for (const b of drawn) expect(b.x + shift + b.w <= w! && b.y + b.h <= h!).toBe(true);
  });

  it('mermaid ids are valid for host names with dots and dashes', () => {
    const m = renderGraph(model, 'mermaid');
    expect(m).toContain('vip_0 -->|MASTER| dir_dir_c');
    expect(m).toContain('vip_0 -.->|BACKUP| dir_dir_a');
    expect(m).toContain('rs_app1_example_org["app1.example.org 192.0.2.21<br/>weight 10<br/>TCP_CHECK :443"]');
    for (const l of m.split('\n').filter((x) => x.includes('-->') || x.includes('-.->'))) {
      expect(l.trim()).toMatch(/^[A-Za-z0-9_]+ (<?-->|<?-\.->)(\|[^|]+\|)? [A-Za-z0-9_]+$/);
    }
  });
});

describe('lvsplay graph (CLI)', () => {
  it('writes the chosen format to a file', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'lvsplay-graph-')), 'cluster.mmd');
    const code = await main(['node', 'lvsplay', 'graph', '-i', LAB, '--format', 'mermaid', '-o', out]);
    expect(code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('vip_0 -->|MASTER| dir_lvs2');
  });

  it('refuses an unknown format with exit code 5', async () => {
    const err: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
    try {
      expect(await main(['node', 'lvsplay', 'graph', '-i', LAB, '--format', 'png'])).toBe(5);
    } finally {
      process.stderr.write = write;
      process.exitCode = undefined;
    }
    expect(err.join('')).toContain('format must be one of text, mermaid, dot, svg');
  });

  it('--live: each box says what runs now, and the VIP follows its holder, not the configured MASTER', () => {
    const { model } = loadClusterModel({ inventory: [LAB] });
    const up = { reachable: true as const, ms: 5 };
    const live: ClusterStatus = {
      at: '2026-11-25T00:00:00.000Z',
      ipvsAvailable: true,
      vips: [{ vip: '10.0.7.247', port: 80, holders: ['lvs1'], expectedMaster: 'lvs2' }],
      directors: [
        {
          host: 'lvs1',
          ...up,
          configuredState: 'BACKUP',
          priority: 50,
          keepalived: 'running',
          vrrpState: 'MASTER',
          holds: ['10.0.7.247'],
          ipvs: [
            {
              protocol: 'TCP',
              vip: '10.0.7.247',
              port: 80,
              scheduler: 'wlc',
              flags: '',
              realServers: [
                { address: '10.0.7.211', port: 80, forward: 'Route', weight: 60, activeConns: 2, inactiveConns: 9 },
              ],
            },
          ],
          ipvsStats: undefined,
        },
        {
          host: 'lvs2',
          reachable: false,
          reason: 'no answer within 2000 ms',
          ms: 2000,
          configuredState: 'MASTER',
          priority: 100,
          holds: [],
        },
      ],
      realServers: [
        { host: 'web1', ...up, vipsOnLo: ['10.0.7.247'] },
        { host: 'web2', ...up, vipsOnLo: [] },
      ],
      databases: [
        {
          host: 'db1',
          ...up,
          serverId: 1,
          replication: {
            configured: true,
            masterHost: '10.0.7.42',
            ioRunning: true,
            sqlRunning: true,
            secondsBehindMaster: 0,
            lastError: undefined,
          },
          error: undefined,
        },
        {
          host: 'db2',
          ...up,
          serverId: 2,
          replication: {
            configured: true,
            masterHost: '10.0.7.41',
            ioRunning: false,
            sqlRunning: true,
            secondsBehindMaster: null,
            lastError: undefined,
          },
          error: undefined,
        },
      ],
    };
    const t = topologyOf(model, live);
    const lines = (id: string) => t.nodes.find((n) => n.id === id)!.lines.at(-1);
    expect(lines('dir_lvs1')).toBe('now: MASTER, holds 10.0.7.247');
    expect(lines('dir_lvs2')).toBe('now: UNREACHABLE');
    expect(lines('rs_web1')).toBe('now: VIP on lo yes, IPVS w60 2/9 conns');
    expect(lines('rs_web2')).toBe('now: VIP on lo NO');
    expect(lines('db_db2')).toBe('now: IO No, SQL Yes, ?s behind');
    const style = (from: string, to: string) => t.edges.find((e) => e.from === from && e.to === to)?.style;
    expect([style('vip_0', 'dir_lvs1'), style('vip_0', 'dir_lvs2')]).toEqual(['solid', 'dashed']);
    // Without --live the picture is the inventory's: lvs2 is the MASTER.
    const configured = topologyOf(model);
    expect([
      configured.edges.find((e) => e.from === 'vip_0' && e.to === 'dir_lvs1')?.style,
      configured.edges.find((e) => e.from === 'vip_0' && e.to === 'dir_lvs2')?.style,
    ]).toEqual(['dashed', 'solid']);
  });
});
