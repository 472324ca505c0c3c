// Task lists: each entry becomes a Task or a Block; static imports are expanded here, dynamic
// includes recorded (their file checked when its name has no template in it).
import { dirname } from 'node:path';
import { closest, type SourcePos } from '../diagnostics.js';
import { isTemplated } from '../modules/args.js';
import { beyondAnsible } from '../modules/beyond-ansible.js';
import { checkModuleArgs } from '../modules/check.js';
import { moduleNames, resolveModule } from '../modules/registry.js';
import { ansibleModuleNames, ansibleModuleOf, ansibleOptionsOf } from '../modules/ansible-names.js';
import type { ModuleSpec } from '../modules/types.js';
import { keyPosOf, posOf, valuePosOf } from '../yaml/load.js';
import { isMapping, readYaml, report, warn, type LoadContext, type TaskSite } from './context.js';
import {
  BLOCK_KEYWORDS,
  HANDLER_KEYWORDS,
  TASK_KEYWORDS,
  includeKindOf,
  withLookup,
  type IncludeKind,
} from './keywords.js';
import type { Block, Node, Task } from './model.js';
import { parseKv } from './kv.js';
import { expandActionForm } from './legacy.js';
import { findSource, findTaskFile } from './paths.js';
import { importRole, resolveIncludedRole } from './roles.js';
import { parseScope, unknownKeyword } from './scope.js';
import { checkTaskKeywords } from './task-keywords.js';
import { checkSourceFile } from './sources.js';

const REMOVED_INCLUDE = "'include' was removed from Ansible; use include_tasks (dynamic) or import_tasks (static)";
const DEPRECATED_INCLUDE =
  "'include' is deprecated in Ansible (ansible-core 2.14 still runs it and prints a deprecation warning; 2.16 removes it)";

export function parseTaskList(ctx: LoadContext, list: unknown, site: TaskSite, pos: SourcePos): Node[] {
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) {
    report(ctx, 'a task list must be a YAML list of tasks', posOf(list) ?? pos, 'start each task with "- "');
    return [];
  }
  const out: Node[] = [];
  list.forEach((entry, i) => {
    const at = valuePosOf(list, i) ?? pos;
    out.push(...parseEntry(ctx, entry, site, at));
  });
  return out;
}

