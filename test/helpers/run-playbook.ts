// Loads and runs a playbook in a directory as `lvsplay run` would, recording every event.
import { join } from 'node:path';
import { executePlan, type ExecuteOptions } from '../../src/exec/scheduler.js';
import { loadAndPlan, type RunOptions } from '../../src/plan/load-and-plan.js';
import { RecordingReporter } from '../../src/report/recording.js';
import { createTemplar } from '../../src/vars/templar.js';

/** Runs DIR/play.yml on DIR/inv.ini from DIR; `ms` is the whole run's time. */
export async function runPlaybookIn(dir: string, opts: Partial<RunOptions> = {}, exec: Partial<ExecuteOptions> = {}) {
  const plan = loadAndPlan({ playbook: join(dir, 'play.yml'), inventory: [join(dir, 'inv.ini')], cwd: dir, ...opts });
  const rec = new RecordingReporter();
  const t0 = performance.now();
  const r = await executePlan(plan, {
    templar: createTemplar({ searchPath: [dir] }),
    emit: (e) => rec.onEvent(e),
    journalDir: join(dir, '.state'),
    ...exec,
  });
  return { ...r, rec, ms: performance.now() - t0 };
}
