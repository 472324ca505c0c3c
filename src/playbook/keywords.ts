// Ansible's keywords for plays, roles, blocks and tasks (docs: playbooks_keywords). A key that is
// neither a keyword nor a module is an error with a "did you mean".

const COMMON = [
  'any_errors_fatal',
  'become',
  'become_exe',
  'become_flags',
  'become_method',
  'become_user',
  'check_mode',
  'collections',
  'connection',
  'debugger',
  'diff',
  'environment',
  'ignore_errors',
  'ignore_unreachable',
  'module_defaults',
  'name',
  'no_log',
  'port',
  'remote_user',
  'run_once',
  'tags',
  'throttle',
  'timeout',
  'vars',
];

export const PLAY_KEYWORDS = new Set([
  ...COMMON,
  'fact_path',
  'force_handlers',
  'gather_facts',
  'gather_subset',
  'gather_timeout',
  'handlers',
  'hosts',
  'max_fail_percentage',
  'order',
  'post_tasks',
  'pre_tasks',
  'roles',
  'serial',
  'strategy',
  'tasks',
  'vars_files',
  'vars_prompt',
]);

export const BLOCK_KEYWORDS = new Set([
  ...COMMON,
  'always',
  'block',
  'rescue',
  'delegate_facts',
  'delegate_to',
  'when',
]);

export const TASK_KEYWORDS = new Set([
  ...COMMON,
  'action',
  'args',
  'async',
  'changed_when',
  'delay',
  'delegate_facts',
  'delegate_to',
  'failed_when',
  'local_action',
  'loop',
  'loop_control',
  'notify',
  'poll',
  'register',
  'retries',
  'until',
  'when',
]);

export const HANDLER_KEYWORDS = new Set([...TASK_KEYWORDS, 'listen']);

/** Keywords of a `roles:` entry; any other key is a role parameter. */
export const ROLE_ENTRY_KEYWORDS = new Set([...COMMON, 'role', 'when', 'delegate_to', 'delegate_facts']);

export const LOOP_CONTROL_KEYS = new Set([
  'loop_var',
  'index_var',
  'label',
  'pause',
  'extended',
  'extended_allitems',
  'break_when',
]);

/**
 * Keywords Ansible has that lvsplay refuses rather than silently ignores: a playbook relying on
 * them would behave differently here.
 */
export const UNSUPPORTED: Record<string, string> = {
  async: 'background tasks are not supported; run the command in the foreground',
  poll: 'background tasks are not supported; run the command in the foreground',
  vars_prompt: 'interactive prompts are not supported; pass the value with -e',
  debugger: 'the task debugger is not supported; remove the keyword',
  module_defaults: 'module_defaults is not supported; give the arguments on each task',
};

/** `include_tasks` and friends: handled by the loader, not modules. */
export const INCLUDES = {
  include_tasks: ['include_tasks', 'ansible.builtin.include_tasks', 'ansible.legacy.include_tasks'],
  import_tasks: ['import_tasks', 'ansible.builtin.import_tasks', 'ansible.legacy.import_tasks'],
  include_role: ['include_role', 'ansible.builtin.include_role', 'ansible.legacy.include_role'],
  import_role: ['import_role', 'ansible.builtin.import_role', 'ansible.legacy.import_role'],
} as const;
export type IncludeKind = keyof typeof INCLUDES;

export function includeKindOf(key: string): IncludeKind | undefined {
  for (const [k, names] of Object.entries(INCLUDES))
    if ((names as readonly string[]).includes(key)) return k as IncludeKind;
  return undefined;
}

/** `with_items`, `with_dict`... → the lookup name. */
export function withLookup(key: string): string | undefined {
  return /^with_[a-z_]+$/.test(key) ? key.slice(5) : undefined;
}
