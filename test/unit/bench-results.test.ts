// The benchmark's figures and how they are shown: statistics, result-file checks, the Markdown
// table, the SVG plot, bench inventories and the recap/time parsers.
import { readFileSync } from 'node:fs';
import { hostSubnetOf } from '../../src/lab/subnets.js';
import { describe, expect, it } from 'vitest';
import {
  benchHosts,
  benchInventoryText,
  connectionLines,
  directConnectionLines,
  labInventoryText,
} from '../../bench/src/inventory.js';
import { parseTimeLine, treeRssKb } from '../../bench/src/measure.js';
import { logTicks, renderSvg } from '../../bench/src/plot-svg.js';
import { renderMarkdown } from '../../bench/src/report-md.js';
import {
  resultProblems,
  summarise,
  withSummary,
  type BenchResults,
  type Sample,
  type Series,
} from '../../bench/src/results.js';
import { median, ratio, spread } from '../../bench/src/stats.js';
import { inController, parseRecap, scenarioFlags, toolArgv } from '../../bench/src/tools.js';
import { parseConfig, withPrefetch } from '../../bench/src/configs.js';
import { collectionVersions } from '../../bench/src/facts.js';
import { mergeResults } from '../../bench/src/merge.js';

const sample = (wallMs: number, extra: Partial<Sample> = {}): Sample => ({
  wallMs,
  cpuMs: wallMs / 2,
  userMs: wallMs / 3,
  sysMs: wallMs / 6,
  maxRssKb: 80_000,
  treeRssKb: 90_000,
  exitCode: 0,
  ...extra,
});
const series = (tool: Series['tool'], scenario: Series['scenario'], hosts: number, walls: number[]): Series => ({
  tool,
  scenario,
  hosts,
  samples: walls.map((w) => sample(w)),
});

function results(): BenchResults {
  return {
    format: 'lvsplay-bench/1',
    date: '2026-11-25T14:00:00.000Z',
    mode: 'full',
    machine: {
      cores: 2,
      cpuModel: 'Test CPU',
      memoryMb: 24_000,
      kernel: '6.1.0',
      os: 'Debian GNU/Linux 12 (bookworm)',
      node: 'v20.20.2',
      ansibleCore: '2.14.18',
      collections: { 'ansible.posix': '1.5.4' },
      lvsplay: '0.1.0',
      commit: 'abc1234',
      loadAverage: [1, 1, 1],
    },
    settings: { forks: 'equal to the host count' },
    series: [
      series('lvsplay', 'noop', 6, [1100, 1000, 1300, 1200, 1150]),
      series('ansible', 'noop', 6, [65_000, 62_000, 72_000, 66_000, 64_000]),
      series('floor', 'floor', 6, [900, 950, 1000]),
      series('lvsplay', 'noop', 20, [2600, 2500, 2700]),
      series('ansible', 'noop', 20, [200_000, 190_000, 210_000]),
      series('floor', 'floor', 20, [2500, 2400, 2600]),
    ].map(withSummary),
    siteYaml: [
      { phase: 'converge', walls: [40_000], changed: 120 },
      { phase: 'rerun', walls: [16_000, 15_000, 17_000], changed: 0 },
      { phase: 'check', walls: [14_000], changed: 0 },
    ].flatMap(({ phase, walls, changed }) => {
      const l = walls.map((w) => sample(w, { changed }));
      const a = walls.map((w) => sample(w * 9, { changed }));
      return [
        {
          hosts: 6,
          tool: 'lvsplay' as const,
          phase: phase as 'converge',
          samples: l,
          summary: summarise(l),
          problems: [],
        },
        {
          hosts: 6,
          tool: 'ansible' as const,
          phase: phase as 'converge',
          samples: a,
          summary: summarise(a),
          problems: [],
        },
      ];
    }),
    notes: ['a note'],
  };
}

describe('statistics', () => {
  it('takes the median of odd and even counts and the full range', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(spread([1200, 1000, 1100, 5000, 1050])).toEqual({ median: 1100, min: 1000, max: 5000, n: 5 });
  });
  it('gives no ratio against a missing or zero figure', () => {
    expect(ratio(65_000, 1000)).toBe(65);
    expect(ratio(65_000, undefined)).toBeUndefined();
    expect(ratio(65_000, 0)).toBeUndefined();
  });
});

