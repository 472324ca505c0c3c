// Check mode across tasks: a later task that edits a file an earlier task would have written
// plans against the predicted content, so --check predicts exactly what the run then does.
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureLab, runPlaybookText, type PlayRun } from '../helpers/lab-run.js';
import { labExec } from '../../src/lab/index.js';

const DIR = '/tmp/lvsplay-overlay';

beforeAll(async () => {
  await ensureLab();
  await labExec('web1', ['sh', '-c', `rm -rf ${DIR} && mkdir -p ${DIR}`]);
});

const pb = `
- hosts: web1
  gather_facts: false
  tasks:
    - name: base file
      copy:
        dest: ${DIR}/app.conf
        content: "a=1\\n"
        mode: "0640"
    - name: add b
      lineinfile: { path: ${DIR}/app.conf, line: b=2 }
    - name: change a
      lineinfile: { path: ${DIR}/app.conf, regexp: '^a=', line: a=3 }
    - name: block
      blockinfile: { path: ${DIR}/app.conf, block: "c=4" }
    - name: b again (already there after add b)
      lineinfile: { path: ${DIR}/app.conf, line: b=2 }
`;

const changesOf = (r: PlayRun) =>
  r.rec
    .results('web1')
    .map((x) => ({ task: x.task, status: x.status, diffs: x.result.changes.map((c) => c.diff ?? null) }));

describe('check mode overlays earlier predicted file writes', () => {
  it('predicts every edit of one file exactly as the real run makes them', async () => {
    const predicted = await runPlaybookText(pb, { check: true, diff: true });
    expect(predicted.exitCode).toBe(0);
    expect((await labExec('web1', ['test', '-e', `${DIR}/app.conf`])).code).not.toBe(0);
    const real = await runPlaybookText(pb, { diff: true });
    expect(real.exitCode).toBe(0);
    expect(changesOf(predicted)).toEqual(changesOf(real));
    expect(changesOf(real).map((c) => c.status)).toEqual(['changed', 'changed', 'changed', 'changed', 'ok']);
    expect((await labExec('web1', ['cat', `${DIR}/app.conf`])).stdout).toBe(
      'a=3\nb=2\n# BEGIN ANSIBLE MANAGED BLOCK\nc=4\n# END ANSIBLE MANAGED BLOCK\n',
    );
    // This play fights itself (copy resets what lineinfile edits): a rerun changes the file
    // again, and check mode must predict that rerun exactly too.
    const checkAgain = await runPlaybookText(pb, { check: true, diff: true });
    const realAgain = await runPlaybookText(pb, { diff: true });
    expect(changesOf(checkAgain)).toEqual(changesOf(realAgain));
    expect(realAgain.rec.changedTasks('web1')).toEqual(['base file', 'add b', 'change a', 'block']);
  });
});
