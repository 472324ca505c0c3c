// The shape of a lint rule: its documentation (id, severity, why, fix) and a pure check of the
// cluster model. Rules never read files; the model builders did that, with positions.
import type { SourcePos } from '../diagnostics.js';
import type { ClusterModel, LintSeverity, RuleMeta } from './types.js';

export interface RuleSettings {
  /** Worst-case seconds to notice a dead real server before `lvs-failure-detection` warns. */
  failureDetectionSeconds: number;
}

export const DEFAULT_SETTINGS: RuleSettings = { failureDetectionSeconds: 30 };

export interface Hit {
  message: string;
  pos?: SourcePos | undefined;
  /** A fix naming the values of this case, instead of the rule's general one. */
  fix?: string;
  /** A severity for this case instead of the rule's (the keepalived version decides some). */
  severity?: LintSeverity;
}

export interface Rule extends RuleMeta {
  check(model: ClusterModel, settings: RuleSettings): Hit[];
}

export const hit = (message: string, pos?: SourcePos, fix?: string): Hit =>
  fix ? { message, pos, fix } : { message, pos };

/** Groups items by a key, keeping first-seen order. */
export function groupBy<T>(items: readonly T[], key: (t: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    if (k === undefined) continue;
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}
