// The one table of playbook keywords: where each is valid (as ansible-core 2.14 accepts it: the
// field attributes of Play, RoleInclude, Block, Task and Handler), the type of its value, and
// whether lvsplay honours it or refuses it at load with what to do instead. No keyword that
// loads is ignored: the loader validates against this table, and test/unit/keyword-table.test.ts
// walks it (every implemented keyword has a behaviour test, every refused one a located error).

export type KeywordScope = 'play' | 'role' | 'block' | 'task' | 'handler';

/** The value a keyword takes; bool and int are checked at load, the rest by their readers. */
export type KeywordType = 'bool' | 'int' | 'string' | 'list' | 'mapping' | 'condition' | 'tasks' | 'any';

export interface KeywordSpec {
  name: string;
  scopes: readonly KeywordScope[];
  type: KeywordType;
  /** Absent: honoured. Present: refused at load, with this as what to do. */
  refused?: string;
}

const ALL: readonly KeywordScope[] = ['play', 'role', 'block', 'task', 'handler'];
const PLAY: readonly KeywordScope[] = ['play'];
const BELOW_PLAY: readonly KeywordScope[] = ['role', 'block', 'task', 'handler'];
const TASK: readonly KeywordScope[] = ['task', 'handler'];

const row = (name: string, scopes: readonly KeywordScope[], type: KeywordType, refused?: string): KeywordSpec =>
  refused ? { name, scopes, type, refused } : { name, scopes, type };

export const KEYWORD_TABLE: readonly KeywordSpec[] = [
  // Valid everywhere.
  row('any_errors_fatal', ALL, 'bool'),
  row('become', ALL, 'bool'),
  row('become_exe', ALL, 'string', 'become_exe is not supported: lvsplay runs sudo or su from the PATH; remove it'),
  row('become_flags', ALL, 'string'),
  row('become_method', ALL, 'string'),
  row('become_user', ALL, 'string'),
  row('check_mode', ALL, 'bool'),
  row('collections', ALL, 'list'),
  row('connection', ALL, 'string'),
  row('debugger', ALL, 'string', 'the task debugger is not supported; remove the keyword'),
  row('diff', ALL, 'bool'),
  row('environment', ALL, 'mapping'),
  row('ignore_errors', ALL, 'bool'),
  row('ignore_unreachable', ALL, 'bool'),
  row('module_defaults', ALL, 'mapping', 'module_defaults is not supported; give the arguments on each task'),
  row('name', ALL, 'string'),
  row('no_log', ALL, 'bool'),
  row('port', ALL, 'int'),
  row('remote_user', ALL, 'string'),
  row('run_once', ALL, 'bool'),
  row('tags', ALL, 'list'),
  row('throttle', ALL, 'int'),
  row('timeout', ALL, 'int'),
  row('vars', ALL, 'mapping'),
  // Plays only.
  row('fact_path', PLAY, 'string', 'local facts (facts.d) are not read; set the values as vars or with set_fact'),
  row('force_handlers', PLAY, 'bool'),
  row('gather_facts', PLAY, 'bool'),
  row('gather_subset', PLAY, 'list'),
  row('gather_timeout', PLAY, 'int'),
  row('handlers', PLAY, 'tasks'),
  row('hosts', PLAY, 'list'),
  row('max_fail_percentage', PLAY, 'int'),
  row('order', PLAY, 'string'),
  row('post_tasks', PLAY, 'tasks'),
  row('pre_tasks', PLAY, 'tasks'),
  row('roles', PLAY, 'list'),
  row('serial', PLAY, 'any'),
  row('strategy', PLAY, 'string'),
  row('tasks', PLAY, 'tasks'),
  row('vars_files', PLAY, 'list'),
  row('vars_prompt', PLAY, 'list', 'interactive prompts are not supported; pass the value with -e'),
  // Below the play.
  row('delegate_facts', BELOW_PLAY, 'bool'),
  row('delegate_to', BELOW_PLAY, 'string'),
  row('when', BELOW_PLAY, 'condition'),
  row('role', ['role'], 'string'),
  row('block', ['block'], 'tasks'),
  row('rescue', ['block'], 'tasks'),
  row('always', ['block'], 'tasks'),
  row('notify', TASK, 'list'),
  row('notify', ['block'], 'list', 'notify on a block is not supported; put notify on the tasks of the block'),
  // Tasks and handlers.
  row('action', TASK, 'any'),
  row('args', TASK, 'mapping'),
  row('async', TASK, 'int', 'background tasks are not supported; run the command in the foreground'),
  row('changed_when', TASK, 'condition'),
  row('delay', TASK, 'int'),
  row('failed_when', TASK, 'condition'),
  row('local_action', TASK, 'any'),
  row('loop', TASK, 'list'),
  row('loop_control', TASK, 'mapping'),
  row('poll', TASK, 'int', 'background tasks are not supported; run the command in the foreground'),
  row('register', TASK, 'string'),
  row('retries', TASK, 'int'),
  row('until', TASK, 'condition'),
  row('listen', ['handler'], 'list'),
];

/** The row of `name` at `scope`, if the keyword is valid there. */
export function keywordAt(name: string, scope: KeywordScope): KeywordSpec | undefined {
  return KEYWORD_TABLE.find((r) => r.name === name && r.scopes.includes(scope));
}

/** Every keyword valid at `scope` (honoured or refused: a refused one is a located error, not "unknown"). */
export function keywordsAt(scope: KeywordScope): Set<string> {
  return new Set(KEYWORD_TABLE.filter((r) => r.scopes.includes(scope)).map((r) => r.name));
}

/** The settings of `loop_control` as ansible-core 2.14 has them (its LoopControl attributes). */
export const LOOP_CONTROL_TABLE: readonly KeywordSpec[] = [
  row('loop_var', TASK, 'string'),
  row('index_var', TASK, 'string'),
  row('label', TASK, 'string'),
  row('pause', TASK, 'int'),
  row('extended', TASK, 'bool'),
  row('extended_allitems', TASK, 'bool'),
];
