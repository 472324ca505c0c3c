// The typed playbook model: what the loader produces and the planner and executor read.
// Every node remembers where it came from so runtime errors can point at the file too.
import type { SourcePos } from '../diagnostics.js';
import type { ModuleSpec } from '../modules/types.js';
import type { Vars } from '../vars/precedence.js';

/** Keywords that a play, role, block or import hands down to the tasks inside it. */
export interface Scope {
  tags: string[];
  /** Conditions, all of which must hold; inherited ones come first. */
  when: string[];
  vars: Vars;
  /** Every keyword as written (become, environment, ignore_errors, ...), for the executor. */
  keywords: Record<string, unknown>;
  pos: SourcePos;
  /** The mapping as written, for checks that need every value's own position. */
  raw?: Record<string, unknown>;
}

export interface LoopSpec {
  /** 'loop' or the lookup of `with_<lookup>` ('items', 'dict', 'fileglob', ...). */
  kind: string;
  value: unknown;
  pos: SourcePos;
}

export interface Task extends Scope {
  kind: 'task';
  name?: string;
  /** The module's canonical name, or include_tasks / include_role for dynamic includes. */
  action: string;
  /** How the task spelled the module (an alias or FQCN), for messages. */
  actionAs: string;
  module?: ModuleSpec;
  /**
   * Why lvsplay cannot run this task although Ansible can (a module it does not implement): the
   * playbook still loads, and a host the task runs on fails with this message.
   */
  unsupported?: string;
  /** Arguments Ansible's module takes and lvsplay's does not: a host fails if one is given (not omitted). */
  unsupportedArgs?: string[];
  /** Arguments: aliases renamed, loose types converted, templates left as text. */
  args: Record<string, unknown>;
  register?: string;
  notify: string[];
  /** Handlers only: the topics this handler also answers to. */
  listen: string[];
  loop?: LoopSpec;
  /** The role this task belongs to, if any (listing prints `role : task`). */
  role?: RoleInstance;
  /** For include_tasks / include_role: what it includes, resolved when the name is static. */
  include?: DynamicInclude;
}

export interface DynamicInclude {
  kind: 'tasks' | 'role';
  /** The file or role name as written (may be templated). */
  target: string;
  /** The resolved path, when the name had no template in it. */
  path?: string;
  tasksFrom?: string;
}

export interface Block extends Scope {
  kind: 'block';
  name?: string;
  /**
   * 'block' for a written block; imports and roles are blocks too, so their keywords apply
   * alike. 'include': what an include_tasks/include_role brought in at run time, its `vars:`
   * being include params (a higher precedence than block vars).
   */
  origin: 'block' | 'import_tasks' | 'import_role' | 'role' | 'include';
  block: Node[];
  rescue: Node[];
  always: Node[];
  role?: RoleInstance;
}

export type Node = Task | Block;

export interface RoleInstance {
  name: string;
  /** Directory of the role. */
  path: string;
  /** Role parameters (`- role: x` with extra keys, or `vars:` of the role entry). */
  params: Vars;
  defaults: Vars;
  vars: Vars;
  /** Tasks and handlers from tasks_from/handlers_from or main. */
  tasks: Node[];
  handlers: Node[];
  dependencies: RoleInstance[];
  allowDuplicates: boolean;
  scope: Scope;
}

export interface Play extends Scope {
  name: string;
  /** `hosts:` as written (a pattern string, or the list of patterns). */
  hosts: string[];
  hostsPos: SourcePos;
  /** Directory relative names resolve against (the playbook holding the play). */
  baseDir: string;
  file: string;
  varsFiles: Array<{ path: string; vars: Vars; pos: SourcePos }>;
  roles: RoleInstance[];
  preTasks: Node[];
  tasks: Node[];
  postTasks: Node[];
  handlers: Node[];
  serial?: Array<number | string>;
  gatherFacts: boolean;
  strategy: string;
  order: string;
  anyErrorsFatal: boolean;
  maxFailPercentage?: number;
}

export interface Playbook {
  /** The path given on the command line (listing prints it). */
  path: string;
  plays: Play[];
}
