// Ansible's keywords for plays, roles, blocks and tasks, as sets per scope, drawn from the one
// keyword table. A key that is neither a keyword nor a module is an error with a "did you mean".
import { keywordsAt, LOOP_CONTROL_TABLE } from './keyword-table.js';

export const PLAY_KEYWORDS = keywordsAt('play');
export const BLOCK_KEYWORDS = keywordsAt('block');
export const TASK_KEYWORDS = keywordsAt('task');
export const HANDLER_KEYWORDS = keywordsAt('handler');

/** Keywords of a `roles:` entry; any other key is a role parameter. */
export const ROLE_ENTRY_KEYWORDS = keywordsAt('role');

export const LOOP_CONTROL_KEYS = new Set(LOOP_CONTROL_TABLE.map((r) => r.name));

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
