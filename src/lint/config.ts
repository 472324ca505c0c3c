// Switching rules off: `.lvsplay-lint.yml` (`disable:` entries, each with a reason) or a host's
// `lvsplay_lint_disable: [{rule, reason}]`. A disable without a reason, or naming no rule, is
// itself a finding and switches nothing off: silencing a cluster check should leave a trace.
import { existsSync } from 'node:fs';
import { closest, type SourcePos } from '../diagnostics.js';
import { loadYamlFile, posOf, valuePosOf } from '../yaml/load.js';
import { DEFAULT_SETTINGS, type RuleSettings } from './rule.js';
import type { Finding, RuleMeta } from './types.js';

export const CONFIG_RULES: RuleMeta[] = [
  {
    id: 'lint-config',
    severity: 'error',
    title: 'lint configuration or disable entry is valid',
    why: 'a rule switched off without a reason, or a misspelt rule id, hides cluster checks without anyone knowing why',
    fix: 'write each disable as {rule: RULE-ID, reason: WHY}',
  },
  {
    id: 'keepalived-syntax',
    severity: 'error',
    title: 'keepalived.conf syntax',
    why: 'keepalived stops reading at unbalanced braces or reads the rest of the file into the wrong block',
    fix: 'balance the braces and close quoted strings',
  },
];

export interface Disable {
  rule: string;
  reason: string;
  /** Only for this host (from its variables); absent for the config file. */
  host?: string;
  pos?: SourcePos;
}

export interface LintConfig {
  disables: Disable[];
  settings: RuleSettings;
  problems: Finding[];
}

const problem = (message: string, pos: SourcePos | undefined, fix: string): Finding => ({
  rule: 'lint-config',
  severity: 'error',
  message,
  why: CONFIG_RULES[0]!.why,
  fix,
  ...(pos ? { pos } : {}),
});

/** Reads `disable:` entries (strings with `reasons:`, or {rule, reason} maps) from any source. */
export function readDisables(
  list: unknown,
  reasons: Record<string, unknown>,
  known: Set<string>,
  at: SourcePos | undefined,
  host?: string,
): { disables: Disable[]; problems: Finding[] } {
  const disables: Disable[] = [];
  const problems: Finding[] = [];
  if (list === undefined || list === null) return { disables, problems };
  if (!Array.isArray(list))
    return {
      disables,
      problems: [
        problem('disable must be a list of {rule, reason}', at, 'write disable: [{rule: RULE-ID, reason: WHY}]'),
      ],
    };
  list.forEach((item, i) => {
    const pos = valuePosOf(list, i) ?? at;
    const rule =
      typeof item === 'string'
        ? item
        : typeof item === 'object' && item
          ? String((item as Record<string, unknown>).rule ?? '')
          : '';
    const reasonRaw = typeof item === 'object' && item ? (item as Record<string, unknown>).reason : reasons[rule];
    const reason = typeof reasonRaw === 'string' ? reasonRaw.trim() : '';
    if (!known.has(rule)) {
      const guess = closest(rule, known);
      problems.push(
        problem(
          `'${rule}' is not a lint rule${host ? ` (in ${host}'s lvsplay_lint_disable)` : ''}`,
          pos,
          guess ? `did you mean '${guess}'?` : 'see docs/lint.md for the rule ids',
        ),
      );
    } else if (!reason) {
      problems.push(
        problem(
          `rule ${rule} is disabled without a reason${host ? ` for ${host}` : ''}; it stays on`,
          pos,
          `write {rule: ${rule}, reason: WHY}`,
        ),
      );
    } else disables.push({ rule, reason, ...(host ? { host } : {}), ...(pos ? { pos } : {}) });
  });
  return { disables, problems };
}

export const CONFIG_FILE = '.lvsplay-lint.yml';

/** Reads the config file (given, or `.lvsplay-lint.yml` in the current directory if present). */
export function loadLintConfig(path: string | undefined, known: Set<string>): LintConfig {
  const settings = { ...DEFAULT_SETTINGS };
  const file = path ?? (existsSync(CONFIG_FILE) ? CONFIG_FILE : undefined);
  if (!file) return { disables: [], settings, problems: [] };
  if (!existsSync(file))
    return {
      disables: [],
      settings,
      problems: [problem(`lint config ${file} does not exist`, undefined, 'give the path of an existing file')],
    };
  const { value, diagnostics } = loadYamlFile(file);
  const problems: Finding[] = diagnostics.map((d) => problem(d.message, d.pos, d.hint ?? 'fix the YAML'));
  if (value === null || value === undefined) return { disables: [], settings, problems };
  if (typeof value !== 'object' || Array.isArray(value))
    return {
      disables: [],
      settings,
      problems: [
        ...problems,
        problem(`${file} must be a mapping`, posOf(value), 'write disable: [...] at the top level'),
      ],
    };
  const cfg = value as Record<string, unknown>;
  const seconds = cfg.failure_detection_seconds;
  if (seconds !== undefined) {
    if (typeof seconds === 'number' && seconds > 0) settings.failureDetectionSeconds = seconds;
    else
      problems.push(
        problem(
          'failure_detection_seconds must be a positive number',
          valuePosOf(cfg, 'failure_detection_seconds'),
          'write e.g. failure_detection_seconds: 30',
        ),
      );
  }
  const reasons = typeof cfg.reasons === 'object' && cfg.reasons ? (cfg.reasons as Record<string, unknown>) : {};
  const r = readDisables(cfg.disable, reasons, known, valuePosOf(cfg, 'disable'));
  return { disables: r.disables, settings, problems: [...problems, ...r.problems] };
}

/** A host-scoped disable applies to findings naming that host. */
export function isDisabled(f: Finding, disables: readonly Disable[]): boolean {
  return disables.some(
    (d) =>
      d.rule === f.rule &&
      (!d.host ||
        new RegExp(`(^|[^\\w.-])${d.host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\w.-]|$)`).test(f.message)),
  );
}
