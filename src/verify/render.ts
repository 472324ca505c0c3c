// keepalived.conf as `lvsplay run` would write it on a director: the role's template rendered
// with the variables the template task sees (inventory, role defaults, groups, hostvars).
import { dirname, join } from 'node:path';
import { newGroups, taskVars, type RunContext } from '../exec/context.js';
import type { Plan } from '../plan/load-and-plan.js';
import { revealIfSecret } from '../secret.js';
import { createTemplar } from '../vars/templar.js';

export const KEEPALIVED_TASK = 'Write keepalived.conf (checked by keepalived -t before it replaces the old one)';

export interface RenderedFile {
  path: string;
  content: string;
}

/** undefined when no play applies the director role's keepalived task to `host`. */
export function renderKeepalivedConf(plan: Plan, host: string): RenderedFile | undefined {
  for (const pp of plan.plays) {
    if (!pp.hosts.includes(host)) continue;
    const planned = pp.compiled.tasks.find((t) => t.task.name === KEEPALIVED_TASK);
    const role = pp.compiled.roles.find((r) => r.name === 'director');
    if (!planned || !role) continue;
    // No host has been contacted: the context holds no facts, as for a first run.
    const run = { plan, hosts: new Map(), groups: newGroups(plan) } as unknown as RunContext;
    const vars = taskVars(run, { pp, batch: [host] }, host, planned);
    const templar = createTemplar({ searchPath: [role.path, dirname(plan.playbookPath)], vault: plan.vault });
    const path = String(revealIfSecret(templar.render('{{ keepalived_config }}', vars)));
    const content = String(
      revealIfSecret(templar.renderFile(join(role.path, 'templates', 'keepalived.conf.j2'), vars)),
    );
    return { path, content };
  }
  return undefined;
}
