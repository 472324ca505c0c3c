// The boundary between loading and running: options in, a validated Plan out, or an
// LvsplayError carrying every diagnostic. Nothing here connects to a host.
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import {
  cfgPathList,
  defaultInventorySources,
  readAnsibleCfg,
  cfgValue,
  type AnsibleCfg,
} from '../config/ansible-cfg.js';
import { diag, ExitCode, hasErrors, LvsplayError, type Diagnostic, type SourcePos } from '../diagnostics.js';
import type { AdjacentVars } from '../inventory/types.js';
import { checkBecomeMethod, checkConnection } from '../playbook/strict-values.js';
import { posOf, valuePosOf } from '../yaml/load.js';
import { limitHosts, loadAdjacentVars, loadInventory, selectHosts, type Inventory } from '../inventory/index.js';
import { loadPlaybook } from '../playbook/load.js';
import type { Play, Playbook } from '../playbook/model.js';
import { readVaultPasswordFile, type VaultSecrets } from '../vars/vault.js';
import { notePasswords } from '../vars/password-vars.js';
import type { VarLayers, Vars } from '../vars/precedence.js';
import { compilePlay, type CompiledPlay, type PlannedTask } from './compile.js';
import { parseExtraVars } from './extra-vars.js';
import { locatePlaybook, projectRootOf } from './locate.js';
import { orderHosts, serialBatches } from './serial.js';
import { splitTagOption, type TagFilter } from './tags.js';
import { checkTemplates } from './templates-check.js';
import { knownNames, runtimeAdjacentNames } from './known-names.js';
import { ansibleModuleOf } from '../modules/ansible-names.js';
import { hostLayers, hostVars, type VarSources } from './vars.js';

export interface RunOptions {
  playbook: string;
  inventory?: string[];
  limit?: string;
  tags?: string[];
  skipTags?: string[];
  extraVars?: string[];
  check?: boolean;
  diff?: boolean;
  forks?: number;
  /** --force-handlers: notified handlers run on a host even after it failed. */
  forceHandlers?: boolean;
  verbosity?: number;
  vaultPasswordFile?: string[];
  cwd?: string;
}

export interface PlannedPlay {
  /** 0-based position in the playbook. */
  index: number;
  play: Play;
  /** Hosts the play runs on, after --limit, in `order:`. */
  hosts: string[];
  batches: string[][];
  compiled: CompiledPlay;
  /** A host's variable layers, for the play or for one of its tasks. */
  /** Its pattern matches no host yet, but a group_by/add_host task may make it match at run time. */
  pendingGroups?: true;
  layersOf(host: string, task?: PlannedTask): VarLayers;
  varsOf(host: string, task?: PlannedTask): Vars;
  /** Its hosts and serial batches against the inventory as it is now (after group_by/add_host). */
  hostsNow(): { hosts: string[]; batches: string[][] };
}

export interface Plan {
  playbook: Playbook;
  /** The playbook file actually read (after the project-root lookup). */
  playbookPath: string;
  inventory: Inventory;
  plays: PlannedPlay[];
  tags: TagFilter;
  extraVars: Vars;
  vault: VaultSecrets;
  /** group_vars/ and host_vars/ beside the playbook (beside the inventory: inventory.adjacentVars). */
  playbookVars: AdjacentVars;
  cfg: AnsibleCfg;
  /** forks: -f, else ansible.cfg, else lvsplay's default. */
  forks: number;
  /** --force-handlers, else ansible.cfg force_handlers; a play's force_handlers keyword overrides it. */
  forceHandlers: boolean;
  check: boolean;
  diff: boolean;
  verbosity: number;
  /** Warnings to show; errors never reach a Plan. */
  warnings: Diagnostic[];
}

export const DEFAULT_FORKS = 25;

/** Modules that add hosts to groups while the playbook runs. */
const RUNTIME_GROUP_MODULES = ['ansible.builtin.group_by', 'ansible.builtin.add_host'];

