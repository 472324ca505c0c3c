// File-editing modules against ansible-playbook 2.14: each corpus (test/fixtures/modules-edits)
// runs once under the real tool (ansible_connection=local, files only under a temporary
// directory) and case by case through lvsplay's probe and pure plan; the bytes written, the
// changed flag, failure and the content diff must be the same.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { iniFileModule } from '../../src/modules/ini_file.js';
import { replaceModule } from '../../src/modules/replace.js';
import type { StateModule } from '../../src/modules/runtime.js';
import { ansibleOutcomes, lvsplayOutcome, type FileCase, type Outcome } from '../helpers/module-diff.js';

const corpus = (name: string): FileCase[] =>
  JSON.parse(
    readFileSync(resolve(import.meta.dirname, '../fixtures/modules-edits', `${name}.json`), 'utf8'),
  ) as FileCase[];

const shown = (o: Outcome, side: 'ansible' | 'lvsplay') => ({
  content: o.content?.toString('utf8'),
  changed: o.changed,
  failed: o.failed,
  // ini_file returns its diff also when the content stays (nothing or only the mode changed):
  // Ansible's is compared when it changed the content; lvsplay's whenever it gives one.
  ...(side === 'lvsplay'
    ? o.diff
      ? { diff: o.diff }
      : {}
    : o.changed && o.diff && o.diff.before !== o.diff.after
      ? { diff: o.diff }
      : {}),
});

function differential(module: string, m: StateModule, file: string, opts: { minCases: number }) {
  describe(`${module} gives what ansible-playbook 2.14 gives`, () => {
    const cases = corpus(file);
    let ansible: Promise<Outcome[]> | undefined;
    const real = () => (ansible ??= ansibleOutcomes(module, cases));
    it(`has at least ${opts.minCases} cases`, () => {
      expect(cases.length).toBeGreaterThanOrEqual(opts.minCases);
    });
    for (const [i, c] of cases.entries()) {
      it(c.name, async () => {
        const want = (await real())[i]!;
        const got = await lvsplayOutcome(m, c);
        // A failure leaves the file as it was, with Ansible's message unless the case says why not.
        if (want.failed) {
          expect(got.failed, `${c.name}: ${want.msg}`).toBe(true);
          expect(got.content?.toString('utf8')).toBe(want.content?.toString('utf8'));
          if (!c.msgDiffers) expect(got.msg).toBe(want.msg);
          return;
        }
        expect(shown(got, 'lvsplay')).toEqual(shown(want, 'ansible'));
        if (want.changed && want.msg) expect(got.msg).toBe(want.msg);
      });
    }
  });
}

differential('replace', replaceModule, 'replace', { minCases: 40 });
differential('community.general.ini_file', iniFileModule, 'ini_file', { minCases: 45 });
