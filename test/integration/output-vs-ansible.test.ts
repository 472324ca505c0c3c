// What a user reads of a run: ansible-playbook 2.14's default output and `lvsplay run -o plain`
// for the same playbooks on local hosts (test/fixtures/run-results) must be the same, line for
// line per host: status lines (`ok: [w1 -> d1] => (item=d1)`), fatal lines with their result,
// debug of registered values, the recap's counts. Only what differs between any two runs is evened out: command
// times (start, end, delta) and lvsplay's closing run-time line.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ansiblePlaybook, lvsplayRun, ROOT } from '../helpers/compat.js';

const FIXTURES = join(ROOT, 'test/fixtures/run-results');

/**
 * Each host's lines, in the order printed: a result line and the lines of its indented JSON,
 * under the host it names (hosts run in parallel, so their lines interleave differently).
 */
function linesByHost(out: string): Record<string, string[]> {
  const byHost: Record<string, string[]> = {};
  let current: string[] | undefined;
  for (const raw of out.split('\n')) {
    const line = raw.trimEnd().replace(/"(delta|start|end)": "[^"]*"/g, '"$1": "T"');
    const m = /^(?:ok|changed|skipping|fatal|failed): \[([^\] ]+)/.exec(line);
    if (m) current = byHost[m[1]!] ??= [];
    else if (!/^[ }\]]/.test(line) && !line.startsWith('...')) current = undefined;
    current?.push(line);
  }
  return byHost;
}

/** The PLAY RECAP rows. */
const recap = (out: string) =>
  out
    .split('\n')
    .filter((l) => /^\S+\s+: ok=\d+/.test(l))
    .map((l) => l.trimEnd());

describe('ansible-playbook output and lvsplay run -o plain', () => {
  it.each(['delegate.yml', 'loops.yml', 'groups.yml', 'run-once.yml', 'shapes.yml'])(
    '%s',
    async (playbook) => {
      const dir = mkdtempSync(join(tmpdir(), 'lvsplay-lines-'));
      cpSync(FIXTURES, dir, { recursive: true });
      const [a, l] = await Promise.all([
        ansiblePlaybook(['-i', 'inventory', playbook], dir),
        lvsplayRun(['-i', 'inventory', '-o', 'plain', playbook], dir),
      ]);
      expect(l.code, l.out).toBe(a.code);
      const ansible = linesByHost(a.out);
      expect(Object.keys(ansible).length, a.out).toBeGreaterThan(0);
      expect(linesByHost(l.out)).toEqual(ansible);
      expect(recap(l.out)).toEqual(recap(a.out));
    },
    120_000,
  );
});
