// Joins result files taken one host count at a time (a long bench is often run in parts) into
// one file, table and plot: series are kept as measured, notes and site.yaml outcomes appended,
// the machine facts and settings are those of the first file. A series measured again in a
// later file replaces the earlier one (a part spoilt by a disturbed lab is re-measured), and the
// notes say so.
//   node merge.js OUT_BASE A.json B.json ...
import { readFileSync, writeFileSync } from 'node:fs';
import { renderSvg } from './plot-svg.js';
import { renderMarkdown } from './report-md.js';
import { resultProblems, type BenchResults } from './results.js';

export function mergeResults(parts: readonly BenchResults[]): BenchResults {
  const [first, ...rest] = parts;
  if (!first) throw new Error('nothing to merge');
  const merged: BenchResults = {
    ...first,
    series: [...first.series],
    siteYaml: [...first.siteYaml],
    notes: [...first.notes],
  };
  for (const p of rest) {
    for (const s of p.series) {
      const i = merged.series.findIndex((m) => m.tool === s.tool && m.scenario === s.scenario && m.hosts === s.hosts);
      if (i >= 0) {
        merged.series.splice(i, 1);
        merged.notes.push(
          `${s.tool} ${s.scenario} on ${s.hosts} hosts: re-measured ${p.date.slice(0, 16)}; the earlier series is replaced`,
        );
      }
      merged.series.push(s);
    }
    merged.siteYaml.push(...p.siteYaml);
    merged.notes.push(...p.notes);
    for (const [k, v] of Object.entries(p.settings)) {
      if (merged.settings[k] !== v)
        merged.settings[k] = `${String(merged.settings[k])}; ${String(v)} (${p.date.slice(0, 16)})`;
    }
    if (p.mode !== merged.mode) merged.mode = 'full';
  }
  merged.series.sort((a, b) => a.hosts - b.hosts);
  return merged;
}

function main(argv: string[]): number {
  const [out, ...files] = argv;
  if (!out || files.length === 0) {
    process.stderr.write('usage: merge OUT_BASE A.json B.json ...\n');
    return 5;
  }
  const merged = mergeResults(files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as BenchResults));
  const problems = resultProblems(merged);
  if (problems.length > 0) {
    process.stderr.write(`merge: ${problems.join('\n')}\n`);
    return 1;
  }
  writeFileSync(`${out}.json`, `${JSON.stringify(merged, null, 2)}\n`);
  writeFileSync(`${out}.md`, renderMarkdown(merged));
  writeFileSync(`${out}.svg`, renderSvg(merged));
  return 0;
}

if (process.argv[1]?.endsWith('merge.js')) process.exitCode = main(process.argv.slice(2));