describe('result file checks', () => {
  it('accepts a complete result and survives a JSON round trip', () => {
    expect(resultProblems(JSON.parse(JSON.stringify(results())))).toEqual([]);
  });
  it('names what is missing: machine facts, samples, wall times', () => {
    const r = results() as unknown as Record<string, unknown>;
    delete (r.machine as Record<string, unknown>).kernel;
    const s = (r.series as Series[])[0]!;
    s.samples[0] = { ...s.samples[0]!, wallMs: Number.NaN };
    (r.series as Series[])[1]!.samples = [];
    const problems = resultProblems(r);
    expect(problems).toContain('machine.kernel is missing');
    expect(
      problems.some((p) => p.startsWith('series[0] (lvsplay noop 6 hosts)') && p.includes('lacks wall time')),
    ).toBe(true);
    expect(problems.some((p) => p.startsWith('series[1] (ansible noop 6 hosts): no samples'))).toBe(true);
    expect(resultProblems('text')).toEqual(['the file is not a JSON object']);
    // site.yaml's figures alone (bench --site) are a result; nothing at all is not
    expect(resultProblems({ ...results(), series: [] })).toEqual([]);
    expect(resultProblems({ ...results(), series: [], siteYaml: [] })).toContain('there are no series');
  });
});

describe('Markdown table', () => {
  const md = renderMarkdown(results());
  it('shows medians with ranges, the ratio and the distance to the floor', () => {
    const row6 = md.split('\n').find((l) => l.startsWith('| 6 | no-op rerun'))!;
    expect(row6).toContain('1.15 s (1.00–1.30)');
    expect(row6).toContain('65.0 s (62.0–72.0)');
    expect(row6).toContain('| 57× |'); // 65 000 / 1150
    expect(row6).toContain('| 0.95 s (0.90–1.00) | 1.2× |');
    const row20 = md.split('\n').find((l) => l.startsWith('| 20 | no-op rerun'))!;
    expect(row20).toContain('| 77× |'); // 200 000 / 2600
  });
  it('states the machine and the versions', () => {
    expect(md).toContain('2 cores (Test CPU)');
    expect(md).toContain('ansible-core 2.14.18, ansible.posix 1.5.4');
  });
  it("shows site.yaml's converge, rerun and check side by side, and why a tool stopped", () => {
    const row = (phase: string) => md.split('\n').find((l) => l.startsWith(`| ${phase} |`))!;
    expect(row('converge')).toContain('| 40.0 s | 360 s | 9.0× |');
    expect(row('rerun')).toContain('| 16.0 s (15.0–17.0) | 144 s (135–153) | 9.0× |');
    expect(row('rerun')).toContain('| 0 / 0 |');
    expect(row('converge')).toContain('| 120 / 120 |');
    const r = results();
    const failed = [sample(3000, { exitCode: 4 })];
    r.siteYaml = [
      {
        hosts: 6,
        tool: 'ansible',
        phase: 'converge',
        samples: failed,
        summary: summarise(failed),
        problems: ["ERROR! couldn't resolve module/action 'lab_facts'"],
      },
    ];
    const text = renderMarkdown(r);
    expect(text).toContain('⚠ 1 failed');
    expect(text).toContain("ansible converge stopped: `ERROR! couldn't resolve module/action 'lab_facts'`");
  });
  it('flags a series with failed runs instead of showing it as fast', () => {
    const r = results();
    r.series[0] = withSummary({ ...r.series[0]!, samples: [sample(300, { exitCode: 2 }), sample(310)] });
    expect(
      renderMarkdown(r)
        .split('\n')
        .find((l) => l.startsWith('| 6 | no-op rerun')),
    ).toContain('⚠ 1 failed');
  });
});

/** Every element opened is closed, in order: enough to catch broken SVG text. */
function balanced(xml: string): boolean {
  const stack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (!m[1]) stack.push(m[2]!);
    else if (stack.pop() !== m[2]) return false;
  }
  return stack.length === 0;
}

describe('SVG plot', () => {
  const svg = renderSvg(results());
  it('is balanced SVG with a series per tool and scenario and a legend', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(balanced(svg)).toBe(true);
    for (const tool of ['lvsplay', 'ansible', 'floor']) expect(svg).toContain(`data-tool="${tool}"`);
    expect(svg).toContain('>ansible-playbook, no-op rerun</text>');
    expect(svg).not.toContain('NaN');
  });
  it('draws ansible-playbook above lvsplay and more hosts further right', () => {
    const point = (tool: string, hosts: number) => {
      const g = new RegExp(`data-tool="${tool}" data-scenario="(noop|floor)">[\\s\\S]*?</g>`).exec(svg)![0];
      const c = [...g.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => ({
        x: Number(m[1]),
        y: Number(m[2]),
      }));
      return c[hosts === 6 ? 0 : 1]!;
    };
    expect(point('ansible', 6).y).toBeLessThan(point('lvsplay', 6).y);
    expect(point('lvsplay', 20).x).toBeGreaterThan(point('lvsplay', 6).x);
    expect(point('lvsplay', 20).y).toBeLessThan(point('lvsplay', 6).y); // slower with more hosts
  });
  it('labels the log axis in 1-2-5 steps', () => {
    expect(logTicks(0.5, 300)).toEqual([0.5, 1, 2, 5, 10, 20, 50, 100, 200]);
  });
});

