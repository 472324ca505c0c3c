// Each broken inventory under test/fixtures/inventory/broken names, in `# expect:` lines, every
// error it must produce: `[file:]line:col message`. Nothing else may be reported as an error.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatDiagnostic } from '../../src/diagnostics.js';
import { loadInventory } from '../../src/inventory/index.js';

const DIR = join(import.meta.dirname, '../fixtures/inventory/broken');

interface Expectation {
  file: string;
  line: number;
  col: number;
  message: string;
}

function expectations(source: string, text: string): Expectation[] {
  return [...text.matchAll(/^# expect: (?:(\S+):)?(\d+):(\d+) (.+)$/gm)].map((m) => ({
    file: m[1] ? join(source, m[1]) : source,
    line: Number(m[2]),
    col: Number(m[3]),
    message: m[4]!,
  }));
}

const entries = readdirSync(DIR).sort();

describe('broken inventories are reported at file:line:col with what to do', () => {
  test('the corpus is not empty', () => {
    expect(entries.length).toBeGreaterThanOrEqual(15);
  });
  for (const entry of entries) {
    test(entry, () => {
      const isDir = statSync(join(DIR, entry)).isDirectory();
      const source = isDir ? `${entry}/hosts` : entry;
      expect(existsSync(join(DIR, source))).toBe(true);
      const want = expectations(isDir ? entry : source, readFileSync(join(DIR, source), 'utf8'));
      expect(want.length).toBeGreaterThan(0);
      const { diagnostics } = loadInventory([source], { cwd: DIR });
      const errors = diagnostics.filter((d) => d.severity === 'error');
      const got = errors.map((d) => ({
        file: d.pos?.file,
        line: d.pos?.line,
        col: d.pos?.col,
        text: formatDiagnostic(d),
      }));
      for (const w of want) {
        const hit = got.find(
          (g) => g.file === w.file && g.line === w.line && g.col === w.col && g.text.includes(w.message),
        );
        expect(
          hit,
          `expected ${w.file}:${w.line}:${w.col} ${w.message}\n got:\n${got.map((g) => g.text).join('\n')}`,
        ).toBeDefined();
      }
      expect(errors).toHaveLength(want.length);
      for (const d of errors) expect(d.hint, formatDiagnostic(d)).toBeTruthy();
    });
  }
});