function parseEntry(ctx: LoadContext, entry: unknown, site: TaskSite, at: SourcePos): Node[] {
  if (!isMapping(entry)) {
    report(
      ctx,
      `a task must be a mapping of keywords and one module, got ${entry === null ? 'nothing' : typeof entry}`,
      at,
      'write e.g. "- name: ...\\n  package: name=x"',
    );
    return [];
  }
  if ('block' in entry && (entry.block === null || entry.block === undefined)) {
    // ansible-playbook refuses an empty `block:` as a malformed block.
    report(ctx, "'block' holds no tasks", keyPosOf(entry, 'block') ?? at, 'list the tasks under block:, or remove it');
    return [];
  }
  if ('block' in entry) return [parseBlock(ctx, entry, site, at)];
  const raw = expandActionForm(ctx, entry, at);

  const keywords = site.handlers ? HANDLER_KEYWORDS : TASK_KEYWORDS;
  const kws: string[] = [];
  // `lacking`: a module Ansible has (its FQCN) that lvsplay does not implement.
  const actions: Array<{ key: string; spec?: ModuleSpec; include?: IncludeKind; lacking?: string }> = [];
  const unknown: string[] = [];
  let loopKey: string | undefined;
  for (const key of Object.keys(raw)) {
    if (keywords.has(key)) kws.push(key);
    else if (withLookup(key)) {
      if (loopKey)
        report(
          ctx,
          `'${key}' and '${loopKey}' both loop; a task has one loop`,
          keyPosOf(raw, key) ?? at,
          'keep one of them',
        );
      loopKey = key;
    } else if (key === 'include') actions.push({ key, include: legacyIncludeKind(ctx, raw, at) });
    else if (includeKindOf(key)) actions.push({ key, include: includeKindOf(key)! });
    else if (resolveModule(key)) actions.push({ key, spec: resolveModule(key)! });
    else if (ansibleModuleOf(key)) actions.push({ key, lacking: ansibleModuleOf(key)! });
    else unknown.push(key);
  }
  if (raw.loop !== undefined && loopKey)
    report(
      ctx,
      `'loop' and '${loopKey}' both loop; a task has one loop`,
      keyPosOf(raw, loopKey) ?? at,
      'keep one of them',
    );

  // Built only for a task with an unknown key: some 3000 names, too many to copy for every task.
  const names = unknown.length > 0 ? [...moduleNames(), ...ansibleModuleNames()] : [];
  for (const key of unknown) {
    // Beside a module, a stray key is a misspelt keyword; alone, most likely a misspelt module.
    const nearKw = closest(key, keywords);
    const nearMod = closest(key, names);
    if (actions.length > 0 || (unknown.length > 1 && nearKw && !nearMod))
      unknownKeyword(ctx, raw, key, keywords, 'task', at);
    else
      report(
        ctx,
        `unknown module '${key}'`,
        keyPosOf(raw, key) ?? at,
        nearMod || nearKw ? `did you mean '${nearMod ?? nearKw}'?` : 'see the module list in docs/playbooks.md',
      );
  }
  if (actions.length > 1) {
    const second = actions[1]!;
    report(
      ctx,
      `a task has two modules: '${actions[0]!.key}' and '${second.key}'`,
      keyPosOf(raw, second.key) ?? at,
      'split it into two tasks',
    );
    return [];
  }
  const action = actions[0];
  if (!action) {
    if (unknown.length === 0)
      report(ctx, 'this task has no module to run', at, 'add a module such as "command:" or "debug:"');
    return [];
  }
  const scope = parseScope(ctx, raw, kws, at, site.handlers ? 'handler' : 'task');
  checkTaskKeywords(ctx, raw, at);
  const task: Task = {
    kind: 'task',
    ...scope,
    action: action.spec?.name ?? action.include ?? action.key,
    actionAs: action.key,
    args: {},
    notify: toStrings(raw.notify),
    listen: toStrings(raw.listen),
  };
  if (typeof raw.name === 'string') task.name = raw.name;
  else if (raw.name !== undefined && raw.name !== null) task.name = String(raw.name);
  if (typeof raw.register === 'string') {
    task.register = raw.register;
    ctx.definedNames.add(raw.register);
  }
  if (raw.loop !== undefined) task.loop = { kind: 'loop', value: raw.loop, pos: valuePosOf(raw, 'loop') ?? at };
  else if (loopKey) {
    task.loop = { kind: withLookup(loopKey)!, value: raw[loopKey], pos: valuePosOf(raw, loopKey) ?? at };
    const v = raw[loopKey];
    const overList = ['with_items', 'with_list', 'with_flattened', 'with_indexed_items', 'with_dict'];
    if (typeof v === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) && overList.includes(loopKey))
      warn(
        ctx,
        `${loopKey}: ${v} loops over the one string '${v}', not over a variable: ansible-core 2.14 no longer ` +
          'looks bare names up as variables, and neither does lvsplay',
        task.loop.pos,
        `write ${loopKey}: "{{ ${v} }}" to loop over the variable`,
      );
  }
  if (site.role) task.role = site.role;

  const modulePos = keyPosOf(raw, action.key) ?? at;
  const { args, source } = gatherArgs(ctx, raw, action.key, action.spec, modulePos);
  if (action.key === 'include') {
    // `include: file.yml k=v`: the words after the file name are variables of the include.
    const kv = typeof args._raw_params === 'string' ? parseKv(args._raw_params) : undefined;
    if (kv?.rest !== undefined) {
      task.vars = { ...task.vars, ...kv.args };
      args._raw_params = kv.rest;
    }
  }
  if (action.include) return includeOrImport(ctx, task, action.include, args, site, modulePos, source);
  if (action.lacking) {
    task.args = args;
    task.unsupported = `module ${named(action.key)} is not implemented by lvsplay`;
    warn(
      ctx,
      `${task.unsupported}; the playbook loads, and a host this task runs on fails`,
      modulePos,
      'guard the task with when: so that it never runs on hosts lvsplay manages, or replace the module',
    );
    return [task];
  }
  const spec = action.spec!;
  task.module = spec;
  const checked = checkModuleArgs(spec, args, source, modulePos, {
    name: action.key,
    options: ansibleOptionsOf(action.key) ?? [],
    beyond: beyondAnsible(ansibleModuleOf(action.key)),
  });
  ctx.diagnostics.push(...checked.diagnostics);
  task.args = checked.args ?? args;
  if (checked.unsupported.length) {
    task.unsupportedArgs = checked.unsupported;
    for (const k of checked.unsupported)
      warn(
        ctx,
        `argument '${k}' of module ${named(action.key)} is not implemented by lvsplay; ` +
          'a host this task runs on fails unless its value is omitted',
        (source && keyPosOf(source, k)) ?? modulePos,
        `drop '${k}', or give it "{{ omit }}" where lvsplay runs the task`,
      );
  }
  noteDefinedNames(ctx, task, site);
  if (checked.args) checkSourceFile(ctx, task, site, modulePos, source);
  return [task];
}

/**
 * `include:` runs as ansible-core 2.14 runs it: statically (import_tasks) when its file name holds
 * no template and the task has no loop, else dynamically (include_tasks); with its deprecation.
 */