describe('bench inventories', () => {
  const labIni = readFileSync(new URL('../../inventory/lab.ini', import.meta.url), 'utf8');
  it('copies the lab connection settings line for line', () => {
    const lines = connectionLines(labIni);
    expect(lines.some((l) => l.startsWith('ansible_ssh_common_args=') && l.includes('ProxyCommand'))).toBe(true);
    const text = benchInventoryText(benchHosts(3), labIni);
    for (const l of lines) expect(text).toContain(l);
    expect(text).toContain(
      '[bench]\nbench01 ansible_host=10.0.7.101\nbench02 ansible_host=10.0.7.102\nbench03 ansible_host=10.0.7.103\n',
    );
  });
  it('leaves only the ProxyCommand out for direct TCP from the controller namespace', () => {
    const direct = directConnectionLines(labIni);
    const proxy = connectionLines(labIni);
    expect(direct).toHaveLength(proxy.length);
    const args = direct.find((l) => l.startsWith('ansible_ssh_common_args='))!;
    expect(args).toBe(
      "ansible_ssh_common_args='-o UserKnownHostsFile=/var/lib/lvsplay/lab/known_hosts -o StrictHostKeyChecking=yes'",
    );
    for (const l of proxy.filter((x) => !x.startsWith('ansible_ssh_common_args='))) expect(direct).toContain(l);
    const text = benchInventoryText(benchHosts(2), labIni, 'direct');
    expect(text).not.toContain('ProxyCommand=');
    expect(text).toContain('bench02 ansible_host=10.0.7.102');
    expect(inController(['node', 'x.js'])).toEqual(['ip', 'netns', 'exec', 'lvsplay-ctl', 'node', 'x.js']);
  });
  it('keeps clear of the cluster addresses and names at 50 hosts', () => {
    const hosts = benchHosts(50);
    expect(hosts.at(-1)).toEqual({ name: 'bench50', address: '10.0.7.150' });
    for (const a of ['10.0.7.11', '10.0.7.12', '10.0.7.29', '10.0.7.41', '10.0.7.42', '10.0.7.211', '10.0.7.247']) {
      expect(hosts.map((h) => h.address)).not.toContain(a);
    }
    expect(() => benchHosts(0)).toThrow(RangeError);
  });
  it('goes on in the wide subnet beyond 99 hosts: 500 distinct lab host addresses', () => {
    const hosts = benchHosts(500);
    expect(hosts.slice(98, 101)).toEqual([
      { name: 'bench99', address: '10.0.7.199' },
      { name: 'bench100', address: '10.0.8.2' },
      { name: 'bench101', address: '10.0.8.3' },
    ]);
    expect(hosts.at(-1)).toEqual({ name: 'bench500', address: '10.0.9.146' });
    expect(new Set(hosts.map((h) => h.address)).size).toBe(500);
    expect(hosts.filter((h) => !hostSubnetOf(h.address))).toEqual([]);
    expect(benchHosts(1000).filter((h) => !hostSubnetOf(h.address))).toEqual([]);
    expect(() => benchHosts(1001)).toThrow(RangeError);
  });
  it('keeps the cluster hosts in the lab inventory only when asked', () => {
    expect(labInventoryText(benchHosts(1), labIni, true)).toContain('lvs1 ansible_host=10.0.7.11');
    expect(labInventoryText(benchHosts(1), labIni, false)).not.toContain('lvs1');
  });
});

