// Type checks for the task-only keywords (register, notify, loop, loop_control, ...).
import type { SourcePos } from '../diagnostics.js';
import { isTemplated } from '../modules/args.js';
import { keyPosOf, valuePosOf } from '../yaml/load.js';
import { isMapping, report, type LoadContext } from './context.js';
import { LOOP_CONTROL_KEYS, withLookup } from './keywords.js';
import { closest } from '../diagnostics.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkTaskKeywords(ctx: LoadContext, raw: Record<string, unknown>, at: SourcePos): void {
  const where = (k: string) => valuePosOf(raw, k) ?? at;
  if ('register' in raw && (typeof raw.register !== 'string' || !IDENT.test(raw.register)))
    report(
      ctx,
      `'register' must be a variable name, got ${JSON.stringify(raw.register)}`,
      where('register'),
      'use letters, digits and _, not starting with a digit',
    );
  for (const k of ['notify', 'listen']) {
    const v = raw[k];
    if (
      v !== undefined &&
      v !== null &&
      typeof v !== 'string' &&
      !(Array.isArray(v) && v.every((x) => typeof x === 'string'))
    )
      report(ctx, `'${k}' must be a handler name or a list of handler names`, where(k), `write ${k}: [restart x]`);
  }
  if ('loop' in raw) {
    const v = raw.loop;
    if (!Array.isArray(v) && !isTemplated(v))
      report(
        ctx,
        `'loop' must be a list (or a template giving one), got ${isMapping(v) ? 'a mapping' : JSON.stringify(v)}`,
        where('loop'),
        isMapping(v) ? 'to loop over a mapping write loop: "{{ x | dict2items }}"' : 'write loop: [a, b]',
      );
  }
  for (const k of Object.keys(raw)) {
    const lookup = withLookup(k);
    if (lookup === 'dict' && !isMapping(raw[k]) && !isTemplated(raw[k]))
      report(
        ctx,
        `'with_dict' needs a mapping, got ${JSON.stringify(raw[k])}`,
        where(k),
        'give a mapping or a template that yields one',
      );
    else if (lookup === 'items' && (isMapping(raw[k]) || raw[k] === null))
      report(
        ctx,
        `'with_items' needs a list, got ${isMapping(raw[k]) ? 'a mapping' : 'nothing'}`,
        where(k),
        'write with_items: [a, b], or with_dict for a mapping',
      );
  }
  if ('loop_control' in raw) {
    const lc = raw.loop_control;
    if (!isMapping(lc))
      report(ctx, "'loop_control' must be a mapping", where('loop_control'), 'write loop_control: {loop_var: x}');
    else
      for (const k of Object.keys(lc))
        if (!LOOP_CONTROL_KEYS.has(k)) {
          const near = closest(k, LOOP_CONTROL_KEYS);
          report(
            ctx,
            `'${k}' is not a loop_control setting`,
            keyPosOf(lc, k) ?? at,
            near ? `did you mean '${near}'?` : `use one of ${[...LOOP_CONTROL_KEYS].join(', ')}`,
          );
        }
    if ('loop_control' in raw && !('loop' in raw) && !Object.keys(raw).some(withLookup))
      report(
        ctx,
        "'loop_control' without a loop",
        keyPosOf(raw, 'loop_control') ?? at,
        'add loop: or remove loop_control',
      );
  }
  for (const k of ['changed_when', 'failed_when', 'until']) {
    const v = raw[k];
    if (v !== undefined && (isMapping(v) || (Array.isArray(v) && v.some((c) => typeof c === 'object' && c !== null))))
      report(
        ctx,
        `'${k}' must be a condition or a list of conditions`,
        where(k),
        'write a Jinja2 expression such as: result.rc != 0',
      );
  }
}
