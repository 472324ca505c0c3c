// The keywords a play, role entry, block or task shares: tags, when, vars and the rest, each
// checked for the type Ansible expects.
import { closest, type SourcePos } from '../diagnostics.js';
import { isTemplated } from '../modules/args.js';
import { keyPosOf, posOf, valuePosOf } from '../yaml/load.js';
import { isMapping, report, type LoadContext } from './context.js';
import type { Scope } from './model.js';
import { KEYWORD_TABLE, keywordAt, type KeywordScope, type KeywordSpec } from './keyword-table.js';
import { checkBecomeMethod, checkConnection } from './strict-values.js';

const BOOLISH = /^(yes|no|true|false|on|off|y|n|t|f|1|0)$/i;

/** "on a block" when the keyword is honoured elsewhere (notify), so the message says where it is not. */
function refusedWhere(spec: KeywordSpec, scope: KeywordScope): string {
  return KEYWORD_TABLE.some((r) => r.name === spec.name && !r.refused) ? ` on a ${scope}` : '';
}

/** `tags: a,b`, `tags: [a, b]`, `tags: 42` → ['a', 'b'] / ['42']. */
export function tagList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.flatMap((t) =>
    typeof t === 'string'
      ? t
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [String(t)],
  );
}

/** `when:` as a list of conditions (a bool is a condition too). */
export function conditionList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((c) => (typeof c === 'string' ? c : String(c)));
}

/**
 * Reads the shared keywords of `raw` (whose keys were already classified as keywords) and
 * reports values of the wrong type.
 */
export function parseScope(
  ctx: LoadContext,
  raw: Record<string, unknown>,
  keywords: Iterable<string>,
  pos: SourcePos,
  scope: KeywordScope,
): Scope {
  const kw: Record<string, unknown> = {};
  for (const k of keywords) {
    const v = raw[k];
    kw[k] = v;
    const at = valuePosOf(raw, k) ?? pos;
    const spec = keywordAt(k, scope);
    const strict =
      k === 'connection' ? checkConnection(v, at) : k === 'become_method' ? checkBecomeMethod(v, at) : undefined;
    if (strict) ctx.diagnostics.push(strict);
    else if (spec?.refused)
      report(
        ctx,
        `'${k}' is not supported by lvsplay${refusedWhere(spec, scope)}`,
        keyPosOf(raw, k) ?? pos,
        spec.refused,
      );
    else if (
      spec?.type === 'bool' &&
      !(typeof v === 'boolean' || isTemplated(v) || (typeof v === 'string' && BOOLISH.test(v)) || v === 0 || v === 1)
    )
      report(ctx, `'${k}' must be a boolean (yes/no, true/false), got ${JSON.stringify(v)}`, at, 'write yes or no');
    else if (
      spec?.type === 'int' &&
      !(Number.isInteger(v) || isTemplated(v) || (typeof v === 'string' && /^\d+$/.test(v)))
    )
      report(ctx, `'${k}' must be an integer, got ${JSON.stringify(v)}`, at, 'write a whole number');
  }
  const vars = raw.vars;
  if (vars !== undefined && vars !== null && !isMapping(vars))
    report(
      ctx,
      "'vars' must be a mapping of variable names to values",
      valuePosOf(raw, 'vars') ?? pos,
      'write vars: {name: value}',
    );
  const when = raw.when;
  if (
    when !== undefined &&
    (isMapping(when) || (Array.isArray(when) && when.some((c) => isMapping(c) || Array.isArray(c))))
  )
    report(
      ctx,
      "'when' must be a condition or a list of conditions",
      valuePosOf(raw, 'when') ?? pos,
      "write a Jinja2 expression such as: x == 'a'",
    );
  if (isMapping(vars)) for (const k of Object.keys(vars)) ctx.definedNames.add(k);
  const tags = raw.tags;
  if (
    tags !== undefined &&
    (isMapping(tags) || (Array.isArray(tags) && tags.some((t) => typeof t === 'object' && t !== null)))
  )
    report(ctx, "'tags' must be a tag or a list of tags", valuePosOf(raw, 'tags') ?? pos, 'write tags: [a, b]');
  const name = raw.name;
  if (name !== undefined && name !== null && typeof name === 'object')
    report(ctx, "'name' must be text", valuePosOf(raw, 'name') ?? pos, 'quote the name');
  return {
    tags: tagList(tags),
    when: conditionList(when),
    vars: isMapping(vars) ? vars : {},
    keywords: kw,
    pos: posOf(raw) ?? pos,
    raw,
  };
}

/** Reports a key that is no keyword, with the nearest keyword as a suggestion. */
export function unknownKeyword(
  ctx: LoadContext,
  raw: object,
  key: string,
  allowed: Iterable<string>,
  what: string,
  pos: SourcePos,
): void {
  const near = closest(key, allowed);
  report(
    ctx,
    `'${key}' is not a valid ${what} keyword`,
    keyPosOf(raw, key) ?? pos,
    near ? `did you mean '${near}'?` : `see the ${what} keywords in docs/playbooks.md`,
  );
}
