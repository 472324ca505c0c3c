// Roles: found on the roles path, read from tasks/ handlers/ defaults/ vars/ meta/, their
// dependencies loaded first. Dedup (a role runs once per play) is the planner's business.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { closest, type SourcePos } from '../diagnostics.js';
import { isTemplated } from '../modules/args.js';
import { keyPosOf, posOf, valuePosOf } from '../yaml/load.js';
import type { Vars } from '../vars/precedence.js';
import { isMapping, readYaml, report, type LoadContext, type TaskSite } from './context.js';
import { ROLE_ENTRY_KEYWORDS } from './keywords.js';
import type { Block, DynamicInclude, Node, RoleInstance, Scope, Task } from './model.js';
import { findMainFile } from './paths.js';
import { parseScope } from './scope.js';
import { parseTaskList } from './tasks.js';

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

export function findRoleDir(ctx: LoadContext, name: string): string | undefined {
  if (name.includes('/') || isAbsolute(name)) {
    const p = isAbsolute(name) ? name : resolve(ctx.playbookDir, name);
    return isDir(p) ? p : undefined;
  }
  return ctx.rolesPath.map((d) => join(d, name)).find(isDir) ?? findCollectionRole(ctx, name)?.path;
}

/**
 * A role of a collection, as Ansible finds it: `ns.coll.role` (or a short name and the play's
 * `collections:`) under `ansible_collections/ns/coll/roles/` of each collections path. Its name
 * is the FQCN (listings print `ns.coll.role : task`).
 */
function findCollectionRole(ctx: LoadContext, name: string): { path: string; fqcn: string } | undefined {
  const parts = name.split('.');
  const candidates =
    parts.length === 3 ? [name] : parts.length === 1 ? ctx.playCollections.map((c) => `${c}.${name}`) : [];
  for (const fqcn of candidates) {
    const [ns, coll, role] = fqcn.split('.') as [string, string, string];
    for (const base of ctx.collectionsPath) {
      const path = join(base, 'ansible_collections', ns, coll, 'roles', role);
      if (isDir(path)) return { path, fqcn };
    }
  }
  return undefined;
}

interface RoleFrom {
  tasksFrom?: string;
  varsFrom?: string;
  defaultsFrom?: string;
  handlersFrom?: string;
}

/** Loads a role's files; `chain` holds the roles depending on it, to refuse cycles. */
export function loadRole(
  ctx: LoadContext,
  name: string,
  params: Vars,
  scope: Scope,
  pos: SourcePos,
  from: RoleFrom = {},
  chain: string[] = [],
): RoleInstance | undefined {
  if (isTemplated(name)) {
    report(
      ctx,
      `a role name cannot be a template here ('${name}')`,
      pos,
      'use include_role for a role chosen at run time',
    );
    return undefined;
  }
  const path = findRoleDir(ctx, name);
  if (!path) {
    const known = ctx.rolesPath.filter(isDir).flatMap((d) => safeList(d));
    const near = closest(name, known);
    report(
      ctx,
      `role '${name}' not found`,
      pos,
      `${near ? `did you mean '${near}'? ` : ''}looked in ${[...ctx.rolesPath, ...ctx.collectionsPath].join(', ')}`,
    );
    return undefined;
  }
  const inCollection = findCollectionRole(ctx, name);
  const roleName = inCollection?.path === path ? inCollection.fqcn : basename(path);
  if (chain.includes(path)) {
    report(
      ctx,
      `role '${roleName}' depends on itself (${[...chain, path].map((p) => basename(p)).join(' -> ')})`,
      pos,
      'break the dependency cycle in meta/main.yml',
    );
    return undefined;
  }
  const role: RoleInstance = {
    name: roleName,
    path,
    params,
    defaults: {},
    vars: {},
    tasks: [],
    handlers: [],
    dependencies: [],
    allowDuplicates: false,
    scope,
  };
  role.defaults = readVarsFile(
    ctx,
    join(path, 'defaults'),
    from.defaultsFrom ?? 'main',
    from.defaultsFrom !== undefined,
    pos,
  );
  role.vars = readVarsFile(ctx, join(path, 'vars'), from.varsFrom ?? 'main', from.varsFrom !== undefined, pos);
  role.tasks = readTasks(ctx, role, 'tasks', from.tasksFrom, pos);
  role.handlers = readTasks(ctx, role, 'handlers', from.handlersFrom, pos);
  for (const k of [...Object.keys(role.defaults), ...Object.keys(role.vars), ...Object.keys(params)])
    ctx.definedNames.add(k);
  const metaFile = findMainFile(join(path, 'meta'));
  const meta = metaFile ? readYaml(ctx, metaFile) : undefined;
  if (isMapping(meta)) {
    role.allowDuplicates = meta.allow_duplicates === true;
    const deps = meta.dependencies;
    if (Array.isArray(deps)) {
      deps.forEach((d, i) => {
        const dep = roleEntry(ctx, d, valuePosOf(deps, i) ?? posOf(meta)!, [...chain, path]);
        if (dep) role.dependencies.push(dep);
      });
    } else if (deps !== undefined && deps !== null)
      report(
        ctx,
        "a role's 'dependencies' must be a list of roles",
        valuePosOf(meta, 'dependencies'),
        'write dependencies: [other]',
      );
  }
  return role;
}

