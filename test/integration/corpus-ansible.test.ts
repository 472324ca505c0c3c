// The broken-input corpus, differentially: ansible-playbook 2.14 runs every case and must give
// the exit code recorded in its expected.json (the unit test holds lvsplay to that record, or
// to a documented difference). LVSPLAY_RECORD_ANSIBLE=1 writes the codes seen instead.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CORPUS,
  caseArgs,
  corpusCases,
  expectedOf,
  pool,
  runIn,
  writeExpected,
  type Ran,
} from '../helpers/broken-corpus.js';

const RECORD = process.env.LVSPLAY_RECORD_ANSIBLE === '1';
/** ansible-playbook takes 0.5-1.5 s a case here; a case that hangs is cut off after this. */
const HANG_MS = 8_000;

describe('broken-input corpus against ansible-playbook', () => {
  it('ansible-playbook exits as recorded for every case', async () => {
    const names = corpusCases().filter((n) => !expectedOf(n).ansibleSkipped);
    const seen = await pool(names, 2, (name) =>
      runIn(join(CORPUS, name), 'ansible-playbook', caseArgs(expectedOf(name), 'ansible'), HANG_MS),
    );
    const verdict = (r: Ran) => (r.timedOut ? { hangs: true as const } : { exit: r.code ?? -1 });
    const mismatches: string[] = [];
    names.forEach((name, i) => {
      const exp = expectedOf(name);
      const got = verdict(seen[i]!);
      if (RECORD) writeExpected(name, { ...exp, ansible: got });
      else if (JSON.stringify(got) !== JSON.stringify(exp.ansible))
        mismatches.push(
          `${name}: ansible-playbook gave ${JSON.stringify(got)}, recorded ${JSON.stringify(exp.ansible)}`,
        );
    });
    expect(mismatches).toEqual([]);
  }, 300_000);
});
