// A playbook run by the executor on the implicit localhost (no ssh, real /bin/sh), in a fresh
// directory (or `dir`, to run again where an earlier run left its files); DIR in the playbook
// stands for that directory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executePlan } from '../../src/exec/scheduler.js';
import { loadAndPlan } from '../../src/plan/load-and-plan.js';
import { RecordingReporter } from '../../src/report/recording.js';
import { createTemplar } from '../../src/vars/templar.js';

export async function runOnLocalhost(
  playbook: string,
  extra: { check?: boolean; extraVars?: string[]; dir?: string } = {},
) {
  const dir = extra.dir ?? mkdtempSync(join(tmpdir(), 'lvsplay-local-'));
  writeFileSync(join(dir, 'play.yml'), playbook.replaceAll('DIR', dir));
  const plan = loadAndPlan({
    playbook: join(dir, 'play.yml'),
    inventory: ['localhost,'],
    check: extra.check ?? false,
    extraVars: extra.extraVars ?? [],
    cwd: dir,
  });
  const rec = new RecordingReporter();
  const r = await executePlan(plan, {
    templar: createTemplar({ searchPath: [dir] }),
    emit: (e) => rec.onEvent(e),
    journalDir: join(dir, '.state'),
  });
  return { ...r, rec, dir };
}