export function loadAndPlan(opts: RunOptions): Plan {
  const cwd = opts.cwd ?? process.cwd();
  const { cfg, diagnostics: cfgDiags, range } = readAnsibleCfg({ cwd });
  // As ansible-playbook: a broken ansible.cfg stops everything at once, as an options error,
  // and forks below 1 as its command-line parser's error (exit 2).
  if (hasErrors(cfgDiags))
    throw new LvsplayError(
      cfgDiags.map((d) => relativePos(d, cwd)),
      ExitCode.badOptions,
    );
  if (range?.length && opts.forks === undefined)
    throw new LvsplayError(
      range.map((d) => relativePos(d, cwd)),
      ExitCode.usage,
    );
  const forksCfg = Number.parseInt(cfgValue(cfg, 'defaults', 'forks') ?? '', 10);
  const problems: Diagnostic[] = [...cfgDiags];
  const vaultFiles = opts.vaultPasswordFile?.length
    ? opts.vaultPasswordFile
    : (cfgPathList(cfg, 'defaults', 'vault_password_file', { cwd }) ?? []);
  // `revealed` gathers the text of every secret the run meets (vault values, passwords), for
  // the reporters' last masking pass; it exists even without a vault password.
  const vault: VaultSecrets = {
    passwords: vaultFiles.flatMap((f) => readVaultPasswordFile(resolve(cwd, f)).passwords),
    revealed: new Set<string>(),
  };
  const extraVars = parseExtraVars(opts.extraVars, cwd);
  const located = locatePlaybook(opts.playbook, cwd);
  if (!located)
    throw new LvsplayError(
      diag(
        `the playbook ${opts.playbook} could not be found`,
        undefined,
        'give its path, or put it under playbooks/ in the project',
      ),
      ExitCode.error,
    );
  const playbookPath = resolve(cwd, located);

  const sources = opts.inventory?.length ? opts.inventory : defaultInventorySources(cfg, { cwd });
  const haveInventory = sources.some((s) => s.includes(',') || existsSync(resolve(cwd, s)));
  const inv = loadInventory(haveInventory ? sources : [], { cwd, vault });
  problems.push(...inv.diagnostics);
  if (!haveInventory)
    problems.push(
      diag(
        `no inventory found (${sources.join(', ')}); only patterns naming no host can match`,
        undefined,
        'pass -i INVENTORY',
        'warning',
      ),
    );

  const root = projectRootOf(dirname(playbookPath));
  const loaded = loadPlaybook(playbookPath, {
    rolesPath: cfgPathList(cfg, 'defaults', 'roles_path', { cwd, separators: /[:,]/ }) ?? [],
    collectionsPath:
      cfgPathList(cfg, 'defaults', 'collections_path', { cwd, separators: /[:,]/ }) ??
      cfgPathList(cfg, 'defaults', 'collections_paths', { cwd, separators: /[:,]/ }) ??
      [],
    ...(root ? { projectRoot: root } : {}),
    vault,
  });
  problems.push(...loaded.diagnostics);
  loaded.playbook.path = located;
  const inventory = inv.inventory;
  const adjacent = loadAdjacentVars(
    dirname(playbookPath),
    { groups: inventory.groups.keys(), hosts: inventory.hosts.keys() },
    vault,
  );
  problems.push(...adjacent.diagnostics.filter((d) => !inv.diagnostics.some((x) => x.message === d.message)));
  const src: VarSources = { inventory, extraVars, playbookVars: adjacent.vars };
  notePasswordSources(src, loaded.playbook, vault.revealed);
  problems.push(...strictInventoryValues(inventory, adjacent.vars));

  const tags: TagFilter = { only: splitTagOption(opts.tags), skip: splitTagOption(opts.skipTags) };
  if (!tags.only.length) tags.only = ['all'];
  const limited = limitSelection(inventory, opts.limit, cwd, problems);
  const plays: PlannedPlay[] = [];
  const compiledPlays = loaded.playbook.plays.map((play) => compilePlay(play, tags));
  const makesGroups = compiledPlays.some((c) =>
    c.tasks.some((t) => RUNTIME_GROUP_MODULES.includes(ansibleModuleOf(t.task.actionAs) ?? '')),
  );
  loaded.playbook.plays.forEach((play, index) => {
    const found: Diagnostic[] = [];
    const hosts = haveInventory ? playHosts(inventory, play, extraVars, cwd, found) : [];
    // As ansible-playbook: a group made at run time (group_by, add_host) may be what the play
    // is for; its pattern matching nothing now is then a warning, not an error.
    const pending = makesGroups && !hosts.length && found.some((d) => d.message.endsWith('matches no hosts'));
    problems.push(
      ...found.map((d) =>
        pending && d.message.endsWith('matches no hosts')
          ? {
              ...d,
              severity: 'warning' as const,
              message: `${d.message} in the inventory; a group_by or add_host task of the playbook may create it at run time`,
            }
          : d,
      ),
    );
    const selected = limited ? hosts.filter((h) => limited.has(h)) : hosts;
    const ordered = orderHosts(selected, play.order);
    const compiled = compiledPlays[index]!;
    plays.push({
      ...(pending ? { pendingGroups: true as const } : {}),
      index,
      play,
      hosts: ordered,
      batches: serialBatches(ordered, play.serial),
      compiled,
      hostsNow: () => {
        const now = playHosts(inventory, play, extraVars, cwd, []).filter((h) => !limited || limited.has(h));
        const ordered = orderHosts(now, play.order);
        return { hosts: ordered, batches: serialBatches(ordered, play.serial) };
      },
      layersOf: (host, task) => hostLayers(src, play, compiled.roles, host, task),
      varsOf: (host, task) => hostVars(src, play, compiled.roles, host, task),
    });
  });
  // With other errors present (a role not found...), some names may be missing for that reason
  // alone: the undefined-variable part then stays silent rather than guess.
  const known = knownNames(inventory, adjacent.vars, extraVars, loaded.definedNames);
  if (makesGroups)
    for (const k of runtimeAdjacentNames(
      [...(inventory.adjacentVars ?? []), adjacent.vars].map((a) => a.dir),
      vault,
    ))
      known.add(k);
  problems.push(
    ...checkTemplates({ playbook: loaded.playbook, known, dynamicVars: loaded.dynamicVars || hasErrors(problems) }),
  );
  const shown = onceEach(problems.map((d) => relativePos(d, cwd)));
  if (hasErrors(shown)) throw new LvsplayError(sortProblems(shown), ExitCode.parseError);
  return {
    playbook: loaded.playbook,
    playbookPath: located,
    inventory,
    plays,
    tags,
    extraVars,
    vault,
    playbookVars: adjacent.vars,
    cfg,
    forks: opts.forks ?? (Number.isFinite(forksCfg) && forksCfg > 0 ? forksCfg : DEFAULT_FORKS),
    forceHandlers:
      opts.forceHandlers || /^(true|yes|on|1|y|t)$/i.test(cfgValue(cfg, 'defaults', 'force_handlers') ?? ''),
    check: opts.check ?? false,
    diff: opts.diff ?? false,
    verbosity: opts.verbosity ?? 0,
    warnings: shown.filter((d) => d.severity === 'warning'),
  };
}

