// Checks every template a playbook holds before anything runs: Jinja2 syntax, tests used as
// filters (`result|failed`), and names that nothing could define. The undefined check is
// conservative: facts (ansible_*), magic and loop variables, registered and set_fact names and
// anything guarded by `default`/`is defined` never count as undefined.
import { diag, type Diagnostic, type SourcePos } from '../diagnostics.js';
import { isMapping } from '../playbook/context.js';
import { guardedNames, isTemplateText } from '../playbook/expr.js';
import { checkTemplateText, findUndefinedNames } from '../vars/template-check.js';
import type { Node, Play, Playbook } from '../playbook/model.js';
import { valuePosOf } from '../yaml/load.js';

const MAGIC = new Set([
  'hostvars',
  'groups',
  'group_names',
  'inventory_hostname',
  'inventory_hostname_short',
  'inventory_dir',
  'inventory_file',
  'play_hosts',
  'playbook_dir',
  'role_name',
  'role_path',
  'role_names',
  'omit',
  'item',
  'environment',
  'vars',
  'lookup',
  'query',
  'q',
  'now',
  'undef',
  'range',
  'lipsum',
  'dict',
  'cycler',
  'joiner',
  'namespace',
  'loop',
  'super',
  'caller',
  'varargs',
  'kwargs',
  'self',
  'true',
  'false',
  'none',
  'True',
  'False',
  'None',
]);
const CONDITION_KEYS = new Set(['when', 'changed_when', 'failed_when', 'until']);
const SKIP_KEYS = new Set(['name', 'tags', 'register', 'notify', 'listen']);

interface Found {
  /** The template text (a bare condition already wrapped in {{ }}). */
  text: string;
  pos: SourcePos;
}

export interface TemplateCheckInput {
  playbook: Playbook;
  /** Every name some source defines (playbook, inventory, -e). */
  known: Set<string>;
  /** When true, unknown names are not reported (some vars come from files chosen at run time). */
  dynamicVars: boolean;
}

export function checkTemplates(input: TemplateCheckInput): Diagnostic[] {
  const found: Found[] = [];
  const loopVars = new Set<string>();
  const seen = new Set<object>();
  for (const play of input.playbook.plays) collectPlay(play, found, loopVars, seen);
  const guarded = new Set<string>();
  for (const f of found) for (const g of guardedNames(f.text)) guarded.add(g);
  const known = new Set([...input.known, ...MAGIC, ...loopVars, ...guarded]);
  const out: Diagnostic[] = [];
  for (const f of found) {
    const problems = checkTemplateText(f.text, f.pos);
    out.push(...problems);
    if (input.dynamicVars || problems.length) continue;
    for (const name of findUndefinedNames(f.text, known)) {
      if (/^(ansible_|facter_|ohai_)/.test(name)) continue;
      out.push(
        diag(
          `variable '${name}' is used here but nothing defines it`,
          f.pos,
          `define ${name} (inventory, group_vars, vars, -e) or give a fallback with "| default(...)"`,
        ),
      );
    }
  }
  return dedupe(out);
}

function collectPlay(play: Play, found: Found[], loopVars: Set<string>, seen: Set<object>): void {
  if (play.raw) {
    const hosts = play.raw.hosts;
    if (typeof hosts === 'string') scan(hosts, play.hostsPos, false, found);
  }
  const nodes: Node[] = [...play.preTasks, ...play.tasks, ...play.postTasks, ...play.handlers];
  const roles = [...play.roles];
  for (let i = 0; i < roles.length; i++) {
    const r = roles[i]!;
    nodes.push(...r.tasks, ...r.handlers);
    roles.push(...r.dependencies);
  }
  walkNodes(nodes, found, loopVars, seen);
}

function walkNodes(nodes: Node[], found: Found[], loopVars: Set<string>, seen: Set<object>): void {
  for (const n of nodes) {
    if (seen.has(n)) continue;
    seen.add(n);
    if (n.kind === 'block') {
      if (n.raw && n.origin === 'block')
        scanMapping(n.raw, found, new Set(['block', 'rescue', 'always', ...SKIP_KEYS]));
      walkNodes([...n.block, ...n.rescue, ...n.always], found, loopVars, seen);
      if (n.role) walkNodes([...n.role.handlers], found, loopVars, seen);
      continue;
    }
    const lc = n.raw?.loop_control;
    if (isMapping(lc))
      for (const k of ['loop_var', 'index_var']) if (typeof lc[k] === 'string') loopVars.add(lc[k] as string);
    if (n.raw) scanMapping(n.raw, found, SKIP_KEYS);
  }
}

function scanMapping(raw: Record<string, unknown>, found: Found[], skip: Set<string>): void {
  for (const [k, v] of Object.entries(raw)) {
    if (skip.has(k)) continue;
    const pos = valuePosOf(raw, k);
    if (!pos) continue;
    scanValue(v, pos, CONDITION_KEYS.has(k), found, raw, k);
  }
}

function scanValue(
  v: unknown,
  pos: SourcePos,
  condition: boolean,
  found: Found[],
  parent: object,
  key: string | number,
): void {
  const at = valuePosOf(parent, key) ?? pos;
  if (typeof v === 'string') scan(v, at, condition, found);
  else if (Array.isArray(v)) v.forEach((x, i) => scanValue(x, at, condition, found, v, i));
  else if (isMapping(v)) for (const [k, x] of Object.entries(v)) scanValue(x, at, false, found, v, k);
}

function scan(text: string, pos: SourcePos, condition: boolean, found: Found[]): void {
  if (isTemplateText(text)) found.push({ text, pos });
  else if (condition) found.push({ text: `{{ (${text}) }}`, pos });
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const keys = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.pos?.file}:${d.pos?.line}:${d.pos?.col}:${d.message}`;
    if (keys.has(k)) return false;
    keys.add(k);
    return true;
  });
}
