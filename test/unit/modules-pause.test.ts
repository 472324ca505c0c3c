// pause: its time from seconds or minutes, a prompt refused without a time limit, and a short
// pause run end to end on the implicit localhost.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executePlan } from '../../src/exec/scheduler.js';
import { pauseModule, pausePlan } from '../../src/modules/pause.js';
import { loadAndPlan } from '../../src/plan/load-and-plan.js';
import { RecordingReporter } from '../../src/report/recording.js';
import { createTemplar } from '../../src/vars/templar.js';

const args = (a: Record<string, unknown>) => pauseModule.args.parse(a);

describe('pause', () => {
  it('waits seconds or minutes', () => {
    expect(pausePlan(args({ seconds: '1.5' }), false)).toEqual({ ms: 1500 });
    expect(pausePlan(args({ minutes: 2 }), false)).toEqual({ ms: 120_000 });
    expect(pauseModule.args.safeParse({ seconds: 1, minutes: 1 }).success).toBe(false);
  });
  it('refuses to wait for input, saying what to do', () => {
    expect(pausePlan(args({ prompt: 'Continue?' }), false)).toEqual({
      failed: expect.stringMatching(/no terminal to answer it; give seconds: or minutes:/),
    });
    expect(pausePlan(args({}), true)).toMatchObject({ failed: expect.stringMatching(/give seconds:/) });
  });
  it('runs in a play, registers its times, and fails a prompt-only task', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-pause-'));
    writeFileSync(
      join(dir, 'play.yml'),
      `- hosts: localhost
  gather_facts: false
  tasks:
    - name: short
      pause: { seconds: 0.2, prompt: waiting }
      register: p
    - name: check
      assert: { that: ["p.delta >= 0", "p.user_input == ''"] }
    - name: ask
      pause: { prompt: Continue? }
`,
    );
    const plan = loadAndPlan({ playbook: join(dir, 'play.yml'), inventory: ['localhost,'], extraVars: [], cwd: dir });
    const rec = new RecordingReporter();
    const r = await executePlan(plan, {
      templar: createTemplar({ searchPath: [dir] }),
      emit: (e) => rec.onEvent(e),
      journalDir: join(dir, '.state'),
    });
    expect(rec.results('localhost').map((x) => [x.task, x.status])).toEqual([
      ['short', 'ok'],
      ['check', 'ok'],
      ['ask', 'failed'],
    ]);
    expect(r.exitCode).not.toBe(0);
  });
});
