// Every broken input is refused before any host is touched, at the right place, with a message
// that says what is wrong, and never with a stack trace.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

interface Expected {
  exit: number;
  file?: string;
  line?: number;
  col?: number;
  message: string;
  args?: string[];
}

const root = join(import.meta.dirname, '../fixtures/broken');
const cases = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const runIn = (dir: string, args: string[]) => runCli(args, dir);

afterEach(() => {
  process.exitCode = undefined;
});

describe('broken-input corpus', () => {
  it('holds at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  for (const name of cases) {
    it(name, async () => {
      const dir = join(root, name);
      const exp = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
      const r = await runIn(dir, ['run', 'site.yml', '-i', 'hosts.ini', '--syntax-check', ...(exp.args ?? [])]);
      expect(r.code).toBe(exp.exit);
      const lines = r.err.split('\n');
      if (exp.file) {
        const at = `${exp.file}:${exp.line}:${exp.col}: `;
        // A warning may stand at the same place (e.g. a deprecated form): the error must be there too.
        const line = lines.find((l) => l.startsWith(at) && !l.startsWith(`${at}warning: `));
        expect(line, `no diagnostic at ${at} in:\n${r.err}`).toBeDefined();
        expect(line).toContain(exp.message);
      } else {
        expect(r.err).toContain(exp.message);
      }
      expect(r.err).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
      expect(r.err).not.toContain('Error:');
      // Nothing is listed as run: a refused playbook prints no "playbook:" line.
      expect(r.out).not.toContain('playbook:');
    });
  }
});
