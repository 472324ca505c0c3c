// What the executor tells the world. The scheduler emits these events; reporters only draw
// them (listr2 tree, plain lines, JSON, test recorder) and never decide anything.

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable' | 'unknown';

/** One change a module planned (and, outside check mode, applied). */
export interface ChangeSummary {
  /** Short description shown in diffs and -v output, e.g. "set net.ipv4.ip_forward 0 -> 1". */
  summary: string;
  /** Unified diff of file content or state, when there is one. */
  diff?: { before: string; after: string; beforeHeader?: string; afterHeader?: string };
}

/** Every task x host ends in this one shape. */
export interface TaskResult {
  status: TaskStatus;
  changes: ChangeSummary[];
  msg?: string;
  stdout?: string;
  stderr?: string;
  rc?: number;
  ms: number;
  warnings: string[];
  /** The result would have failed but `ignore_errors` was set. */
  ignored?: boolean;
  /** A rescue block ran for this failure. */
  rescued?: boolean;
  /** Module-specific return values (registered by `register`). */
  data?: Record<string, unknown>;
  /** Set by `no_log: true`: reporters must print nothing but the status. */
  noLog?: boolean;
  /** One result per loop item, when the task had a loop. */
  items?: LoopItem[];
  /** -vv: the commands that ran (redacted). */
  commands?: string[];
  /**
   * The module's output is its point: reporters show it at any verbosity, indented (Ansible's
   * _ansible_verbose_always). 'data': only its msg and data, as Ansible's callbacks show debug
   * (they drop its `changed`); 'result': the whole result (assert).
   */
  verboseAlways?: 'data' | 'result';
}

export interface TaskRef {
  /** Display name: `role : name`, or the module and args when unnamed. */
  name: string;
  role?: string;
  /** file:line of the task, for errors and -v. */
  path?: string;
  isHandler?: boolean;
}

export interface HostCounts {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export type RunEvent =
  | { type: 'runStart'; playbook: string; check: boolean; diff: boolean; hosts: string[] }
  | { type: 'playStart'; name: string; pattern: string; hosts: string[] }
  | { type: 'taskStart'; task: TaskRef; hosts: string[] }
  | { type: 'taskResult'; task: TaskRef; host: string; delegatedTo?: string; result: TaskResult }
  | { type: 'warning'; host?: string; message: string }
  | { type: 'playEnd'; name: string }
  | { type: 'runEnd'; recap: Record<string, HostCounts>; ms: number; exitCode: number; interrupted: boolean };

/** Reporters subscribe with optional hooks (see DESIGN.md "Policy in exec, pictures in report"). */
export interface Reporter {
  onEvent(e: RunEvent): void;
  /** Flushes output (a TTY renderer stops its spinners). */
  close?(): Promise<void> | void;
}

/** One item of a loop's result. */
export interface LoopItem {
  /** What is shown for the item: its loop_control.label, else the item. */
  item: unknown;
  result: TaskResult;
  /**
   * What the item adds to its registered result, as Ansible's: the loop variable under its own
   * name (the item itself, not its label), `ansible_loop_var`, the index variable and
   * `ansible_index_var`, `ansible_loop` with `extended`.
   */
  loopVars?: Record<string, unknown>;
  /** The item's own delegate_to, rendered with the item (`web1 -> lvs1`), when the task has one. */
  delegatedTo?: string;
}
