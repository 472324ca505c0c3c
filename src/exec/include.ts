// include_tasks / include_role at run time: the file or role is chosen with the host's
// variables, read (each file once per run), and run inside a block carrying the include's vars.
import { dirname, join } from 'node:path';
import { cfgPathList } from '../config/ansible-cfg.js';
import { diag, formatDiagnostic } from '../diagnostics.js';
import { newContext, type LoadContext } from '../playbook/context.js';
import type { Block, Node } from '../playbook/model.js';
import { emptyScope, loadRole } from '../playbook/roles.js';
import { findTaskFile } from '../playbook/paths.js';
import { loadTaskFile } from '../playbook/tasks.js';
import type { PlannedTask } from '../plan/compile.js';
import type { Vars } from '../vars/precedence.js';
import type { PlayPosition, RunContext } from './context.js';

const contexts = new WeakMap<RunContext, { ctx: LoadContext; cache: Map<string, Node[]> }>();

function loaderOf(run: RunContext, at: PlayPosition) {
  let l = contexts.get(run);
  if (!l) {
    const playbookDir = dirname(run.plan.playbookPath);
    const rolesPath = [
      ...(cfgPathList(run.plan.cfg, 'defaults', 'roles_path', { separators: /[:,]/ }) ?? []),
      join(playbookDir, 'roles'),
      join(playbookDir, '..', 'roles'),
    ];
    const collectionsPath = [
      join(playbookDir, 'collections'),
      ...(cfgPathList(run.plan.cfg, 'defaults', 'collections_path', { separators: /[:,]/ }) ?? []),
    ];
    l = { ctx: newContext(at.pp.play.baseDir, rolesPath, run.plan.vault, collectionsPath), cache: new Map() };
    contexts.set(run, l);
  }
  return l;
}

/**
 * Includes nested inside includes: a file that includes itself under a condition that never
 * turns false would otherwise recurse until the process runs out of stack.
 */
export const MAX_INCLUDE_DEPTH = 100;

export function loadInclude(
  run: RunContext,
  at: PlayPosition,
  planned: PlannedTask,
  inc: { target: string; vars: Vars },
): { nodes: Node[]; block: Block } | { error: string } {
  const task = planned.task;
  const kind = task.include?.kind ?? 'tasks';
  const depth = planned.blocks.filter((b) => b.origin === 'include').length;
  if (depth >= MAX_INCLUDE_DEPTH)
    return {
      error: formatDiagnostic(
        diag(
          `includes nested ${depth} deep, the limit (a file that includes itself?)`,
          task.pos,
          'give the recursion an end that is reached well before that',
        ),
      ),
    };
  const { ctx, cache } = loaderOf(run, at);
  const key = `${kind}\0${task.pos.file}\0${inc.target}\0${String(task.args.tasks_from ?? '')}`;
  let nodes = cache.get(key);
  if (!nodes) {
    ctx.diagnostics.length = 0;
    const site = {
      file: task.pos.file,
      dir: dirname(task.pos.file),
      handlers: false,
      ...(task.role ? { role: task.role } : {}),
    };
    if (kind === 'tasks') {
      const path = findTaskFile(ctx, inc.target, site);
      if (!path)
        return {
          error: `include_tasks: task file '${inc.target}' not found (looked beside ${task.pos.file}${task.role ? ` and in ${task.role.path}/tasks` : ''})`,
        };
      nodes = loadTaskFile(ctx, path, { ...site, file: path, dir: dirname(path) }, task.pos);
    } else {
      const from = typeof task.args.tasks_from === 'string' ? { tasksFrom: task.args.tasks_from } : {};
      const role = loadRole(ctx, inc.target, { ...inc.vars }, emptyScope(task.pos), task.pos, from);
      nodes = role
        ? [
            {
              kind: 'block',
              origin: 'role',
              ...role.scope,
              block: role.tasks,
              rescue: [],
              always: [],
              role,
            } satisfies Block,
          ]
        : [];
    }
    const errors = ctx.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) return { error: errors.map(formatDiagnostic).join('\n') };
    cache.set(key, nodes);
  }
  const block: Block = {
    kind: 'block',
    origin: 'include',
    tags: [],
    when: [],
    vars: inc.vars,
    keywords: {},
    pos: task.pos,
    block: nodes,
    rescue: [],
    always: [],
  };
  return { nodes, block };
}
