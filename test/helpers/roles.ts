// The bundled roles as the runner sees them: site.yaml planned from the project's root with the
// lab inventory, and a role's template rendered with the variables one of its tasks sees on a
// host, as the executor builds them (real templar, real variable layers, the lab vault).
import { join, resolve } from 'node:path';
import { loadAndPlan, type Plan, type PlannedPlay } from '../../src/plan/load-and-plan.js';
import { newGroups, taskVars, type RunContext } from '../../src/exec/context.js';
import { createTemplar } from '../../src/vars/templar.js';
import { revealIfSecret } from '../../src/secret.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const LAB = join(ROOT, 'inventory/lab.ini');
export const ROLES = join(ROOT, 'roles');

export function plan(inventory: string[] = [LAB]): Plan {
  // From the project root, as a user runs it: ansible.cfg there names the lab vault password.
  return loadAndPlan({ playbook: 'playbooks/site.yaml', inventory, cwd: ROOT });
}

export function playOf(p: Plan, hosts: string): PlannedPlay {
  const pp = p.plays.find((x) => x.play.hosts.join(',') === hosts);
  if (!pp) throw new Error(`no play for ${hosts}`);
  return pp;
}

/** The variables a task of `role` named `taskName` sees on `host`, as the executor builds them. */
export function varsFor(p: Plan, hosts: string, host: string, taskName: string) {
  const pp = playOf(p, hosts);
  const planned = pp.compiled.tasks.find((t) => t.task.name === taskName);
  if (!planned) throw new Error(`no task '${taskName}'`);
  const run = { plan: p, hosts: new Map(), groups: newGroups(p) } as unknown as RunContext;
  return taskVars(run, { pp, batch: [host] }, host, planned);
}

export const templarOf = (p: Plan) =>
  createTemplar({ searchPath: [join(ROLES, 'director'), join(ROOT, 'playbooks')], vault: p.vault });

export function render(p: Plan, role: string, file: string, hosts: string, host: string, taskName: string): string {
  const vars = varsFor(p, hosts, host, taskName);
  return String(revealIfSecret(templarOf(p).renderFile(join(ROLES, role, 'templates', file), vars)));
}
