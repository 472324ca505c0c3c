// Task keywords as Ansible inherits them: the task's own value, else the nearest enclosing
// block's (roles and imports are blocks too), else the play's.
import type { Play } from '../playbook/model.js';
import type { PlannedTask } from '../plan/compile.js';

export function keyword(play: Play, planned: PlannedTask, name: string): unknown {
  if (Object.hasOwn(planned.task.keywords, name)) return planned.task.keywords[name];
  for (let i = planned.blocks.length - 1; i >= 0; i--) {
    const b = planned.blocks[i]!;
    if (Object.hasOwn(b.keywords, name)) return b.keywords[name];
  }
  return Object.hasOwn(play.keywords, name) ? play.keywords[name] : undefined;
}

/** Ansible's boolean reading of a keyword value (`yes`, `True`, 1...). */
export function asBool(v: unknown, dflt = false): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  const s = String(v).trim().toLowerCase();
  if (['yes', 'true', 'on', '1', 'y', 't'].includes(s)) return true;
  if (['no', 'false', 'off', '0', 'n', 'f', ''].includes(s)) return false;
  return dflt;
}