function legacyIncludeKind(ctx: LoadContext, raw: Record<string, unknown>, at: SourcePos): IncludeKind {
  const value = raw.include;
  const target = typeof value === 'string' ? value : isMapping(value) ? (value.file ?? value._raw_params) : undefined;
  const looped = raw.loop !== undefined || Object.keys(raw).some((k) => withLookup(k));
  const kind = looped || isTemplated(target) ? 'include_tasks' : 'import_tasks';
  warn(
    ctx,
    `${DEPRECATED_INCLUDE}; it runs here as ${kind}, as 2.14 does`,
    keyPosOf(raw, 'include') ?? at,
    `rename include: to ${kind}:`,
  );
  return kind;
}

/** 'apt' (ansible.builtin.apt): how the task wrote a module, and what Ansible runs for it. */
function named(key: string): string {
  const fqcn = ansibleModuleOf(key);
  return fqcn && fqcn !== key ? `'${key}' (${fqcn})` : `'${key}'`;
}

function toStrings(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** Module arguments from the mapping, the free form and `args:`, as Ansible merges them. */
function gatherArgs(
  ctx: LoadContext,
  raw: Record<string, unknown>,
  key: string,
  spec: ModuleSpec | undefined,
  pos: SourcePos,
): { args: Record<string, unknown>; source: object | undefined } {
  const value = raw[key];
  let args: Record<string, unknown> = {};
  let source: object | undefined;
  if (isMapping(value)) {
    args = { ...value };
    source = value;
  } else if (typeof value === 'string' || typeof value === 'number') {
    const text = String(value);
    const freeForm = spec?.freeForm ?? (spec ? undefined : '_raw_params');
    const onlyKeys = spec?.rawFreeForm
      ? new Set(['chdir', 'creates', 'removes', 'executable', 'stdin', 'stdin_add_newline', 'strip_empty_ends'])
      : undefined;
    // `include_role: name=x tasks_from=y`: the free form of a role include is key=value words.
    const roleInclude = ['include_role', 'import_role'].includes(includeKindOf(key) ?? '');
    const kv =
      spec?.name === 'set_fact' || !freeForm || onlyKeys || roleInclude
        ? parseKv(text, onlyKeys)
        : { args: {}, rest: text };
    args = { ...kv.args };
    if (kv.rest !== undefined) {
      if (freeForm) args[freeForm] = kv.rest;
      else
        report(
          ctx,
          `module '${spec!.name}' takes key=value arguments, not free text '${kv.rest}'`,
          valuePosOf(raw, key) ?? pos,
          'write the arguments as a mapping',
        );
    }
  } else if (value !== null && value !== undefined) {
    report(
      ctx,
      `the arguments of '${key}' must be a mapping or key=value text`,
      valuePosOf(raw, key) ?? pos,
      'write the arguments as a mapping',
    );
  }
  const extra = raw.args;
  if (extra !== undefined && extra !== null) {
    if (!isMapping(extra))
      report(ctx, "'args' must be a mapping", valuePosOf(raw, 'args') ?? pos, 'write args: {name: value}');
    else {
      args = { ...extra, ...args };
      source ??= extra;
    }
  }
  return { args, source };
}

function parseBlock(ctx: LoadContext, raw: Record<string, unknown>, site: TaskSite, at: SourcePos): Block {
  const kws: string[] = [];
  for (const key of Object.keys(raw)) {
    if (BLOCK_KEYWORDS.has(key)) kws.push(key);
    else if (key === 'include')
      report(ctx, REMOVED_INCLUDE, keyPosOf(raw, key) ?? at, 'rename include: to include_tasks: or import_tasks:');
    else unknownKeyword(ctx, raw, key, BLOCK_KEYWORDS, 'block', at);
  }
  const scope = parseScope(ctx, raw, kws, at, 'block');
  const b: Block = {
    kind: 'block',
    ...scope,
    origin: 'block',
    block: parseTaskList(ctx, raw.block, site, valuePosOf(raw, 'block') ?? at),
    rescue: parseTaskList(ctx, raw.rescue, site, valuePosOf(raw, 'rescue') ?? at),
    always: parseTaskList(ctx, raw.always, site, valuePosOf(raw, 'always') ?? at),
  };
  if (typeof raw.name === 'string') b.name = raw.name;
  if (site.role) b.role = site.role;
  return b;
}

const INCLUDE_ARGS: Record<IncludeKind, string[]> = {
  include_tasks: ['file', 'apply', '_raw_params'],
  import_tasks: ['file', '_raw_params'],
  include_role: [
    'name',
    'tasks_from',
    'vars_from',
    'defaults_from',
    'handlers_from',
    'allow_duplicates',
    'public',
    'apply',
    'rolespec_validate',
  ],
  import_role: [
    'name',
    'tasks_from',
    'vars_from',
    'defaults_from',
    'handlers_from',
    'allow_duplicates',
    'public',
    'rolespec_validate',
  ],
};

function includeOrImport(
  ctx: LoadContext,
  task: Task,
  kind: IncludeKind,
  args: Record<string, unknown>,
  site: TaskSite,
  pos: SourcePos,
  source: object | undefined,
): Node[] {
  for (const k of Object.keys(args)) {
    if (!INCLUDE_ARGS[kind].includes(k)) {
      const near = closest(k, INCLUDE_ARGS[kind]);
      report(
        ctx,
        `'${kind}' has no argument '${k}'`,
        (source && keyPosOf(source, k)) ?? pos,
        near ? `did you mean '${near}'?` : `its arguments are: ${INCLUDE_ARGS[kind].join(', ')}`,
      );
    }
  }
  task.args = args;
  if (kind === 'include_tasks' || kind === 'import_tasks') {
    const target = args.file ?? args._raw_params;
    if (typeof target !== 'string' || target === '') {
      report(ctx, `'${kind}' needs the file to include`, pos, `write ${kind}: other.yml`);
      return [];
    }
    if (isTemplated(target)) {
      if (kind === 'import_tasks')
        report(
          ctx,
          `'import_tasks' is static: its file name cannot hold a template ('${target}')`,
          pos,
          'use include_tasks for a file chosen at run time',
        );
      task.include = { kind: 'tasks', target };
      return kind === 'include_tasks' ? [task] : [];
    }
    const path = findTaskFile(ctx, target, site);
    if (!path) {
      report(
        ctx,
        `${task.actionAs}: task file '${target}' not found`,
        (source && valuePosOf(source, 'file')) ?? pos,
        `looked beside ${site.file}${site.role ? ` and in ${site.role.path}/tasks` : ''}`,
      );
      return [];
    }
    if (kind === 'include_tasks') {
      task.include = { kind: 'tasks', target, path };
      // Read now so its mistakes are found before any host is touched.
      loadTaskFile(ctx, path, { ...site, file: path, dir: dirname(path) }, pos);
      return [task];
    }
    const nodes = loadTaskFile(ctx, path, { ...site, file: path, dir: dirname(path) }, pos);
    const b: Block = {
      kind: 'block',
      origin: 'import_tasks',
      tags: task.tags,
      when: task.when,
      vars: task.vars,
      keywords: task.keywords,
      pos: task.pos,
      block: nodes,
      rescue: [],
      always: [],
    };
    if (site.role) b.role = site.role;
    return [b];
  }
  const name = args.name;
  if (typeof name !== 'string' || name === '') {
    report(ctx, `'${kind}' needs the role's name`, pos, `write ${kind}: {name: myrole}`);
    return [];
  }
  if (kind === 'include_role') {
    task.include = resolveIncludedRole(ctx, name, args, site, pos);
    return [task];
  }
  const b = importRole(ctx, name, args, task, site, pos);
  return b ? [b] : [];
}

/** Reads a task file (imported or included), refusing import cycles. */
export function loadTaskFile(ctx: LoadContext, path: string, site: TaskSite, pos: SourcePos): Node[] {
  if (ctx.importing.includes(path)) {
    report(
      ctx,
      `task file ${path} imports itself (through ${ctx.importing.slice(ctx.importing.indexOf(path)).join(' -> ')})`,
      pos,
      'break the import cycle',
    );
    return [];
  }
  const value = readYaml(ctx, path);
  if (value === undefined) return [];
  if (value === null) {
    warn(ctx, `task file ${path} is empty`, pos);
    return [];
  }
  ctx.importing.push(path);
  try {
    return parseTaskList(ctx, value, site, posOf(value) ?? { file: path, line: 1, col: 1 });
  } finally {
    ctx.importing.pop();
  }
}

/** set_fact, add_host and include_vars define names the static undefined-variable check must know. */
function noteDefinedNames(ctx: LoadContext, task: Task, site: TaskSite): void {
  // add_host's arguments other than its own are the new host's variables.
  if (task.action === 'set_fact' || task.action === 'add_host')
    for (const k of Object.keys(task.args)) ctx.definedNames.add(k);
  if (task.action === 'include_vars') {
    if (typeof task.args.name === 'string') ctx.definedNames.add(task.args.name);
    const file = task.args.file;
    const path = typeof file === 'string' && !isTemplated(file) ? findSource(ctx, file, 'vars', site) : undefined;
    const vars = path ? readYaml(ctx, path, 'vars') : undefined;
    if (isMapping(vars)) for (const k of Object.keys(vars)) ctx.definedNames.add(k);
    else ctx.dynamicVars = true;
  }
}
