// Wall time against host count, both tools and the floor, as a self-contained SVG. The y axis is
// logarithmic: ansible-playbook and lvsplay differ by one or two orders of magnitude, and on a
// linear axis lvsplay's lines would lie flat on zero. Whiskers show each series' min–max.
import { hostCounts, SCENARIOS, type BenchResults, type SeriesScenario, type Tool } from './results.js';

const W = 760;
const H = 460;
const PAD = { left: 70, right: 210, top: 40, bottom: 56 };

const TOOL_COLOURS: Record<Tool, string> = { lvsplay: '#1f77b4', ansible: '#d62728', floor: '#555555' };
const TOOL_TITLES: Record<Tool, string> = { lvsplay: 'lvsplay', ansible: 'ansible-playbook', floor: 'floor' };
const SCENARIO_DASH: Record<SeriesScenario, string> = {
  converge: '2 4',
  noop: '',
  'check-noop': '8 4',
  'check-change': '12 4 2 4',
  floor: '1 3',
};
const SCENARIO_TITLES: Record<SeriesScenario, string> = {
  converge: 'first converge',
  noop: 'no-op rerun',
  'check-noop': '--check no-op',
  'check-change': '--check one change',
  floor: 'ssh + 1 command',
};

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 1-2-5 steps in seconds covering [lo, hi]. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(Number(v.toPrecision(3)));
    }
  }
  return out;
}

const fmt = (n: number) => Number(n.toFixed(1)).toString();

export function renderSvg(r: BenchResults): string {
  const series = r.series.filter((s) => s.summary.wallMs.n > 0 && s.summary.wallMs.median > 0);
  const counts = hostCounts(r);
  const secs = series.flatMap((s) => [s.summary.wallMs.min / 1000, s.summary.wallMs.max / 1000]);
  // whole 1-2-5 steps around the data so the first and last ticks frame it
  const lo = secs.length ? 10 ** Math.floor(Math.log10(Math.min(...secs))) : 0.1;
  const hi = secs.length ? 10 ** Math.ceil(Math.log10(Math.max(...secs))) : 100;
  const maxHosts = Math.max(1, ...counts);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (hosts: number) => PAD.left + (hosts / maxHosts) * plotW;
  const y = (s: number) =>
    PAD.top + plotH - ((Math.log10(s) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(`Wall time against host count, ${r.date.slice(0, 10)}`)}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${PAD.left}" y="22" font-size="15" font-weight="bold">${escapeXml(`Wall time against host count (${r.machine.cores} cores, ${r.date.slice(0, 10)})`)}</text>`,
  ];
  for (const t of logTicks(lo, hi)) {
    parts.push(
      `<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${fmt(y(t))}" y2="${fmt(y(t))}" stroke="#e5e5e5"/>`,
    );
    parts.push(`<text x="${PAD.left - 6}" y="${fmt(y(t) + 4)}" text-anchor="end">${t} s</text>`);
  }
  for (const c of [0, ...counts]) {
    parts.push(
      `<line x1="${fmt(x(c))}" x2="${fmt(x(c))}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH + 5}" stroke="#333"/>`,
    );
    parts.push(`<text x="${fmt(x(c))}" y="${PAD.top + plotH + 18}" text-anchor="middle">${c}</text>`);
  }
  parts.push(
    `<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH}" stroke="#333"/>`,
    `<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#333"/>`,
    `<text x="${PAD.left + plotW / 2}" y="${H - 14}" text-anchor="middle">hosts</text>`,
    `<text transform="translate(18 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">wall time, median (log scale)</text>`,
  );

  const legend: string[] = [];
  for (const tool of ['ansible', 'lvsplay', 'floor'] as const) {
    for (const sc of [...SCENARIOS, 'floor'] as const) {
      const pts = series.filter((s) => s.tool === tool && s.scenario === sc).sort((a, b) => a.hosts - b.hosts);
      if (pts.length === 0) continue;
      const colour = TOOL_COLOURS[tool];
      const dash = SCENARIO_DASH[sc] ? ` stroke-dasharray="${SCENARIO_DASH[sc]}"` : '';
      const label = `${TOOL_TITLES[tool]}${tool === 'floor' ? '' : `, ${SCENARIO_TITLES[sc]}`}`;
      parts.push(`<g class="series" data-tool="${tool}" data-scenario="${sc}">`);
      parts.push(`<title>${escapeXml(label)}</title>`);
      if (pts.length > 1) {
        const d = pts
          .map((p, i) => `${i === 0 ? 'M' : 'L'}${fmt(x(p.hosts))} ${fmt(y(p.summary.wallMs.median / 1000))}`)
          .join(' ');
        parts.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
      }
      for (const p of pts) {
        const w = p.summary.wallMs;
        parts.push(
          `<line x1="${fmt(x(p.hosts))}" x2="${fmt(x(p.hosts))}" y1="${fmt(y(w.min / 1000))}" y2="${fmt(y(w.max / 1000))}" stroke="${colour}"/>`,
        );
        parts.push(
          `<circle cx="${fmt(x(p.hosts))}" cy="${fmt(y(w.median / 1000))}" r="3.5" fill="${colour}"><title>${escapeXml(`${label}, ${p.hosts} hosts: ${(w.median / 1000).toFixed(2)} s`)}</title></circle>`,
        );
      }
      parts.push('</g>');
      const ly = PAD.top + 8 + legend.length * 18;
      const lx = PAD.left + plotW + 16;
      legend.push(
        `<line x1="${lx}" x2="${lx + 28}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"${dash}/>` +
          `<text x="${lx + 34}" y="${ly + 4}">${escapeXml(label)}</text>`,
      );
    }
  }
  parts.push(...legend, '</svg>');
  return `${parts.join('\n')}\n`;
}
