// The start-up bench's figures: load average, run order, summaries, targets and the Markdown.
import { describe, expect, it } from 'vitest';
import {
  evaluateTargets,
  parseLoadavg,
  renderStartupMarkdown,
  rotation,
  startupCommands,
  startupProblems,
  startupSeries,
  type StartupResults,
  type StartupSample,
} from '../../bench/src/startup.js';

const sample = (wallMs: number, extra: Partial<StartupSample> = {}): StartupSample => ({
  wallMs,
  cpuMs: wallMs * 0.9,
  userMs: wallMs * 0.8,
  sysMs: wallMs * 0.1,
  maxRssKb: 50_000,
  exitCode: 0,
  load1: 0.5,
  ...extra,
});

const cmds = startupCommands('/p', '/usr/bin/node', '/tmp/x/bench.ini');
const byName = (n: string) => cmds.find((c) => c.name === n)!;

describe('start-up bench', () => {
  it('reads the three load averages of /proc/loadavg', () => {
    expect(parseLoadavg('0.52 1.58 10.59 1/123 4567\n')).toEqual([0.52, 1.58, 10.59]);
    expect(parseLoadavg('garbage')).toBeUndefined();
  });

  it('rotates the command order by one each run, so none always goes first', () => {
    expect(rotation(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotation(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotation(['a', 'b', 'c'], 5)).toEqual(['c', 'a', 'b']);
    expect(rotation([], 3)).toEqual([]);
  });

  it('times both tools on the same playbooks, and the Node floor', () => {
    expect(cmds.map((c) => c.tool)).toEqual(expect.arrayContaining(['node', 'lvsplay', 'ansible']));
    expect(byName('lvsplay run site.yaml --syntax-check').argv).toEqual([
      '/usr/bin/node',
      '/p/bin/lvsplay.js',
      'run',
      '/p/playbooks/site.yaml',
      '-i',
      '/p/inventory/lab.ini',
      '--syntax-check',
    ]);
    expect(byName('ansible-playbook site.yaml --syntax-check').argv.slice(1)).toEqual([
      '/p/playbooks/site.yaml',
      '-i',
      '/p/inventory/lab.ini',
      '--syntax-check',
    ]);
    expect(byName('ansible-playbook common.yaml --syntax-check').argv).toContain('/tmp/x/bench.ini');
  });

  it('times an earlier build on the same playbook when given one', () => {
    const withBase = startupCommands('/p', '/usr/bin/node', '/tmp/x/bench.ini', { dir: '/old', label: 'abc1234' });
    expect(withBase.length).toBe(cmds.length + 2);
    expect(withBase.find((c) => c.name === 'lvsplay@abc1234 run site.yaml --syntax-check')!.argv).toEqual([
      '/usr/bin/node',
      '/old/bin/lvsplay.js',
      'run',
      '/p/playbooks/site.yaml',
      '-i',
      '/p/inventory/lab.ini',
      '--syntax-check',
    ]);
    expect(withBase.find((c) => c.name === 'lvsplay@abc1234 --help')!.argv).toEqual([
      '/usr/bin/node',
      '/old/bin/lvsplay.js',
      '--help',
    ]);
  });

  it('summarises a series: median and range, failed runs and their exit codes', () => {
    const s = startupSeries(byName('lvsplay --help'), '/p', [sample(90), sample(70), sample(300, { exitCode: 1 })]);
    expect(s.command).toBe('node bin/lvsplay.js --help');
    expect(s.summary.wallMs).toEqual({ median: 90, min: 70, max: 300, n: 3 });
    expect(s.summary.failed).toBe(1);
    expect(s.summary.exitCodes).toEqual([0, 1]);
  });

  it('shows environment and the temporary inventory by name in the command line', () => {
    const s = startupSeries(byName('ansible-playbook common.yaml --syntax-check'), '/p', [sample(400)], {
      '/tmp/x/bench.ini': '<bench inventory>',
    });
    expect(s.command).toBe(
      'ANSIBLE_CONFIG=bench/ansible.cfg ansible-playbook bench/playbooks/common.yaml -i <bench inventory> --syntax-check',
    );
  });

  it('a target is met by a median under its limit, and never by a series whose runs failed', () => {
    const help = startupSeries(byName('lvsplay --help'), '/p', [sample(80), sample(95), sample(120)]);
    const check = startupSeries(byName('lvsplay run site.yaml --syntax-check'), '/p', [
      sample(150, { exitCode: 4 }),
      sample(150, { exitCode: 4 }),
    ]);
    const t = evaluateTargets([help, check]);
    expect(t).toEqual([
      { series: 'lvsplay --help', limitMs: 100, medianMs: 95, met: true },
      { series: 'lvsplay run site.yaml --syntax-check', limitMs: 200, medianMs: 150, met: false },
    ]);
    expect(evaluateTargets([help], [{ series: 'missing', limitMs: 1 }])[0]!.met).toBe(false);
  });

  it('renders the table with load, targets and commands; a well-formed file has no problems', () => {
    const series = [startupSeries(byName('lvsplay --help'), '/p', [sample(80.4), sample(96.6)])];
    const r: StartupResults = {
      format: 'lvsplay-bench-startup/1',
      date: '2026-12-07T05:00:00.000Z',
      machine: {
        cores: 2,
        cpuModel: 'Test CPU',
        memoryMb: 1024,
        kernel: '6.1',
        os: 'Debian',
        node: 'v20.20.2',
        ansibleCore: '2.14.18',
        collections: {},
        lvsplay: '0.1.0',
        commit: 'abc1234',
        loadAverage: [0.5, 0.4, 0.3],
      },
      settings: { runs: 2 },
      loadBefore: [0.5, 0.4, 0.3],
      loadAfter: [0.7, 0.5, 0.3],
      load1: { median: 0.6, min: 0.5, max: 0.7, n: 2 },
      series,
      targets: evaluateTargets(series),
      notes: ['a note'],
    };
    const md = renderStartupMarkdown(r);
    expect(md).toContain('| `lvsplay --help` | 89 (80–97) | 80 | 49 | 0 |');
    expect(md).toContain('0.5 0.4 0.3 before, 0.7 0.5 0.3 after');
    expect(md).toContain('- `lvsplay --help` under 100 ms: median 89 ms, met');
    expect(md).toContain('- `lvsplay run site.yaml --syntax-check` under 200 ms: median – ms, not met');
    expect(md).toContain('- a note');
    expect(startupProblems(r)).toEqual([]);
    expect(startupProblems({ ...r, series: [] })).toEqual(['there are no series']);
    expect(startupProblems({ ...r, series: [{ ...series[0]!, samples: [sample(0)] }] })).toEqual([
      'lvsplay --help: a sample lacks wall time, CPU time or load',
    ]);
  });
});
