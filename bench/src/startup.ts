// `npm run bench -- --startup`: how long each tool takes to start, as a user meets it. No lab and
// no connection: --help, --version and --syntax-check of lvsplay beside the same of
// ansible-playbook, and `node -e 0` (the floor of any Node program), each run many times with the
// commands interleaved, so a busy spell of the shared machine falls on all of them alike. The
// machine's load (/proc/loadavg) is recorded beside every sample: a median taken under load says
// little about a quiet machine.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineFacts } from './facts.js';
import { benchHosts, benchInventoryText } from './inventory.js';
import { measure } from './measure.js';
import { settingsAndNotes } from './report-md.js';
import type { MachineFacts, Sample } from './results.js';
import { spread, type Spread } from './stats.js';

export type StartupTool = 'lvsplay' | 'ansible' | 'node';

export interface StartupCommand {
  /** Short name the series is known by: "lvsplay --help". */
  name: string;
  tool: StartupTool;
  argv: string[];
  env?: Record<string, string>;
  /** What the command is there for, when its name does not say it. */
  note?: string;
}

export interface StartupSample extends Omit<Sample, 'changed' | 'treeRssKb'> {
  /** The one-minute load average just before the run. */
  load1: number;
}

export interface StartupSeries {
  name: string;
  tool: StartupTool;
  /** The command line, with the project's directory left out. */
  command: string;
  note?: string;
  samples: StartupSample[];
  summary: { wallMs: Spread; cpuMs: Spread; maxRssKb: Spread; failed: number; exitCodes: number[] };
}

/** A target of the issue: the named series' median wall time under a limit. */
export interface StartupTarget {
  series: string;
  limitMs: number;
}

export interface StartupResults {
  format: 'lvsplay-bench-startup/1';
  date: string;
  machine: MachineFacts;
  settings: Record<string, string | number | boolean>;
  /** /proc/loadavg's three figures before the first run and after the last. */
  loadBefore: number[];
  loadAfter: number[];
  /** The one-minute load average over all samples. */
  load1: Spread;
  series: StartupSeries[];
  targets: (StartupTarget & { medianMs: number; met: boolean })[];
  notes: string[];
}

export const STARTUP_TARGETS: StartupTarget[] = [
  { series: 'lvsplay --help', limitMs: 100 },
  { series: 'lvsplay run site.yaml --syntax-check', limitMs: 200 },
];

