// Every broken or hostile input gets ansible-playbook's exit code (or a documented, deliberate
// difference), a message at its place that says what to do, no stack trace or internal error,
// and an answer within seconds. The record of ansible-playbook's codes is verified live by
// test/integration/corpus-ansible.test.ts.
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CORPUS, caseArgs, corpusCases, expectedOf } from '../helpers/broken-corpus.js';
import { runCli } from '../helpers/cli.js';

const cases = corpusCases();
/** A generous bound: the slowest case (a regex stopped after its 2 s limit) takes about 2.5 s here. */
const MAX_MS = 5000;
const took = new Map<string, number>();

afterEach(() => {
  process.exitCode = undefined;
});

afterAll(() => {
  const slowest = [...took].sort((a, b) => b[1] - a[1]).slice(0, 3);
  process.stdout.write(`broken-input corpus: ${took.size} cases, slowest ${JSON.stringify(slowest)}\n`);
});

describe('broken-input corpus', () => {
  it('holds at least 150 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });

  for (const name of cases) {
    it(name, async () => {
      const dir = join(CORPUS, name);
      // `{case}` in a record stands for the case's directory, wherever the checkout is.
      const exp = withCaseDir(expectedOf(name), dir);
      const args = caseArgs(exp, 'lvsplay');
      const t0 = Date.now();
      const r = await runCli(['run', ...args, ...(exp.syntaxCheck === false ? ['-o', 'plain'] : [])], dir);
      took.set(name, Date.now() - t0);
      expect(Date.now() - t0).toBeLessThan(MAX_MS);
      expect(r.code, r.err + r.out).toBe(exp.exit);
      // ansible-playbook's code, or a reason why not.
      expect(exp.ansible ?? exp.ansibleSkipped, 'no record of ansible-playbook on this case').toBeDefined();
      if (exp.ansible && !('exit' in exp.ansible && exp.ansible.exit === exp.exit)) expect(exp.differs).toMatch(/\w/);
      const all = `${r.err}\n${r.out}`;
      if (exp.file) {
        // At the start of a line, or inside a task's failure message.
        const at = `${exp.file}:${exp.line}:${exp.col}: `;
        // A warning may stand at the same place (e.g. a deprecated form): the error must be there too.
        const line = all
          .split('\n')
          .find(
            (l) =>
              (l.startsWith(at) || l.includes(`/${at}`) || l.includes(`"${at}`)) &&
              (exp.message.startsWith('warning: ') || !l.includes(`${at}warning: `)),
          );
        expect(line, `no diagnostic at ${at} in:\n${all}`).toBeDefined();
        expect(line).toContain(exp.message);
        // ...and what to do about it, after the message.
        if (exp.exit !== 0) expect(line!.slice(line!.indexOf(at) + at.length)).toMatch(/.; \S/);
      } else {
        expect(all).toContain(exp.message);
        // A run-time failure without a file place names its task.
        if (exp.syntaxCheck === false && exp.exit !== 0) expect(r.out).toMatch(/TASK \[.+\]/);
      }
      expect(all).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
      expect(all).not.toMatch(/internal error|RangeError|TypeError|Maximum call stack/);
      if (exp.syntaxCheck !== false) expect(r.err).not.toContain('Error:');
      // A refused playbook prints no "playbook:" line.
      if (exp.exit !== 0 && exp.syntaxCheck !== false) expect(r.out).not.toContain('playbook:');
    });
  }
});

function withCaseDir<T extends { file?: string; message: string }>(exp: T, dir: string): T {
  return {
    ...exp,
    file: exp.file?.replaceAll('{case}', dir),
    message: exp.message.replaceAll('{case}', dir),
  };
}
