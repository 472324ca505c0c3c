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
 * @param ansibleOptions the options Ansible's module of that name takes: one of these that
 *   lvsplay's module lacks is not a mistake but `unsupported` (the caller decides what that means)
 */
export function checkModuleArgs(
  spec: ModuleSpec,
  args: Record<string, unknown>,
  source: object | undefined,
  fallback: SourcePos | undefined,
  ansibleOptions: readonly string[] = [],
): ArgsCheck {
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
  if (r.success) {
    const kept = Object.fromEntries(unsupported.map((k) => [k, args[k]]));
    return { args: { ...(r.data as Record<string, unknown>), ...kept }, diagnostics: [], unsupported };
  }
  const known = argNamesOf(spec);
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