/** The first three fields of /proc/loadavg ("0.52 0.58 0.59 1/123 4567"); os.loadavg() elsewhere. */
export function parseLoadavg(text: string): number[] | undefined {
  const m = /^\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function currentLoad(): number[] {
  try {
    const l = parseLoadavg(readFileSync('/proc/loadavg', 'utf8'));
    if (l) return l;
  } catch {
    // not Linux: fall through
  }
  return loadavg().map((x) => Number(x.toFixed(2)));
}

/**
 * The commands timed. `inventory` holds the bench group for common.yaml (lvsplay refuses a play
 * whose pattern matches no host, ansible-playbook only warns); site.yaml is checked with the
 * cluster's inventory/lab.ini, as the issue states the target.
 */
export function startupCommands(
  project: string,
  node: string,
  benchInventory: string,
  baseline?: Baseline,
): StartupCommand[] {
  const cli = join(project, 'bin/lvsplay.js');
  const site = join(project, 'playbooks/site.yaml');
  const labIni = join(project, 'inventory/lab.ini');
  const common = join(project, 'bench/playbooks/common.yaml');
  // ansible-playbook looks for roles beside the playbook (playbooks/roles); lvsplay also in the
  // project's roles/. The same roles for both.
  const siteEnv = { ANSIBLE_ROLES_PATH: join(project, 'roles') };
  const benchEnv = { ANSIBLE_CONFIG: join(project, 'bench/ansible.cfg') };
  return [
    { name: 'node -e 0', tool: 'node', argv: [node, '-e', '0'], note: 'the floor: Node starting and stopping' },
    { name: 'lvsplay --help', tool: 'lvsplay', argv: [node, cli, '--help'] },
    { name: 'lvsplay --version', tool: 'lvsplay', argv: [node, cli, '--version'] },
    {
      name: 'lvsplay run site.yaml --syntax-check',
      tool: 'lvsplay',
      argv: [node, cli, 'run', site, '-i', labIni, '--syntax-check'],
    },
    {
      name: 'lvsplay run common.yaml --syntax-check',
      tool: 'lvsplay',
      argv: [node, cli, 'run', common, '-i', benchInventory, '--syntax-check'],
      note: 'the bench playbook, which both tools accept: the like-for-like pair',
    },
    ...(baseline ? baselineCommands(baseline, node, site, labIni) : []),
    { name: 'ansible-playbook --help', tool: 'ansible', argv: ['ansible-playbook', '--help'] },
    { name: 'ansible-playbook --version', tool: 'ansible', argv: ['ansible-playbook', '--version'] },
    {
      name: 'ansible-playbook site.yaml --syntax-check',
      tool: 'ansible',
      argv: ['ansible-playbook', site, '-i', labIni, '--syntax-check'],
      env: siteEnv,
      note: 'ANSIBLE_ROLES_PATH=roles; stops at the first module it does not know (exit 4) until site.yaml runs under ansible-playbook',
    },
    {
      name: 'ansible-playbook common.yaml --syntax-check',
      tool: 'ansible',
      argv: ['ansible-playbook', common, '-i', benchInventory, '--syntax-check'],
      env: benchEnv,
    },
  ];
}

/** An earlier build of lvsplay (a checkout with its dist/ built), timed in the same runs. */
export interface Baseline {
  dir: string;
  /** How its series are named: "lvsplay@<label> --help". */
  label: string;
}

/** The baseline's --help and site.yaml --syntax-check, on the same playbook and inventory. */
function baselineCommands(b: Baseline, node: string, site: string, labIni: string): StartupCommand[] {
  const cli = join(b.dir, 'bin/lvsplay.js');
  const note = `the earlier build in ${b.dir}, for a before/after taken in the same runs`;
  return [
    { name: `lvsplay@${b.label} --help`, tool: 'lvsplay', argv: [node, cli, '--help'], note },
    {
      name: `lvsplay@${b.label} run site.yaml --syntax-check`,
      tool: 'lvsplay',
      argv: [node, cli, 'run', site, '-i', labIni, '--syntax-check'],
      note,
    },
  ];
}

/** Run i's order: the list rotated by i, so no command always runs first or after the same one. */
export function rotation<T>(xs: readonly T[], i: number): T[] {
  if (xs.length === 0) return [];
  const k = i % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

/** A command line as the result shows it: paths in the project relative to it, the bench's
 * temporary inventory by name, node without its directory. */
export function startupSeries(
  c: StartupCommand,
  project: string,
  samples: StartupSample[],
  aliases: Record<string, string> = {},
): StartupSeries {
  const shown = c.argv.map((a) => aliases[a] ?? (a.startsWith(`${project}/`) ? a.slice(project.length + 1) : a));
  shown[0] = shown[0]!.replace(/^.*\/(node[^/]*)$/, '$1');
  const s: StartupSeries = {
    name: c.name,
    tool: c.tool,
    command: [...Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v.replace(`${project}/`, '')}`), ...shown].join(
      ' ',
    ),
    samples,
    summary: {
      wallMs: spread(samples.map((x) => x.wallMs)),
      cpuMs: spread(samples.map((x) => x.cpuMs)),
      maxRssKb: spread(samples.map((x) => x.maxRssKb)),
      failed: samples.filter((x) => x.exitCode !== 0).length,
      exitCodes: [...new Set(samples.map((x) => x.exitCode))].sort((a, b) => a - b),
    },
  };
  if (c.note) s.note = c.note;
  return s;
}

export function evaluateTargets(
  series: readonly StartupSeries[],
  targets: readonly StartupTarget[] = STARTUP_TARGETS,
): StartupResults['targets'] {
  return targets.map((t) => {
    const s = series.find((x) => x.name === t.series);
    const medianMs = s ? s.summary.wallMs.median : Number.NaN;
    // a series whose runs failed has not met anything
    return { ...t, medianMs, met: !!s && s.summary.failed === 0 && medianMs < t.limitMs };
  });
}

const ms = (x: number) => (Number.isFinite(x) ? `${Math.round(x)}` : '–');
const cell = (w: Spread) => (w.n === 0 ? '–' : `${ms(w.median)} (${ms(w.min)}–${ms(w.max)})`);

export function renderStartupMarkdown(r: StartupResults): string {
  const m = r.machine;
  const lines = [
    `# Start-up ${r.date.slice(0, 10)}`,
    '',
    `Machine: ${m.cores} cores (${m.cpuModel}), kernel ${m.kernel}, ${m.os}; Node ${m.node}; ` +
      `ansible-core ${m.ansibleCore}; lvsplay ${m.lvsplay} (${m.commit}).`,
    '',
    `Load average (1, 5, 15 min): ${r.loadBefore.join(' ')} before, ${r.loadAfter.join(' ')} after; ` +
      `1-minute load over the samples: median ${r.load1.median.toFixed(2)} (${r.load1.min.toFixed(2)}–${r.load1.max.toFixed(2)}).`,
    '',
    "Wall and CPU (user+sys) time in ms: median (min–max) over the runs. RSS: the process's peak, median, MB.",
    '',
    '| command | wall ms | CPU ms | RSS MB | exit |',
    '|---|---:|---:|---:|---|',
  ];
  for (const s of r.series) {
    const warn = s.summary.failed > 0 ? ` (${s.summary.failed} of ${s.samples.length} not 0)` : '';
    lines.push(
      `| \`${s.name}\` | ${cell(s.summary.wallMs)} | ${ms(s.summary.cpuMs.median)} | ` +
        `${Number.isFinite(s.summary.maxRssKb.median) ? Math.round(s.summary.maxRssKb.median / 1024) : '–'} | ` +
        `${s.summary.exitCodes.join(', ')}${warn} |`,
    );
  }
  lines.push('', '## Targets', '');
  for (const t of r.targets)
    lines.push(`- \`${t.series}\` under ${t.limitMs} ms: median ${ms(t.medianMs)} ms, ${t.met ? 'met' : 'not met'}`);
  lines.push('', '## Commands', '');
  for (const s of r.series) lines.push(`- ${s.name}: \`${s.command}\`${s.note ? ` (${s.note})` : ''}`);
  return settingsAndNotes(lines, r);
}

/** What is wrong with a parsed start-up result file, as sentences (empty when well formed). */
export function startupProblems(r: unknown): string[] {
  if (typeof r !== 'object' || r === null) return ['the file is not a JSON object'];
  const o = r as Partial<StartupResults>;
  const out: string[] = [];
  if (o.format !== 'lvsplay-bench-startup/1') out.push(`format is ${JSON.stringify(o.format)}`);
  if (!o.machine) out.push('machine facts are missing');
  if (!Array.isArray(o.loadBefore) || o.loadBefore.length !== 3) out.push('loadBefore is not three numbers');
  if (!Array.isArray(o.series) || o.series.length === 0) out.push('there are no series');
  else
    for (const s of o.series) {
      if (!Array.isArray(s.samples) || s.samples.length === 0) out.push(`${s.name}: no samples`);
      else if (s.samples.some((x) => !(x.wallMs > 0) || !Number.isFinite(x.cpuMs) || !Number.isFinite(x.load1)))
        out.push(`${s.name}: a sample lacks wall time, CPU time or load`);
    }
  return out;
}

export interface StartupOptions {
  project: string;
  runs: number;
  out: string;
  baseline?: Baseline;
  log: (s: string) => void;
}

/** Times every command `runs` times, interleaved; writes <out>/<date>-startup.json and .md. */
export async function benchStartup(o: StartupOptions): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-bench-startup-'));
  try {
    const inventory = join(dir, 'bench.ini');
    writeFileSync(
      inventory,
      benchInventoryText(benchHosts(1), readFileSync(join(o.project, 'inventory/lab.ini'), 'utf8')),
    );
    const commands = startupCommands(o.project, process.execPath, inventory, o.baseline);
    const samples = new Map<string, StartupSample[]>(commands.map((c) => [c.name, []]));
    const env = { ...process.env, NO_COLOR: '1', ANSIBLE_NOCOLOR: '1' };
    const loadBefore = currentLoad();
    for (let i = 0; i < o.runs; i++) {
      for (const c of rotation(commands, i)) {
        const load1 = currentLoad()[0]!;
        const {
          output,
          treeRssKb: _tree,
          ...m
        } = await measure(c.argv, {
          cwd: o.project,
          env: { ...env, ...c.env },
          timeoutMs: 60_000,
        });
        samples.get(c.name)!.push({ ...m, load1 });
        if (i === 0 && m.exitCode !== 0) o.log(`${c.name}: exit ${m.exitCode}: ${output.trim().split('\n')[0] ?? ''}`);
      }
      o.log(`run ${i + 1}/${o.runs} done (load ${currentLoad().join(' ')})`);
    }
    const aliases = { [inventory]: '<bench01 inventory>' };
    const series = commands.map((c) => startupSeries(c, o.project, samples.get(c.name)!, aliases));
    const all = series.flatMap((s) => s.samples.map((x) => x.load1));
    const r: StartupResults = {
      format: 'lvsplay-bench-startup/1',
      date: new Date().toISOString(),
      machine: machineFacts(o.project),
      settings: {
        runs: o.runs,
        order: 'all commands once per run, the list rotated by one each run',
        timing:
          'wall: from spawn to exit as seen by the bench, through GNU time (which adds about 1 ms); CPU and RSS: GNU time (rusage of the process and its waited-for children)',
        environment: 'NO_COLOR=1, ANSIBLE_NOCOLOR=1; output to a pipe (not a terminal)',
      },
      loadBefore,
      loadAfter: currentLoad(),
      load1: spread(all),
      series,
      targets: evaluateTargets(series),
      notes: [],
    };
    const problems = startupProblems(r);
    if (problems.length > 0) throw new Error(`the results are not well formed: ${problems.join('; ')}`);
    mkdirSync(o.out, { recursive: true });
    const base = join(o.out, `${r.date.slice(0, 10)}-startup`);
    writeFileSync(`${base}.json`, `${JSON.stringify(r, null, 2)}\n`);
    writeFileSync(`${base}.md`, renderStartupMarkdown(r));
    return base;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
