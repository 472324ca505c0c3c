// lint agrees with the daemons: every keepalived.conf of the corpus goes through lint and through
// the real `keepalived -t` of each version lint knows (Debian 12's 2.2.7, Debian 13's 2.3.3,
// fetched by scripts/keepalived-binaries.sh); lint's error / no-error verdict must equal `-t`'s
// exit status, file by file (the -t runner is test/helpers/keepalived-t.ts). Without the binaries (no apt access) this fails: it never skips.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { lint } from '../../src/lint/index.js';
import { DEBIAN_RELEASE, KEEPALIVED_VERSIONS, type KeepalivedVersion } from '../../src/lint/keepalived/versions.js';
import { runAllVersions, type Daemon } from '../helpers/keepalived-t.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CORPUS = resolve(ROOT, 'test/fixtures/lint/keepalived-corpus');
const FILES = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.conf'))
  .sort();

let daemons = new Map<KeepalivedVersion, Daemon>();

beforeAll(() => {
  // Fails loudly when apt cannot reach Debian's repositories: the test needs the real daemons.
  daemons = runAllVersions(CORPUS, FILES);
}, 900_000);

describe('lint agrees with keepalived -t', () => {
  test(`the corpus holds at least 60 files (${FILES.length})`, () => {
    expect(FILES.length).toBeGreaterThanOrEqual(60);
  });

  for (const v of KEEPALIVED_VERSIONS) {
    test(`keepalived ${v} (Debian ${DEBIAN_RELEASE[v].major}): same verdict on every file`, () => {
      const d = daemons.get(v)!;
      expect(d.version).toContain(`Keepalived v${DEBIAN_RELEASE[v].exact}`);
      expect(d.status.size).toBe(FILES.length);
      const differences: string[] = [];
      for (const f of FILES) {
        const findings = lint({ keepalived: [join(CORPUS, f)], keepalivedVersion: v, shellcheck: false }).findings;
        const errors = findings.filter((x) => x.severity === 'error');
        const rejected = d.status.get(f) !== 0;
        if (rejected !== errors.length > 0)
          differences.push(
            `${f}: keepalived -t exit ${d.status.get(f)}${rejected ? ` (${d.output.get(f)?.split('\n').slice(0, 3).join(' | ')})` : ''}; lint ${
              errors.length ? `errors: ${errors.map((e) => `${e.pos?.line}: ${e.message}`).join(' | ')}` : 'no error'
            }`,
          );
      }
      expect(differences).toEqual([]);
    });
  }

  for (const v of KEEPALIVED_VERSIONS) {
    test(`keepalived ${v}: every line -t calls an unknown keyword has a lint error on it`, () => {
      const d = daemons.get(v)!;
      const missing: string[] = [];
      let lines = 0;
      for (const f of FILES) {
        const out = d.output.get(f) ?? '';
        // After "Unexpected '{'" keepalived skips a block it did not know, calling each line in
        // it unknown; lint reports the block's keyword. Unbalanced braces are keepalived-syntax's.
        const skipping = out.indexOf("Unexpected '{'");
        const findings = lint({ keepalived: [join(CORPUS, f)], keepalivedVersion: v, shellcheck: false }).findings;
        if (findings.some((x) => x.rule === 'keepalived-syntax')) continue;
        const errorLines = new Set(findings.filter((x) => x.severity === 'error').map((x) => x.pos?.line));
        for (const m of out.matchAll(
          new RegExp(`${f.replace(/\./g, '\\.')}: Line (\\d+)\\) Unknown keyword '([^']+)'`, 'g'),
        )) {
          if (m[2] === '}' || (skipping >= 0 && m.index > skipping)) continue;
          lines++;
          if (!errorLines.has(Number(m[1]))) missing.push(`${f}:${m[1]} ${m[2]}`);
        }
      }
      expect(lines).toBeGreaterThan(5);
      expect(missing).toEqual([]);
    });
  }

  test('the corpus tells the versions apart (keywords 2.3 added are errors for 2.2 only)', () => {
    const both = FILES.filter(
      (f) => (daemons.get('2.2')!.status.get(f) === 0) !== (daemons.get('2.3')!.status.get(f) === 0),
    );
    expect(both.length).toBeGreaterThan(0);
  });
});
