// `lvsplay lint` without the CLI: builds the cluster models (inventory + roles, keepalived.conf
// files, init scripts), runs the rules and applies the disables. Pure: it never connects.
import { isAbsolute, relative, resolve } from 'node:path';
import type { Diagnostic, SourcePos } from '../diagnostics.js';
import { loadAndPlan, type Plan } from '../plan/load-and-plan.js';
import { isDisabled, loadLintConfig, readDisables, type Disable, type LintConfig } from './config.js';
import { modelFromPlan } from './from-inventory.js';
import { modelFromKeepalived } from './keepalived/model.js';
import { keepalivedTestFindings } from './keepalived/check.js';
import { parseKeepalivedFile } from './keepalived/parse.js';
import {
  NEWEST_KEEPALIVED,
  parseKeepalivedVersion,
  versionOfDebian,
  type KeepalivedVersion,
} from './keepalived/versions.js';
import type { Rule, RuleSettings } from './rule.js';
import { CROSS_RULES, MODEL_RULES, RULE_IDS } from './rules/index.js';
import { lintScript } from './script.js';
import { emptyModel, type ClusterModel, type Finding } from './types.js';
import { DEFAULT_PLAYBOOK } from './options.js';

export interface LintOptions {
  inventory?: string[];
  /** The playbook whose plays give each host its roles (default playbooks/site.yaml). */
  playbook?: string;
  keepalived?: string[];
  scripts?: string[];
  config?: string;
  cwd?: string;
  vaultPasswordFile?: string[];
  /** Run shellcheck on scripts (default true). */
  shellcheck?: boolean;
  /** The keepalived version whose `-t` decides severities (default: the inventory's, else the newest). */
  keepalivedVersion?: KeepalivedVersion;
}

export interface SuppressedFinding extends Finding {
  reason: string;
}

export interface LintReport {
  findings: Finding[];
  suppressed: SuppressedFinding[];
}

export { DEFAULT_PLAYBOOK } from './options.js';

export function runRules(model: ClusterModel, settings: RuleSettings, rules: readonly Rule[] = MODEL_RULES): Finding[] {
  return rules.flatMap((r) =>
    r.check(model, settings).map((h) => ({
      rule: r.id,
      severity: h.severity ?? r.severity,
      message: h.message,
      why: r.why,
      fix: h.fix ?? r.fix,
      ...(h.pos ? { pos: h.pos } : {}),
    })),
  );
}

/**
 * The keepalived version the inventory's directors run, where it says: `keepalived_version`, else
 * the Debian release from facts (`ansible_distribution_release` or `_major_version`).
 */
export function inventoryKeepalivedVersion(
  views: ReadonlyMap<string, { get(name: string): unknown }>,
  hosts: readonly string[],
): KeepalivedVersion | undefined {
  for (const host of hosts) {
    const view = views.get(host);
    if (!view) continue;
    const explicit = view.get('keepalived_version');
    const v =
      (explicit !== undefined ? parseKeepalivedVersion(String(explicit)) : undefined) ??
      versionOfDebian(view.get('ansible_distribution_release')) ??
      versionOfDebian(view.get('ansible_distribution_major_version'));
    if (v) return v;
  }
  return undefined;
}

/** The cluster rules over what a plan's inventory and roles describe; returns the real servers group. */
function planFindings(
  plan: Plan,
  config: LintConfig,
  findings: Finding[],
  disables: Disable[],
): {
  realServersGroup: string[] | undefined;
  keepalivedVersion: KeepalivedVersion | undefined;
  model: ClusterModel;
} {
  const { model, views } = modelFromPlan(plan);
  for (const host of plan.inventory.hosts.keys()) {
    const view = views.get(host);
    const list = view?.get('lvsplay_lint_disable');
    if (list === undefined) continue;
    const r = readDisables(list, {}, RULE_IDS, view?.pos('lvsplay_lint_disable'), host);
    disables.push(...r.disables);
    findings.push(...r.problems);
  }
  findings.push(...runRules(model, config.settings));
  const directors = model.directors.map((d) => d.name);
  return {
    model,
    realServersGroup: model.realServersGroup,
    keepalivedVersion: inventoryKeepalivedVersion(views, [...directors, ...plan.inventory.hosts.keys()]),
  };
}

/**
 * What `lvsplay run` checks before it connects: the cluster rules over the plan it is about
 * to run, with the project's lint config; only error findings that are not switched off.
 */
export function lintErrorsOfPlan(plan: Plan, cwd: string): Finding[] {
  const config = loadLintConfig(undefined, RULE_IDS);
  const findings: Finding[] = [...config.problems];
  const disables: Disable[] = [...config.disables];
  planFindings(plan, config, findings, disables);
  return dedupe(findings.map((f) => (f.pos ? { ...f, pos: relativePos(f.pos, cwd) } : f))).filter(
    (f) => f.severity === 'error' && !isDisabled(f, disables),
  );
}

