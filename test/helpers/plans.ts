// Reading a module's pure plan in unit tests: its changes (a refusal fails the test with its
// reason) and the commands they would run.
import type { Change, ModuleContext, PlanOutcome } from '../../src/modules/runtime.js';

/** A plan needs no host: the context is empty. */
export const ctx = {} as ModuleContext;

export const changes = (p: PlanOutcome): Change[] => {
  if ('failed' in p) throw new Error(p.failed);
  return p.changes;
};

export const commands = (cs: Change[]) =>
  cs.flatMap((c) => c.steps.map((s) => ('run' in s ? s.run.text : `put ${s.put.path}`)));
