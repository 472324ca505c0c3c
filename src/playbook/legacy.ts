// Task forms from older Ansible that ansible-core 2.14 still runs, turned into the modern form
// the loader reads: `action: mod args` and `local_action: mod args` (the module named inside
// the value; local_action also delegates to localhost).
import type { SourcePos } from '../diagnostics.js';
import { keyPosOf, setPos } from '../yaml/load.js';
import { isMapping, report, type LoadContext } from './context.js';

const ACTION_FORMS = ['action', 'local_action'] as const;

/** The task with `action:`/`local_action:` rewritten as `<module>: args` (+ delegate_to), or as it was. */
export function expandActionForm(
  ctx: LoadContext,
  raw: Record<string, unknown>,
  at: SourcePos,
): Record<string, unknown> {
  const present = ACTION_FORMS.filter((k) => k in raw);
  if (!present.length) return raw;
  const form = present[0]!;
  const pos = keyPosOf(raw, form) ?? at;
  if (present.length > 1) {
    report(ctx, "'action' and 'local_action' are mutually exclusive", pos, 'keep one of them');
    return raw;
  }
  const value = raw[form];
  let module: string | undefined;
  let args: unknown;
  if (typeof value === 'string') {
    const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(value);
    module = m?.[1];
    args = m?.[2] ?? '';
  } else if (isMapping(value) && typeof value.module === 'string') {
    const { module: name, ...rest } = value;
    module = name;
    args = rest;
  }
  if (!module) {
    report(
      ctx,
      `'${form}' needs the module to run, as "module arg=value" or a mapping with module:`,
      pos,
      `write e.g. ${form}: command echo hi`,
    );
    return raw;
  }
  if (form === 'local_action' && 'delegate_to' in raw) {
    report(ctx, "'local_action' and 'delegate_to' are mutually exclusive", pos, 'keep one of them');
    return raw;
  }
  const out: Record<string, unknown> = {};
  const keys = new Map<string, SourcePos>();
  for (const [k, v] of Object.entries(raw)) {
    if (k === form) {
      out[module] = args;
      keys.set(module, pos);
      if (form === 'local_action') {
        out.delegate_to = 'localhost';
        keys.set('delegate_to', pos);
      }
    } else {
      out[k] = v;
      const p = keyPosOf(raw, k);
      if (p) keys.set(k, p);
    }
  }
  setPos(out, at, keys);
  return out;
}
