// Python's `seq[start:stop:step]` for Jinja templates: a string slices to a string (by code
// point), a list to a list, negative indices count from the end, a negative step walks
// backwards, and out-of-range bounds are clamped, as CPython's slice.indices() does. A secret
// is sliced on its real text; the render is then tainted, so the slice prints masked too.
import { TemplateFault, defined } from './undefined.js';
import { typeName } from './python.js';
import { reveal } from './taint.js';

function index(v: unknown, what: string): number | undefined {
  const x = reveal(defined(v));
  if (x === null || x === undefined) return undefined;
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'number' && Number.isInteger(x)) return x;
  throw new TemplateFault(
    `slice ${what} must be an integer or None, not '${typeName(x)}'`,
    `write the ${what} as a whole number, e.g. s[0:3]`,
  );
}

/** The positions `seq[start:stop:step]` picks from a sequence of `length` items. */
export function sliceIndices(length: number, start?: number, stop?: number, step = 1): number[] {
  if (step === 0) throw new TemplateFault('slice step cannot be zero', 'use a step such as 1 or -1');
  const [lower, upper] = step < 0 ? [-1, length - 1] : [0, length];
  const clamp = (i: number | undefined, dflt: number): number => {
    if (i === undefined) return dflt;
    if (i < 0) return Math.max(i + length, lower);
    return Math.min(i, upper);
  };
  const from = clamp(start, step < 0 ? upper : lower);
  const to = clamp(stop, step < 0 ? lower : upper);
  const out: number[] = [];
  for (let i = from; step > 0 ? i < to : i > to; i += step) out.push(i);
  return out;
}

export function pySlice(seq: unknown, start: unknown, stop: unknown, step: unknown, path: string): unknown {
  const x = reveal(defined(seq));
  const picks = (items: readonly unknown[]) =>
    sliceIndices(items.length, index(start, 'start'), index(stop, 'stop'), index(step, 'step') ?? 1).map(
      (i) => items[i],
    );
  if (typeof x === 'string') return picks([...x]).join('');
  if (Array.isArray(x)) return picks(x);
  throw new TemplateFault(
    `'${typeName(x)}' object is not subscriptable with a slice (${path})`,
    'slice only strings and lists',
  );
}