describe('tool runs and their output', () => {
  it('gives both tools the same playbook, inventory, forks and flags', () => {
    const r = { playbook: 'p.yaml', inventory: 'i.ini', forks: 20, scenario: 'check-change' as const };
    const l = toolArgv('lvsplay', '/proj', r);
    const a = toolArgv('ansible', '/proj', r);
    expect(l.slice(2)).toEqual([
      'run',
      'p.yaml',
      '-i',
      'i.ini',
      '-f',
      '20',
      '--check',
      '-e',
      'bench_change=one-change',
    ]);
    expect(a).toEqual([
      'ansible-playbook',
      'p.yaml',
      '-i',
      'i.ini',
      '-f',
      '20',
      '--check',
      '-e',
      'bench_change=one-change',
    ]);
    expect(scenarioFlags('noop')).toEqual([]);
  });
  it('sums the recap over hosts', () => {
    const out = `PLAY RECAP *********\nbench01                    : ok=15   changed=0    unreachable=0    failed=0    skipped=0\nbench02 : ok=15 changed=3 unreachable=0 failed=1 skipped=0\n`;
    expect(parseRecap(out)).toEqual({ hosts: 2, ok: 30, changed: 3, unreachable: 0, failed: 1 });
    expect(parseRecap('ERROR! no play')).toBeUndefined();
  });
  it("reads GNU time's line, even after a signal notice", () => {
    expect(parseTimeLine('1.52 0.84 0.21 81234 0\n')).toEqual({
      userMs: 840,
      sysMs: 210,
      maxRssKb: 81234,
      exitCode: 0,
    });
    expect(parseTimeLine('Command exited with non-zero status 2\n3.00 1.00 0.50 1000 2\n')?.exitCode).toBe(2);
    expect(parseTimeLine('garbage')).toBeUndefined();
  });
  it('sums RSS over a process and its descendants only', () => {
    const table = new Map<number, [number, number]>([
      [10, [1, 100]],
      [11, [10, 50]],
      [12, [11, 25]],
      [20, [1, 1000]],
    ]);
    expect(treeRssKb(10, table)).toBe(175);
  });
  it("reads collection versions from ansible-galaxy's JSON", () => {
    const json = JSON.stringify({
      '/usr/lib/python3/dist-packages/ansible_collections': {
        'ansible.posix': { version: '1.5.4' },
        'community.mysql': { version: '3.7.2' },
        'x.y': { version: '1' },
      },
    });
    expect(collectionVersions(json)).toEqual({ 'ansible.posix': '1.5.4', 'community.mysql': '3.7.2' });
  });
});

describe('merging results taken in parts', () => {
  it('joins host counts into one table; a series measured again replaces the earlier one', () => {
    const a = results();
    const b = {
      ...results(),
      date: '2026-11-25T15:00:00.000Z',
      series: [withSummary(series('lvsplay', 'noop', 50, [4000, 4200, 4100]))],
      notes: ['b note'],
    };
    const m = mergeResults([a, b]);
    expect(m.series.map((s) => s.hosts)).toEqual([6, 6, 6, 20, 20, 20, 50]);
    expect(m.notes).toEqual(['a note', 'b note']);
    expect(renderMarkdown(m)).toContain('| 50 | no-op rerun | 4.10 s (4.00–4.20) | – |');
    const again = {
      ...results(),
      date: '2026-11-25T16:00:00.000Z',
      series: [withSummary(series('lvsplay', 'noop', 6, [900, 950, 1000]))],
      notes: [],
    };
    const r = mergeResults([a, again]);
    expect(
      r.series
        .filter((s) => s.tool === 'lvsplay' && s.hosts === 6 && s.scenario === 'noop')
        .map((s) => s.summary.wallMs.median),
    ).toEqual([950]);
    expect(r.notes).toContain('lvsplay noop on 6 hosts: re-measured 2026-11-25T16:00; the earlier series is replaced');
  });
});

describe('bench configurations', () => {
  it('reads how the tools connect and what is added', () => {
    expect(parseConfig('direct')).toEqual({ name: 'direct', connection: 'direct', delayMs: 0, lvsplayOnly: false });
    expect(parseConfig('proxy+delay100+prefetch+lvsplay')).toEqual({
      name: 'proxy-delay100-prefetch-lvsplay',
      connection: 'proxy',
      delayMs: 100,
      prefetch: true,
      lvsplayOnly: true,
    });
    expect(withPrefetch({ A: '1' }, false)).toEqual({ A: '1', LVSPLAY_PREFETCH: '0' });
    expect(withPrefetch({ A: '1' }, undefined)).toEqual({ A: '1' });
  });
  it('refuses an unknown way in or part, naming it', () => {
    expect(() => parseConfig('ssh')).toThrow(/must start with direct or proxy/);
    expect(() => parseConfig('direct+fast')).toThrow(/unknown part "fast"/);
  });
});
