// The benchmark's result file: every sample of every series, their summaries, and the facts of
// the machine they were taken on, so two result files can be compared honestly later.
import { spread, type Spread } from './stats.js';

export const TOOLS = ['lvsplay', 'ansible', 'floor'] as const;
export type Tool = (typeof TOOLS)[number];

/** First converge on fresh hosts, no-op rerun, --check of a no-op, --check with one change. */
export const SCENARIOS = ['converge', 'noop', 'check-noop', 'check-change'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** The floor is not a playbook scenario: it is a connection and one command per host. */
export type SeriesScenario = Scenario | 'floor';

/** One timed run of one command (with its process tree). */
export interface Sample {
  wallMs: number;
  /** user + sys CPU of the process and every child it waited for. */
  cpuMs: number;
  userMs: number;
  sysMs: number;
  /** Largest resident set of any single process of the tree (getrusage ru_maxrss). */
  maxRssKb: number;
  /** Largest sum of resident sets over the live process tree, sampled. */
  treeRssKb: number;
  exitCode: number;
  /** Task results reported changed, summed over the hosts (from the recap); a no-op has 0. */
  changed?: number;
}

export interface Series {
  tool: Tool;
  scenario: SeriesScenario;
  hosts: number;
  samples: Sample[];
}

export interface SeriesSummary {
  wallMs: Spread;
  cpuMs: Spread;
  maxRssKb: Spread;
  treeRssKb: Spread;
  /** Runs whose exit code was not 0 (a timed run that failed does not count as fast). */
  failed: number;
}

export interface MachineFacts {
  cores: number;
  cpuModel: string;
  memoryMb: number;
  kernel: string;
  os: string;
  node: string;
  ansibleCore: string;
  /** Collection name -> version, for the collections the playbooks use. */
  collections: Record<string, string>;
  lvsplay: string;
  /** Commit of the work tree measured, with "+dirty" when it had changes. */
  commit: string;
  loadAverage: number[];
}

export interface SiteYamlOutcome {
  hosts: number;
  tool: Tool;
  /** The first converge of fresh hosts, a no-op rerun, or --check of the converged cluster. */
  phase: 'converge' | 'rerun' | 'check';
  samples: Sample[];
  summary: SeriesSummary;
  /** The first lines of the tool's complaints when it did not run. */
  problems: string[];
}

export interface BenchResults {
  format: 'lvsplay-bench/1';
  date: string;
  mode: 'full' | 'quick';
  machine: MachineFacts;
  /** How the peer and the runs were set up: what a reader needs to reproduce the figures. */
  settings: Record<string, string | number | boolean>;
  series: (Series & { summary: SeriesSummary })[];
  siteYaml: SiteYamlOutcome[];
  notes: string[];
}

export function summarise(samples: readonly Sample[]): SeriesSummary {
  return {
    wallMs: spread(samples.map((s) => s.wallMs)),
    cpuMs: spread(samples.map((s) => s.cpuMs)),
    maxRssKb: spread(samples.map((s) => s.maxRssKb)),
    treeRssKb: spread(samples.map((s) => s.treeRssKb)),
    failed: samples.filter((s) => s.exitCode !== 0).length,
  };
}

export function withSummary(s: Series): Series & { summary: SeriesSummary } {
  return { ...s, summary: summarise(s.samples) };
}

export function findSeries<T extends Series>(
  all: readonly T[],
  tool: Tool,
  scenario: SeriesScenario,
  hosts: number,
): T | undefined {
  return all.find((s) => s.tool === tool && s.scenario === scenario && s.hosts === hosts);
}

/** Host counts present in the results, ascending. */
export function hostCounts(r: Pick<BenchResults, 'series'>): number[] {
  return [...new Set(r.series.map((s) => s.hosts))].sort((a, b) => a - b);
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * What is wrong with a parsed result file, as sentences (empty when it is well formed). Used by
 * the smoke test and before a file is rendered, so a truncated run is caught, not plotted.
 */
export function resultProblems(r: unknown): string[] {
  const out: string[] = [];
  if (typeof r !== 'object' || r === null) return ['the file is not a JSON object'];
  const o = r as Partial<BenchResults>;
  if (o.format !== 'lvsplay-bench/1') out.push(`format is ${JSON.stringify(o.format)}, expected "lvsplay-bench/1"`);
  if (typeof o.date !== 'string' || Number.isNaN(Date.parse(o.date))) out.push('date is not an ISO date');
  const m = o.machine;
  if (!m) out.push('machine facts are missing');
  else {
    if (!isNum(m.cores) || m.cores < 1) out.push('machine.cores is not a positive number');
    for (const k of ['kernel', 'node', 'ansibleCore', 'lvsplay'] as const) {
      if (typeof m[k] !== 'string' || m[k] === '') out.push(`machine.${k} is missing`);
    }
  }
  // a --site run alone has site.yaml's figures and no host-count series
  const siteOnly = Array.isArray(o.siteYaml) && o.siteYaml.length > 0;
  if (!Array.isArray(o.series) || (o.series.length === 0 && !siteOnly)) out.push('there are no series');
  else {
    o.series.forEach((s, i) => {
      const at = `series[${i}] (${s.tool} ${s.scenario} ${s.hosts} hosts)`;
      if (!(TOOLS as readonly string[]).includes(s.tool)) out.push(`${at}: unknown tool`);
      if (s.scenario !== 'floor' && !(SCENARIOS as readonly string[]).includes(s.scenario))
        out.push(`${at}: unknown scenario`);
      if (!isNum(s.hosts) || s.hosts < 1) out.push(`${at}: host count is not positive`);
      if (!Array.isArray(s.samples) || s.samples.length === 0) out.push(`${at}: no samples`);
      else if (
        s.samples.some(
          (x) => !isNum(x.wallMs) || x.wallMs <= 0 || !isNum(x.cpuMs) || !isNum(x.maxRssKb) || !isNum(x.exitCode),
        )
      ) {
        out.push(`${at}: a sample lacks wall time, CPU time, RSS or exit code`);
      }
      if (!s.summary || !isNum(s.summary.wallMs?.median)) out.push(`${at}: summary is missing`);
    });
  }
  if (!Array.isArray(o.siteYaml)) out.push('siteYaml is not a list');
  if (!Array.isArray(o.notes)) out.push('notes is not a list');
  return out;
}
