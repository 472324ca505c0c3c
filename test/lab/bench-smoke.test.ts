// The benchmark in miniature: one bench host beside the running cluster, one run of each
// scenario under each tool, a well-formed result file, and the lab left as it was.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultProblems, SCENARIOS, type BenchResults } from '../../bench/src/results.js';
import { labStatus } from '../../src/lab/index.js';
import { ensureLab } from '../helpers/lab-run.js';

const project = resolve(import.meta.dirname, '../..');
const out = mkdtempSync(join(tmpdir(), 'lvsplay-bench-smoke-'));
const running = async () =>
  (await labStatus()).hosts
    .filter((h) => h.state === 'running')
    .map((h) => h.name)
    .sort();

let before: string[] = [];
beforeAll(async () => {
  await ensureLab();
  before = await running();
  execFileSync('npx', ['tsc', '-p', 'bench/tsconfig.json'], { cwd: project, stdio: 'inherit' });
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('bench --quick', () => {
  it('times both tools on one host and writes a well-formed result', { timeout: 180_000 }, async () => {
    const r = spawnSync(process.execPath, ['bench/.build/bench/src/main.js', '--quick', '--out', out], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const json = readdirSync(out).find((f) => f.endsWith('-quick.json'));
    expect(json).toBeDefined();
    const base = join(out, json!.replace(/\.json$/, ''));
    const results = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as BenchResults;
    expect(resultProblems(results)).toEqual([]);
    expect(results.machine.ansibleCore).toMatch(/^2\.\d+/);
    for (const tool of ['lvsplay', 'ansible'] as const) {
      for (const scenario of SCENARIOS) {
        const s = results.series.find((x) => x.tool === tool && x.scenario === scenario && x.hosts === 1);
        expect(s?.samples.length, `${tool} ${scenario}`).toBe(1);
        expect(s!.samples[0]!.exitCode, `${tool} ${scenario}`).toBe(0);
      }
      // the rerun after both converged must change nothing, under either tool
      expect(results.series.find((x) => x.tool === tool && x.scenario === 'noop')!.samples[0]!.changed, tool).toBe(0);
    }
    expect(results.series.find((x) => x.tool === 'floor')?.samples[0]?.exitCode).toBe(0);
    expect(readFileSync(`${base}.md`, 'utf8')).toContain('| 1 | no-op rerun |');
    expect(readFileSync(`${base}.svg`, 'utf8')).toContain('data-tool="ansible"');
    expect(existsSync(`${base}.svg`)).toBe(true);
  });

  it('leaves the lab running the hosts it ran before', async () => {
    expect(await running()).toEqual(before);
  });
});
