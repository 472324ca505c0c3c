// The Markdown table of a result file: per host count and scenario, each tool's median wall time
// with its range, CPU and memory, and the ratios the targets are stated in.
import {
  findSeries,
  hostCounts,
  SCENARIOS,
  type BenchResults,
  type Scenario,
  type SeriesSummary,
  type SiteYamlOutcome,
} from './results.js';
import { ratio, type Spread } from './stats.js';

const SCENARIO_TITLES: Record<Scenario, string> = {
  converge: 'first converge',
  noop: 'no-op rerun',
  'check-noop': '--check, no-op',
  'check-change': '--check, one change',
};

export function seconds(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const s = ms / 1000;
  return s >= 100 ? s.toFixed(0) : s >= 10 ? s.toFixed(1) : s.toFixed(2);
}

/** "1.23 s (1.10–1.40)": the median and the range of the runs. */
export function wallCell(w: Spread): string {
  if (w.n === 0) return '–';
  return w.n === 1 ? `${seconds(w.median)} s` : `${seconds(w.median)} s (${seconds(w.min)}–${seconds(w.max)})`;
}

const mb = (kb: number) => (Number.isFinite(kb) ? `${Math.round(kb / 1024)}` : '–');
const times = (x: number | undefined) => (x === undefined ? '–' : x >= 10 ? `${x.toFixed(0)}×` : `${x.toFixed(1)}×`);

function failedMark(s: SeriesSummary | undefined): string {
  return s && s.failed > 0 ? ` ⚠ ${s.failed} failed` : '';
}

export function renderMarkdown(r: BenchResults): string {
  const m = r.machine;
  const lines: string[] = [
    `# Benchmark ${r.date.slice(0, 10)} (${r.mode})`,
    '',
    `Machine: ${m.cores} cores (${m.cpuModel}), ${Math.round(m.memoryMb / 1024)} GB, kernel ${m.kernel}, ${m.os}; ` +
      `Node ${m.node}; ansible-core ${m.ansibleCore}` +
      `${Object.entries(m.collections)
        .map(([k, v]) => `, ${k} ${v}`)
        .join('')}; lvsplay ${m.lvsplay} (${m.commit}).`,
    '',
    'Wall time: median of the runs (min–max). CPU: user+sys of the process tree, median. ' +
      'RSS: peak sum over the live process tree, median, MB. Ratio: ansible-playbook wall / lvsplay wall. ' +
      'Floor: Node start + one ssh handshake + one command per host, all hosts at once.',
    '',
    '| hosts | scenario | lvsplay | ansible-playbook | ratio | lvsplay CPU | ansible CPU | lvsplay RSS | ansible RSS | floor | lvsplay / floor |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const hosts of hostCounts(r)) {
    const floor = findSeries(r.series, 'floor', 'floor', hosts)?.summary;
    for (const sc of SCENARIOS) {
      const l = findSeries(r.series, 'lvsplay', sc, hosts)?.summary;
      const a = findSeries(r.series, 'ansible', sc, hosts)?.summary;
      if (!l && !a) continue;
      lines.push(
        `| ${hosts} | ${SCENARIO_TITLES[sc]} | ${l ? wallCell(l.wallMs) : '–'}${failedMark(l)} | ${a ? wallCell(a.wallMs) : '–'}${failedMark(a)} | ` +
          `${times(ratio(a?.wallMs.median, l?.wallMs.median))} | ${l ? `${seconds(l.cpuMs.median)} s` : '–'} | ${a ? `${seconds(a.cpuMs.median)} s` : '–'} | ` +
          `${l ? mb(l.treeRssKb.median) : '–'} | ${a ? mb(a.treeRssKb.median) : '–'} | ${floor ? wallCell(floor.wallMs) : '–'} | ` +
          `${times(ratio(l?.wallMs.median, floor?.wallMs.median))} |`,
      );
    }
  }
  if (r.siteYaml.length > 0) {
    lines.push(
      '',
      '## playbooks/site.yaml on the six-host cluster',
      '',
      "The project's own job: the first converge of fresh hosts, then no-op reruns and `--check`.",
      '',
      '| phase | lvsplay wall | ansible-playbook wall | ansible / lvsplay | lvsplay CPU | ansible CPU | changed (lvsplay / ansible) |',
      '|---|---|---|---|---|---|---|',
    );
    for (const phase of ['converge', 'rerun', 'check'] as const) {
      const l = r.siteYaml.find((s) => s.tool === 'lvsplay' && s.phase === phase);
      const a = r.siteYaml.find((s) => s.tool === 'ansible' && s.phase === phase);
      if (!l && !a) continue;
      const changed = (s?: SiteYamlOutcome) => (s ? String(s.samples[s.samples.length - 1]?.changed ?? '?') : '–');
      lines.push(
        `| ${phase} | ${l ? wallCell(l.summary.wallMs) : '–'}${failedMark(l?.summary)} | ${a ? wallCell(a.summary.wallMs) : '–'}${failedMark(a?.summary)} | ` +
          `${times(ratio(a?.summary.wallMs.median, l?.summary.wallMs.median))} | ${l ? `${seconds(l.summary.cpuMs.median)} s` : '–'} | ` +
          `${a ? `${seconds(a.summary.cpuMs.median)} s` : '–'} | ${changed(l)} / ${changed(a)} |`,
      );
    }
    for (const s of r.siteYaml)
      for (const p of s.problems) lines.push(`- ${s.tool} ${s.phase} stopped: \`${p.replace(/`/g, "'")}\``);
  }
  return settingsAndNotes(lines, r);
}

/** The result file's closing sections (settings, then notes when there are any), and the text. */
export function settingsAndNotes(
  lines: string[],
  r: { settings: Record<string, string | number | boolean>; notes: string[] },
): string {
  lines.push('', '## Settings', '');
  for (const [k, v] of Object.entries(r.settings)) lines.push(`- ${k}: ${String(v)}`);
  if (r.notes.length > 0) {
    lines.push('', '## Notes', '');
    for (const n of r.notes) lines.push(`- ${n}`);
  }
  return `${lines.join('\n')}\n`;
}