export function mergeModels(models: ClusterModel[]): ClusterModel {
  const m = emptyModel();
  for (const x of models) {
    // Loops, not push(...): a huge file's hundreds of thousands of keywords overflow the stack as arguments.
    for (const d of x.directors) m.directors.push(d);
    for (const v of x.vrrp) m.vrrp.push(v);
    for (const s of x.services) m.services.push(s);
    for (const h of x.realServerHosts) m.realServerHosts.push(h);
    for (const d of x.dbMasters) m.dbMasters.push(d);
    for (const k of x.keywords) m.keywords.push(k);
    if (x.scripts) for (const s of x.scripts) (m.scripts ??= []).push(s);
  }
  return m;
}

/** keepalived.conf parse problems as findings. */
export function keepalivedSyntaxFindings(ds: readonly Diagnostic[]): Finding[] {
  return ds.map((d): Finding => ({
    rule: 'keepalived-syntax',
    severity: d.severity,
    message: d.message,
    why: 'keepalived stops reading at unbalanced braces or reads the rest of the file into the wrong block',
    fix: d.hint ?? 'fix the syntax',
    ...(d.pos ? { pos: d.pos } : {}),
  }));
}

export function lint(opts: LintOptions): LintReport {
  const cwd = opts.cwd ?? process.cwd();
  const config = loadLintConfig(opts.config ? resolve(cwd, opts.config) : undefined, RULE_IDS);
  const findings: Finding[] = [...config.problems];
  const disables: Disable[] = [...config.disables];
  const wantInventory =
    !!opts.inventory?.length || !!opts.playbook || (!opts.keepalived?.length && !opts.scripts?.length);

  let realServersGroup: string[] | undefined;
  let version = opts.keepalivedVersion;
  /** Everything given, for the cross-file rules. */
  const everything: ClusterModel[] = [];
  if (wantInventory) {
    const plan = loadAndPlan({
      playbook: opts.playbook ?? DEFAULT_PLAYBOOK,
      ...(opts.inventory?.length ? { inventory: opts.inventory } : {}),
      cwd,
      ...(opts.vaultPasswordFile?.length ? { vaultPasswordFile: opts.vaultPasswordFile } : {}),
    });
    const r = planFindings(plan, config, findings, disables);
    realServersGroup = r.realServersGroup;
    everything.push(r.model);
    version ??= r.keepalivedVersion;
  }
  version ??= NEWEST_KEEPALIVED;
  if (opts.keepalived?.length) {
    const models = opts.keepalived.map((f) => {
      const parsed = parseKeepalivedFile(resolve(cwd, f));
      for (const f of keepalivedSyntaxFindings(parsed.diagnostics)) findings.push(f);
      for (const f of keepalivedTestFindings(parsed.nodes, version)) findings.push(f);
      return modelFromKeepalived(parsed.nodes, f);
    });
    const merged = mergeModels(models);
    merged.keepalivedVersion = version;
    if (realServersGroup) merged.realServersGroup = realServersGroup;
    for (const f of runRules(merged, config.settings)) findings.push(f);
    everything.push(merged);
  }
  if (opts.scripts?.length) {
    const results = opts.scripts.map((f) =>
      lintScript(resolve(cwd, f), { shellcheck: opts.shellcheck !== false, name: f }),
    );
    for (const r of results) findings.push(...r.findings);
    const merged = mergeModels(results.map((r) => r.model));
    findings.push(...runRules(merged, config.settings));
    findings.push(...runRules(mergeModels([...everything, merged]), config.settings, CROSS_RULES));
  }

  return reportOf(findings, disables, cwd);
}

/** Findings with paths relative to `cwd`, each once, sorted, the disabled ones set apart. */
export function reportOf(findings: readonly Finding[], disables: readonly Disable[], cwd: string): LintReport {
  const shown = dedupe(
    findings.map((f) => {
      const g = { ...f, message: printable(f.message) };
      return g.pos ? { ...g, pos: relativePos(g.pos, cwd) } : g;
    }),
  );
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const f of shown) {
    const d = disables.find((x) => isDisabled(f, [x]));
    if (d) suppressed.push({ ...f, reason: d.reason });
    else kept.push(f);
  }
  return { findings: sortFindings(kept), suppressed };
}

/**
 * A message fit for a terminal whatever the input held: control characters (binary junk read as
 * a keyword) escaped, and words of a very long line cut.
 */
function printable(message: string): string {
  return message
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/\S{80,}/g, (w) => `${w.slice(0, 60)}…(${w.length} characters)`);
}

function relativePos(pos: SourcePos, cwd: string): SourcePos {
  if (!isAbsolute(pos.file)) return pos;
  const rel = relative(cwd, pos.file);
  return rel.startsWith('..') ? pos : { ...pos, file: rel };
}

function dedupe(fs: Finding[]): Finding[] {
  const seen = new Set<string>();
  return fs.filter((f) => {
    const k = `${f.rule}|${f.message}|${f.pos?.file}:${f.pos?.line}:${f.pos?.col}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const RANK = { error: 0, warning: 1, info: 2 };
export function sortFindings(fs: Finding[]): Finding[] {
  return [...fs].sort((a, b) => {
    if (!a.pos || !b.pos) return a.pos ? -1 : b.pos ? 1 : RANK[a.severity] - RANK[b.severity];
    return (
      a.pos.file.localeCompare(b.pos.file) ||
      a.pos.line - b.pos.line ||
      a.pos.col - b.pos.col ||
      a.rule.localeCompare(b.rule)
    );
  });
}
