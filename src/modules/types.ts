// The shape every module has (see DESIGN.md: a module is data in, commands out).
// Arguments are checked against `args` at load time, before any connection; the execution
// layer reads facts, asks `plan` for the changes, and applies their commands.
import type * as z from 'zod';

export interface ModuleSpec<A = unknown> {
  /** Canonical lvsplay name, e.g. 'sysctl'. */
  name: string;
  /** Ansible names and FQCNs with the same semantics, e.g. 'ansible.posix.sysctl'. */
  aliases: string[];
  /** Argument schema with Ansible's argument names; unknown arguments are load-time errors. */
  args: z.ZodType<A>;
  /** The argument that takes Ansible's free form (`command: ls -l`, `shell: ...`), if any. */
  freeForm?: string;
  /**
   * The free form is a command line (command, shell): only this module's own `key=value` options
   * are split out of it, the rest stays the command, as Ansible does.
   */
  rawFreeForm?: boolean;
  /** Runs on the controller only (debug, set_fact, assert, fail, meta...). */
  local?: boolean;
  /** command/shell: check mode reports "unknown" rather than guessing "ok". */
  predictable?: false;
  /**
   * Ansible's BYPASS_HOST_LOOP (add_host): the task runs once, for the first host of the batch,
   * and only that host reports it; the others neither run nor count it.
   */
  bypassHostLoop?: true;
  /**
   * Changes the run's inventory (group_by): its hosts run it one after another, in the batch's
   * order, so which host's result makes a group, and so reports changed, does not depend on
   * timing. Ansible applies results as they arrive; its workers for a local action usually
   * finish in host order, which is the order kept here.
   */
  inHostOrder?: true;
}
