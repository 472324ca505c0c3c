// `loop:` and the `with_<lookup>:` forms real roles still use, turned into the list of items.
import { diag, ExitCode, LvsplayError } from '../diagnostics.js';
import type { LoopSpec } from '../playbook/model.js';
import type { Vars } from '../vars/precedence.js';
import type { Templar } from '../vars/templar.js';
import { Secret } from '../secret.js';
import { hasLookup } from '../vars/jinja/lookups.js';
import { overlay } from '../vars/lazy.js';

const isDict = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Secret);

export function loopItems(loop: LoopSpec, templar: Templar, vars: Vars): unknown[] {
  // `with_items: x` (a bare name) is the one string 'x', as in ansible-core 2.14, which stopped
  // looking bare names up as variables; the loader warns about it.
  const value = templar.render(loop.value, vars, loop.pos);
  const fail = (what: string): never => {
    throw new LvsplayError(
      diag(
        `${loop.kind === 'loop' ? 'loop' : `with_${loop.kind}`} ${what}`,
        loop.pos,
        'give a list (or a dict with with_dict / dict2items)',
      ),
      ExitCode.error,
    );
  };
  switch (loop.kind) {
    case 'loop':
      if (!Array.isArray(value)) return fail(`needs a list, got ${describe(value)}`);
      return value;
    case 'items':
      return (Array.isArray(value) ? value : [value]).flatMap((v) => (Array.isArray(v) ? v : [v]));
    case 'list':
      return Array.isArray(value) ? value : [value];
    case 'flattened':
      return (Array.isArray(value) ? value : [value]).flat(Infinity);
    case 'indexed_items':
      if (!Array.isArray(value)) return fail(`needs a list, got ${describe(value)}`);
      return value.map((v, i) => [i, v]);
    case 'dict':
      if (!isDict(value)) return fail(`needs a dict, got ${describe(value)}`);
      return Object.entries(value).map(([key, v]) => ({ key, value: v }));
    case 'together': {
      if (!Array.isArray(value) || !value.every(Array.isArray)) return fail('needs a list of lists');
      const lists = value as unknown[][];
      const n = Math.max(0, ...lists.map((l) => l.length));
      return Array.from({ length: n }, (_, i) => lists.map((l) => l[i] ?? null));
    }
    case 'nested': {
      if (!Array.isArray(value) || !value.every(Array.isArray)) return fail('needs a list of lists');
      return (value as unknown[][]).reduce<unknown[][]>((acc, l) => acc.flatMap((a) => l.map((x) => [...a, x])), [[]]);
    }
    case 'subelements': {
      if (!Array.isArray(value) || value.length < 2 || !Array.isArray(value[0]) || typeof value[1] !== 'string')
        return fail('needs [list, "subkey"]');
      const key = value[1] as string;
      return (value[0] as unknown[]).flatMap((el) => {
        const sub = isDict(el) ? el[key] : undefined;
        return Array.isArray(sub) ? sub.map((s) => [el, s]) : [];
      });
    }
    case 'sequence':
      return sequence(String(value), fail);
    default:
      // `with_first_found:`, `with_file:`...: the items are what the lookup plugin returns.
      if (hasLookup(loop.kind)) {
        const items = templar.render(
          '{{ query(__lvs_lookup, __lvs_terms) }}',
          overlay(vars, { __lvs_lookup: loop.kind, __lvs_terms: value }),
          loop.pos,
        );
        return Array.isArray(items) ? items : [items];
      }
      return fail(
        `is not supported by lvsplay (supported: loop, with_items, with_list, with_dict, with_indexed_items, with_flattened, with_together, with_nested, with_subelements, with_sequence, and with_<lookup> for the lookups of docs/templates.md)`,
      );
  }
}

function sequence(spec: string, fail: (w: string) => never): string[] {
  const kv = Object.fromEntries(
    spec
      .split(/\s+/)
      .filter(Boolean)
      .map((p) => p.split('=') as [string, string]),
  );
  const start = Number(kv.start ?? 1);
  const end = kv.count !== undefined ? start + Number(kv.count) - 1 : Number(kv.end);
  const stride = Number(kv.stride ?? 1);
  if (![start, end, stride].every(Number.isFinite) || stride === 0) return fail(`cannot read the sequence '${spec}'`);
  const out: string[] = [];
  for (let i = start; stride > 0 ? i <= end : i >= end; i += stride)
    out.push(
      kv.format
        ? kv.format.replace(/%0?(\d*)d/, (_m, w: string) => String(i).padStart(Number(w || 0), '0'))
        : String(i),
    );
  return out.slice(0, 100_000);
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a dict' : `${typeof v} '${String(v)}'`;
}
