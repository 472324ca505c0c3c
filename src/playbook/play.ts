// One play: hosts, vars, roles, the task sections and the run policy keywords.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { SourcePos } from '../diagnostics.js';
import { isTemplated } from '../modules/args.js';
import type { Vars } from '../vars/precedence.js';
import { posOf, valuePosOf } from '../yaml/load.js';
import { isMapping, readYaml, report, type LoadContext, type TaskSite } from './context.js';
import { PLAY_KEYWORDS } from './keywords.js';
import type { Play } from './model.js';
import { roleEntry } from './roles.js';
import { parseScope, unknownKeyword } from './scope.js';
import { parseTaskList } from './tasks.js';

const STRATEGIES = ['linear', 'free'];
const ORDERS = ['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'];

export function parsePlay(
  ctx: LoadContext,
  raw: Record<string, unknown>,
  file: string,
  baseDir: string,
  at: SourcePos,
): Play | undefined {
  const kws: string[] = [];
  for (const k of Object.keys(raw)) {
    if (PLAY_KEYWORDS.has(k)) kws.push(k);
    else unknownKeyword(ctx, raw, k, PLAY_KEYWORDS, 'play', at);
  }
  // `collections: [ns.coll]`: the play's short role names are also looked for in these.
  ctx.playCollections = Array.isArray(raw.collections) ? raw.collections.filter((c) => typeof c === 'string') : [];
  const scope = parseScope(ctx, raw, kws, at, 'play');
  const hosts = hostsOf(ctx, raw, at);
  const site: TaskSite = { file, dir: baseDir, handlers: false };
  const section = (k: string, handlers = false) =>
    parseTaskList(ctx, raw[k], { ...site, handlers }, valuePosOf(raw, k) ?? at);
  const roles = rolesOf(ctx, raw, at);
  const play: Play = {
    ...scope,
    name: typeof raw.name === 'string' ? raw.name : raw.name != null ? String(raw.name) : (hosts ?? []).join(','),
    hosts: hosts ?? [],
    hostsPos: valuePosOf(raw, 'hosts') ?? at,
    baseDir,
    file,
    varsFiles: varsFilesOf(ctx, raw, baseDir, at),
    roles,
    preTasks: section('pre_tasks'),
    tasks: section('tasks'),
    postTasks: section('post_tasks'),
    handlers: section('handlers', true),
    gatherFacts: raw.gather_facts === undefined ? true : !/^(no|false|off|n|f|0)$/i.test(String(raw.gather_facts)),
    strategy: typeof raw.strategy === 'string' ? raw.strategy : 'linear',
    order: typeof raw.order === 'string' ? raw.order : 'inventory',
    anyErrorsFatal: raw.any_errors_fatal === true || /^(yes|true|on)$/i.test(String(raw.any_errors_fatal)),
  };
  if (!STRATEGIES.includes(play.strategy) && !isTemplated(play.strategy))
    report(
      ctx,
      `strategy '${play.strategy}' is not supported`,
      valuePosOf(raw, 'strategy') ?? at,
      `use one of ${STRATEGIES.join(', ')}`,
    );
  if (!ORDERS.includes(play.order) && !isTemplated(play.order))
    report(
      ctx,
      `order '${play.order}' is not valid`,
      valuePosOf(raw, 'order') ?? at,
      `use one of ${ORDERS.join(', ')}`,
    );
  const serial = serialOf(ctx, raw, at);
  if (serial) play.serial = serial;
  const mfp = raw.max_fail_percentage;
  if (typeof mfp === 'number') play.maxFailPercentage = mfp;
  else if (typeof mfp === 'string' && /^\d+(\.\d+)?%?$/.test(mfp)) play.maxFailPercentage = Number.parseFloat(mfp);
  if (isMapping(raw.vars)) play.vars = raw.vars;
  return hosts ? play : undefined;
}