function safeList(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

function readVarsFile(ctx: LoadContext, dir: string, base: string, required: boolean, pos: SourcePos): Vars {
  const f = findMainFile(dir, base.replace(/\.(ya?ml|json)$/, ''));
  if (!f) {
    if (required) report(ctx, `vars file '${base}' not found in ${dir}`, pos, 'fix the name');
    return {};
  }
  const v = readYaml(ctx, f, 'vars');
  if (v === undefined || v === null) return {};
  if (!isMapping(v)) {
    report(
      ctx,
      `${f} must hold a mapping of variables`,
      posOf(v) ?? { file: f, line: 1, col: 1 },
      'write name: value lines',
    );
    return {};
  }
  return v;
}

function readTasks(
  ctx: LoadContext,
  role: RoleInstance,
  sub: 'tasks' | 'handlers',
  from: string | undefined,
  pos: SourcePos,
): Node[] {
  const dir = join(role.path, sub);
  const f = findMainFile(dir, (from ?? 'main').replace(/\.(ya?ml|json)$/, ''));
  if (!f) {
    if (from !== undefined)
      report(ctx, `${sub} file '${from}' not found in role '${role.name}'`, pos, `look in ${dir}`);
    return [];
  }
  const v = readYaml(ctx, f);
  const site: TaskSite = { file: f, dir: dirname(f), role, handlers: sub === 'handlers' };
  return parseTaskList(ctx, v, site, posOf(v) ?? { file: f, line: 1, col: 1 });
}

/** One entry of `roles:` or of `dependencies:`: a name, or a mapping with role/name, keywords and params. */
export function roleEntry(
  ctx: LoadContext,
  raw: unknown,
  at: SourcePos,
  chain: string[] = [],
): RoleInstance | undefined {
  if (typeof raw === 'string') return loadRole(ctx, raw, {}, emptyScope(at), at, {}, chain);
  if (!isMapping(raw)) {
    report(ctx, 'a role entry must be a role name or a mapping with role:', at, 'write - role: name');
    return undefined;
  }
  const name = raw.role ?? raw.name;
  if (typeof name !== 'string') {
    report(ctx, 'a role entry needs the role name under role:', at, 'write - role: name');
    return undefined;
  }
  const kws: string[] = [];
  const params: Vars = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'role' || k === 'name') continue;
    if (ROLE_ENTRY_KEYWORDS.has(k)) kws.push(k);
    else params[k] = v;
  }
  const scope = parseScope(ctx, raw, kws, at, 'role');
  Object.assign(params, scope.vars);
  return loadRole(ctx, name, params, scope, valuePosOf(raw, raw.role !== undefined ? 'role' : 'name') ?? at, {}, chain);
}

export function emptyScope(pos: SourcePos): Scope {
  return { tags: [], when: [], vars: {}, keywords: {}, pos };
}

function fromArgs(args: Record<string, unknown>): RoleFrom {
  const out: RoleFrom = {};
  if (typeof args.tasks_from === 'string') out.tasksFrom = args.tasks_from;
  if (typeof args.vars_from === 'string') out.varsFrom = args.vars_from;
  if (typeof args.defaults_from === 'string') out.defaultsFrom = args.defaults_from;
  if (typeof args.handlers_from === 'string') out.handlersFrom = args.handlers_from;
  return out;
}

/** import_role: the role's tasks in place, as a block carrying the task's keywords. */
export function importRole(
  ctx: LoadContext,
  name: string,
  args: Record<string, unknown>,
  task: Task,
  site: TaskSite,
  pos: SourcePos,
): Block | undefined {
  const scope: Scope = { tags: task.tags, when: task.when, vars: {}, keywords: task.keywords, pos: task.pos };
  const role = loadRole(
    ctx,
    name,
    { ...task.vars },
    scope,
    (isMapping(task.args) && keyPosOf(task.args, 'name')) || pos,
    fromArgs(args),
    site.role ? [site.role.path] : [],
  );
  if (!role) return undefined;
  if (args.allow_duplicates !== undefined) role.allowDuplicates = args.allow_duplicates === true;
  const b: Block = { kind: 'block', origin: 'import_role', ...scope, block: role.tasks, rescue: [], always: [], role };
  return b;
}

/** include_role: recorded for run time; a static name is resolved and read now for its mistakes. */
export function resolveIncludedRole(
  ctx: LoadContext,
  name: string,
  args: Record<string, unknown>,
  site: TaskSite,
  pos: SourcePos,
): DynamicInclude {
  const inc: DynamicInclude = { kind: 'role', target: name };
  if (typeof args.tasks_from === 'string') inc.tasksFrom = args.tasks_from;
  if (isTemplated(name)) return inc;
  const role = loadRole(ctx, name, {}, emptyScope(pos), pos, fromArgs(args), site.role ? [site.role.path] : []);
  if (role) inc.path = role.path;
  return inc;
}