/** Passwords set literally anywhere are masked from the start, used through a template or not. */
function notePasswordSources(src: VarSources, playbook: Playbook, revealed: Set<string> | undefined): void {
  const adjacent = [...(src.inventory.adjacentVars ?? []), ...(src.playbookVars ? [src.playbookVars] : [])];
  for (const vars of [
    src.extraVars,
    ...[...src.inventory.hosts.values(), ...src.inventory.groups.values()].map((e) => e.vars),
    ...adjacent.flatMap((a) => [...a.groupVars.values(), ...a.hostVars.values()]),
    ...playbook.plays.flatMap((p) => [p.vars, ...p.varsFiles.map((f) => f.vars)]),
  ])
    notePasswords(vars, revealed);
}

function limitSelection(
  inv: Inventory,
  limit: string | undefined,
  cwd: string,
  problems: Diagnostic[],
): Set<string> | undefined {
  if (!limit) return undefined;
  const r = limitHosts(inv, [...inv.hosts.keys()], limit, { cwd });
  // ansible-playbook: a --limit that leaves no host, or a bad pattern in it, is an error (1).
  if (hasErrors(r.diagnostics)) throw new LvsplayError(r.diagnostics, ExitCode.error);
  problems.push(...r.diagnostics);
  return new Set(r.hosts);
}