function hostsOf(ctx: LoadContext, raw: Record<string, unknown>, at: SourcePos): string[] | undefined {
  const h = raw.hosts;
  if (h === undefined) {
    report(ctx, "a play needs 'hosts:' (the hosts or groups it runs on)", at, 'add e.g. hosts: all');
    return undefined;
  }
  if (typeof h === 'string' && h.trim() !== '') return [h.trim()];
  if (typeof h === 'number') return [String(h)];
  if (Array.isArray(h) && h.length && h.every((x) => typeof x === 'string' || typeof x === 'number'))
    return h.map(String);
  report(
    ctx,
    "'hosts' must be a host pattern or a list of them",
    valuePosOf(raw, 'hosts') ?? at,
    'write hosts: directors',
  );
  return undefined;
}

/** serial: 2, "30%", or a list of those for growing batches. */
function serialOf(ctx: LoadContext, raw: Record<string, unknown>, at: SourcePos): Array<number | string> | undefined {
  const s = raw.serial;
  if (s === undefined || s === null) return undefined;
  const items = Array.isArray(s) ? s : [s];
  const ok = (x: unknown) =>
    (typeof x === 'number' && Number.isInteger(x) && x >= 0) ||
    (typeof x === 'string' && (/^\d+%?$/.test(x.trim()) || isTemplated(x)));
  if (items.length === 0 || !items.every(ok)) {
    report(
      ctx,
      `'serial' must be a number, a percentage or a list of them, got ${JSON.stringify(s)}`,
      valuePosOf(raw, 'serial') ?? at,
      'write serial: 1, serial: "30%" or serial: [1, "50%"]',
    );
    return undefined;
  }
  return items.map((x) => (typeof x === 'string' && /^\d+$/.test(x.trim()) ? Number(x) : (x as number | string)));
}

function rolesOf(ctx: LoadContext, raw: Record<string, unknown>, at: SourcePos) {
  const r = raw.roles;
  if (r === undefined || r === null) return [];
  if (!Array.isArray(r)) {
    report(ctx, "'roles' must be a list of roles", valuePosOf(raw, 'roles') ?? at, 'write roles: [director]');
    return [];
  }
  return r.flatMap((entry, i) => roleEntry(ctx, entry, valuePosOf(r, i) ?? at) ?? []);
}

function varsFilesOf(
  ctx: LoadContext,
  raw: Record<string, unknown>,
  baseDir: string,
  at: SourcePos,
): Play['varsFiles'] {
  const vf = raw.vars_files;
  if (vf === undefined || vf === null) return [];
  const list = Array.isArray(vf) ? vf : [vf];
  const out: Play['varsFiles'] = [];
  list.forEach((entry, i) => {
    const pos = (Array.isArray(vf) ? valuePosOf(vf, i) : valuePosOf(raw, 'vars_files')) ?? at;
    // A list inside vars_files means "the first of these that exists".
    const choices = Array.isArray(entry) ? entry : [entry];
    if (!choices.every((c) => typeof c === 'string')) {
      report(ctx, 'vars_files entries must be file names', pos, 'write vars_files: [vars/main.yml]');
      return;
    }
    if (choices.some((c) => isTemplated(c))) {
      ctx.dynamicVars = true; // chosen per host at run time
      return;
    }
    // As ansible-playbook 2.14: the playbook's vars/ first, then beside the playbook.
    const paths = (choices as string[]).flatMap((c) =>
      isAbsolute(c) ? [c] : [resolve(baseDir, 'vars', c), resolve(baseDir, c)],
    );
    const found = paths.find((p) => readable(p));
    if (!found) {
      report(ctx, `vars file ${choices.join(' or ')} not found`, pos, `looked in ${baseDir}/vars and ${baseDir}`);
      return;
    }
    const v = readYaml(ctx, found, 'vars');
    if (v === undefined || v === null) return;
    if (!isMapping(v))
      report(ctx, `${found} must hold a mapping of variables`, posOf(v) ?? pos, 'write name: value lines');
    else {
      out.push({ path: found, vars: v as Vars, pos });
      for (const k of Object.keys(v)) ctx.definedNames.add(k);
    }
  });
  return out;
}

const readable = (p: string) => existsSync(p) && statSync(p).isFile();
