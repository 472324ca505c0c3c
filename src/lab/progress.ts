// Progress of the lab's long steps (the one-time base build): a listr2 tree on a terminal,
// plain lines otherwise, nothing when silent (tests that only want the result).
import { Listr } from 'listr2';

export type ProgressMode = 'auto' | 'plain' | 'silent';

export interface Step {
  title: string;
  run: (note: (line: string) => void) => Promise<void>;
}

export async function runSteps(steps: Step[], mode: ProgressMode = 'auto'): Promise<void> {
  if (mode === 'silent') {
    for (const s of steps) await s.run(() => {});
    return;
  }
  if (mode === 'auto' && process.stderr.isTTY) {
    const list = new Listr(
      steps.map((s) => ({
        title: s.title,
        task: async (_ctx: unknown, task: { output: string }) => {
          await s.run((line) => {
            task.output = line;
          });
        },
      })),
      { concurrent: false, exitOnError: true },
    );
    await list.run();
    return;
  }
  for (const s of steps) {
    const t0 = Date.now();
    process.stderr.write(`lab: ${s.title}...\n`);
    await s.run(() => {});
    process.stderr.write(`lab: ${s.title}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
}