/** The hosts a play's `hosts:` selects; a pattern matching nothing is an error at its place. */
function playHosts(inv: Inventory, play: Play, extraVars: Vars, cwd: string, problems: Diagnostic[]): string[] {
  const pattern = play.hosts.map((h) => substitute(h, { ...play.vars, ...extraVars })).join(',');
  if (/\{\{|\{%/.test(pattern)) {
    problems.push(
      diag(
        `cannot tell which hosts '${pattern}' means before running`,
        play.hostsPos,
        'give the variable with -e or in the play vars',
        'warning',
      ),
    );
    return [];
  }
  const r = selectHosts(inv, pattern, { cwd, pos: play.hostsPos });
  problems.push(...r.diagnostics);
  return r.hosts;
}

/** `{{ name }}` in a hosts pattern, from play vars and -e (what Ansible can know at that point). */
function substitute(text: string, vars: Vars): string {
  return text.replace(
    /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*default\(\s*(['"])(.*?)\2\s*\))?\s*\}\}/g,
    (m, name: string, _q, dflt: string | undefined) => {
      const v = vars[name];
      if (typeof v === 'string' || typeof v === 'number') return String(v);
      return dflt ?? m;
    },
  );
}

/** A file read twice (a role in two plays) reports each of its problems once. */
function onceEach(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.severity} ${d.pos?.file}:${d.pos?.line}:${d.pos?.col} ${d.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

function sortProblems(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => {
    if (!a.pos || !b.pos) return a.pos ? 1 : b.pos ? -1 : 0;
    return a.pos.file.localeCompare(b.pos.file) || a.pos.line - b.pos.line || a.pos.col - b.pos.col;
  });
}

/** Files are read by absolute path; show them as the user would write them from where they stand. */
/**
 * `ansible_connection` and `ansible_become_method` wherever the inventory side sets them (hosts,
 * groups, group_vars/host_vars): a misspelt one would otherwise fall back to ssh or sudo.
 */
function strictInventoryValues(inventory: Inventory, adjacent: AdjacentVars | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  const scan = (vars: Vars | undefined, fallback: SourcePos | undefined) => {
    if (!vars) return;
    for (const [key, check] of [
      ['ansible_connection', checkConnection],
      ['ansible_become_method', checkBecomeMethod],
    ] as const) {
      if (!(key in vars)) continue;
      const found = check(vars[key], valuePosOf(vars, key) ?? fallback);
      if (!found) continue;
      const d = { ...found, message: `${found.message} (${key})` };
      const where = (x: Diagnostic) => `${x.pos?.file}:${x.pos?.line}:${x.pos?.col}: ${x.message}`;
      if (!out.some((x) => where(x) === where(d))) out.push(d);
    }
  };
  for (const h of inventory.hosts.values()) scan(h.vars, h.pos);
  for (const g of inventory.groups.values()) scan(g.vars, g.pos);
  for (const a of [...(inventory.adjacentVars ?? []), ...(adjacent ? [adjacent] : [])]) {
    for (const v of a.groupVars.values()) scan(v, posOf(v));
    for (const v of a.hostVars.values()) scan(v, posOf(v));
  }
  return out;
}

function relativePos(d: Diagnostic, cwd: string): Diagnostic {
  if (!d.pos || !isAbsolute(d.pos.file)) return d;
  const rel = relative(cwd, d.pos.file);
  return rel.startsWith('..') ? d : { ...d, pos: { ...d.pos, file: rel } };
}
