// Checks a task's module arguments against the module's schema and turns every problem into a
// diagnostic at the argument's own place in the file.
import type * as z from 'zod';
import { closest, diag, type Diagnostic, type SourcePos } from '../diagnostics.js';
import { keyPosOf, valuePosOf } from '../yaml/load.js';
import type { ModuleSpec } from './types.js';

export interface ArgsCheck {
  /** The arguments with aliases renamed and loose types converted (templated values left as text). */
  args: Record<string, unknown> | undefined;
  diagnostics: Diagnostic[];
  /** Arguments Ansible's module takes but lvsplay's does not (kept in `args` as written). */
  unsupported: string[];
}

/** What Ansible's module of the name a task used takes. */
export interface AnsibleArgs {
  name: string;
  /** Its options and their aliases (empty: not an Ansible module, nothing to compare). */
  options: readonly string[];
  /** Arguments lvsplay takes beyond `options` on purpose (beyond-ansible.ts). */
  beyond: readonly string[];
}

/** The argument names a module accepts, read from its schema (for "did you mean"). */
export function argNamesOf(spec: ModuleSpec): string[] {
  let s: unknown = spec.args;
  for (let i = 0; i < 5 && s; i++) {
    const def = (s as { _zod?: { def?: { type?: string; out?: unknown; shape?: Record<string, unknown> } } })._zod?.def;
    if (!def) break;
    if (def.type === 'object' && def.shape) return Object.keys(def.shape);
    s = def.out;
  }
  return [];
}

/**
 * @param source the parsed mapping the arguments came from (for positions), if any
 * @param fallback where to point when an argument has no position of its own (free form)
 * @param ansible the name the task used, the options Ansible's module of that name takes (one of
 *   these that lvsplay's module lacks is not a mistake but `unsupported`: the caller decides what
 *   that means) and those lvsplay takes beyond them on purpose; any other argument lvsplay's module
 *   takes but Ansible's lacks is refused
 */
export function checkModuleArgs(
  spec: ModuleSpec,
  args: Record<string, unknown>,
  source: object | undefined,
  fallback: SourcePos | undefined,
  ansible: AnsibleArgs = { name: spec.name, options: [], beyond: [] },
): ArgsCheck {
  const ansibleOptions = ansible.options;
  const schema = spec.args as z.ZodType;
  let r = schema.safeParse(args);
  const unsupported = r.success
    ? []
    : r.error.issues
        .flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : []))
        .filter((k) => ansibleOptions.includes(k));
  if (unsupported.length) {
    const rest = Object.fromEntries(Object.entries(args).filter(([k]) => !unsupported.includes(k)));
    r = schema.safeParse(rest);
  }
  const known = argNamesOf(spec);
  // Reported before the values: Ansible's module refuses the task for the name alone.
  const notAnsibles = notInAnsible(spec, args, known, ansible);
  if (notAnsibles.length)
    return {
      args: undefined,
      diagnostics: notAnsibles.map((k) =>
        diag(
          `module '${ansible.name}' has no argument '${k}' (Ansible's module of that name has none; lvsplay's takes it under another name)`,
          (source && keyPosOf(source, k)) ?? fallback,
          `drop '${k}', or use a module that takes it; '${ansible.name}' takes: ${ansibleOptions.join(', ')}`,
        ),
      ),
      unsupported,
    };
  if (r.success) {
    const kept = Object.fromEntries(unsupported.map((k) => [k, args[k]]));
    return { args: { ...(r.data as Record<string, unknown>), ...kept }, diagnostics: [], unsupported };
  }
  const diagnostics: Diagnostic[] = [];
  for (const issue of r.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) {
        const near = closest(k, [...known, ...ansibleOptions]);
        diagnostics.push(
          diag(
            `module '${spec.name}' has no argument '${k}'`,
            (source && keyPosOf(source, k)) ?? fallback,
            near ? `did you mean '${near}'?` : `its arguments are: ${known.join(', ')}`,
          ),
        );
      }
      continue;
    }
    const key = issue.path[0];
    const where = key !== undefined && source ? valuePosOf(source, String(key)) : undefined;
    const what =
      key === undefined ? `arguments of module '${spec.name}'` : `argument '${String(key)}' of module '${spec.name}'`;
    const message =
      issue.code === 'invalid_type' && issue.path.length === 0 ? 'must be a mapping of arguments' : issue.message;
    diagnostics.push(diag(`${what} ${message}`, where ?? fallback, 'fix the value as the module expects'));
  }
  return { args: undefined, diagnostics, unsupported };
}

/**
 * Arguments given that lvsplay's module takes (it serves several names) but Ansible's module of
 * the name used does not, and that are not taken on purpose (`beyond`): Ansible fails such a task.
 */
function notInAnsible(spec: ModuleSpec, args: Record<string, unknown>, known: readonly string[], a: AnsibleArgs) {
  if (!a.options.length) return [];
  return Object.keys(args).filter(
    (k) => k !== spec.freeForm && known.includes(k) && !a.options.includes(k) && !a.beyond.includes(k),
  );
}
