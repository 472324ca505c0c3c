// A play compiled the way Ansible's Play.compile() orders it: pre_tasks, then each role (its
// dependencies first, each role once unless its params differ or it allows duplicates), then
// tasks, then post_tasks. Each task gets the tags and conditions it inherits.
import type { Block, Node, Play, RoleInstance, Task } from '../playbook/model.js';
import { tagsSelect, type TagFilter } from './tags.js';

export type Section = 'pre_tasks' | 'roles' | 'tasks' | 'post_tasks';

export interface PlannedTask {
  task: Task;
  section: Section;
  /** The task's tags with those of its play, roles and blocks. */
  tags: string[];
  /** Every condition that must hold, outermost first. */
  when: string[];
  /** Blocks (and role/import blocks) around the task, outermost first. */
  blocks: Block[];
  /** In the rescue or always part of a block around it (ansible-playbook does not list those). */
  recovery?: true;
}

export interface CompiledPlay {
  /** The task tree to run, section by section; roles appear as blocks with origin 'role'. */
  sections: Array<{ section: Section; nodes: Node[] }>;
  /** Roles in the order they run, after dedup. */
  roles: RoleInstance[];
  /** Every task in order with what it inherits, tag-filtered. */
  tasks: PlannedTask[];
  /** Handlers of the play and of its roles. */
  handlers: PlannedTask[];
}

interface Inherited {
  tags: string[];
  when: string[];
  blocks: Block[];
  recovery?: true;
}

/** Roles (deps first) as blocks; a role already run with the same params is skipped. */
function roleBlocks(roles: RoleInstance[], seen: Map<string, RoleInstance>, order: RoleInstance[]): Block[] {
  const out: Block[] = [];
  for (const role of roles) {
    const deps = roleBlocks(role.dependencies, seen, order);
    const key = `${role.path}\0${JSON.stringify(role.params)}`;
    if (seen.has(key) && !role.allowDuplicates) {
      out.push(...deps);
      continue;
    }
    seen.set(key, role);
    order.push(role);
    const b: Block = { kind: 'block', origin: 'role', ...role.scope, block: role.tasks, rescue: [], always: [], role };
    // A role's dependencies inherit the keywords of the role that needs them.
    out.push(
      ...deps.map((d) => ({ ...d, tags: [...role.scope.tags, ...d.tags], when: [...role.scope.when, ...d.when] })),
      b,
    );
  }
  return out;
}

export function compilePlay(play: Play, filter: TagFilter): CompiledPlay {
  const order: RoleInstance[] = [];
  const sections: CompiledPlay['sections'] = [
    { section: 'pre_tasks', nodes: play.preTasks },
    { section: 'roles', nodes: roleBlocks(play.roles, new Map(), order) },
    { section: 'tasks', nodes: play.tasks },
    { section: 'post_tasks', nodes: play.postTasks },
  ];
  const tasks: PlannedTask[] = [];
  const importedRoles: RoleInstance[] = [];
  const base: Inherited = { tags: [...play.tags], when: [], blocks: [] };
  for (const { section, nodes } of sections) walk(nodes, base, section, tasks, importedRoles);
  const handlers: PlannedTask[] = [];
  walk(play.handlers, base, 'tasks', handlers, []);
  for (const role of [...order, ...importedRoles])
    walk(role.handlers, { ...base, tags: [...base.tags, ...role.scope.tags] }, 'roles', handlers, []);
  return {
    sections,
    roles: [...order, ...importedRoles],
    tasks: tasks.filter((t) => tagsSelect(t.tags, filter)),
    handlers,
  };
}

function walk(
  nodes: Node[],
  inh: Inherited,
  section: Section,
  out: PlannedTask[],
  importedRoles: RoleInstance[],
): void {
  for (const n of nodes) {
    if (n.kind === 'task') {
      out.push({
        task: n,
        section,
        tags: uniq([...inh.tags, ...n.tags]),
        when: [...inh.when, ...n.when],
        blocks: inh.blocks,
        ...(inh.recovery ? { recovery: true as const } : {}),
      });
      continue;
    }
    if (n.origin === 'import_role' && n.role) importedRoles.push(n.role);
    const inner: Inherited = {
      tags: [...inh.tags, ...n.tags],
      when: [...inh.when, ...n.when],
      blocks: [...inh.blocks, n],
    };
    walk(n.block, inner, section, out, importedRoles);
    walk(n.rescue, { ...inner, recovery: true }, section, out, importedRoles);
    walk(n.always, { ...inner, recovery: true }, section, out, importedRoles);
  }
}

function uniq(a: string[]): string[] {
  return [...new Set(a)];
}
