// What the first `lvsplay run site.yaml` will change on the adopted cluster, task by task: the
// bundled roles say it themselves, in check mode over the inventory adopt wrote (the run
// verify's drift check makes), so nothing here repeats what a role does. Each change carries
// what the role reports it would do and, where the task rewrites a file adopt read, the lint
// errors at the lines it replaces (the fix lint asked for).
import { diffLines } from 'diff';
import type { TaskResult } from '../exec/events.js';
import type { LintReport } from '../lint/index.js';
import type { Finding } from '../lint/types.js';
import { redact } from '../report/redact.js';
import type { CheckRun } from '../verify/check-run.js';
import type { FoundFile } from './found.js';
import type { ExpectedChange } from './model.js';

export interface FirstRun {
  changes: ExpectedChange[];
  /** Tasks check mode cannot predict (command, shell): `host: task`. */
  unpredictable: string[];
  /** Where the check-mode run could not tell: a failed task, an unreachable host. */
  problems: string[];
  ms: number;
}

/** 1-based line numbers of `before` that the change removes or rewrites. */
export function replacedLines(before: string, after: string): Set<number> {
  const out = new Set<number>();
  let line = 1;
  for (const part of diffLines(before, after)) {
    const n = part.count ?? 0;
    if (part.removed) for (let i = 0; i < n; i++) out.add(line + i);
    if (!part.added) line += n;
  }
  return out;
}

/** The lint errors a task's rewrite of a file adopt read takes away. */
function fixedFindings(host: string, r: TaskResult, found: FoundFile[], lint: LintReport): Finding[] {
  const out: Finding[] = [];
  for (const c of r.noLog ? [] : r.changes) {
    const file = found.find((f) => f.host === host && c.diff?.beforeHeader === f.remote);
    if (!file || !c.diff) continue;
    const gone = replacedLines(c.diff.before, c.diff.after);
    out.push(
      ...lint.findings.filter(
        (f) => f.severity === 'error' && f.pos?.file.endsWith(`/${host}${file.remote}`) && gone.has(f.pos.line ?? 0),
      ),
    );
  }
  return out;
}

/** What the role reports it would do. */
function whatItDoes(handler: boolean, r: TaskResult, masked: Iterable<string>): string {
  const said = r.noLog ? '(details hidden: no_log)' : [...new Set(r.changes.map((c) => c.summary))].join('; ');
  return redact(`${handler ? 'handler: ' : ''}${said || r.msg || 'changed'}`, masked);
}

/** The first run's changes, from the roles' check-mode run over the adopted inventory. Pure. */
export function firstRunOf(run: CheckRun, hosts: readonly string[], lint: LintReport, found: FoundFile[]): FirstRun {
  const out: FirstRun = { changes: [], unpredictable: [], problems: [], ms: run.ms };
  for (const host of hosts) {
    const d = run.hosts.get(host);
    if (!d) continue;
    if (d.unreachable) out.problems.push(`${host}: could not be checked: ${d.unreachable}`);
    for (const f of d.failed) out.problems.push(redact(`${host}: ${f.task}: ${f.msg}`, run.masked));
    for (const t of d.unknown) out.unpredictable.push(`${host}: ${t}`);
    for (const c of d.changed) {
      if (out.changes.some((x) => x.host === host && x.task === c.task)) continue;
      const fixes = fixedFindings(host, c.result, found, lint);
      const why = whatItDoes(c.handler, c.result, run.masked);
      out.changes.push({
        host,
        task: c.task,
        why: fixes.length
          ? `${why}, fixing what lint found: ${[...new Set(fixes.map((f) => f.message))].join('; ')}`
          : why,
        ...(fixes[0] ? { rule: fixes[0].rule } : {}),
      });
    }
  }
  return out;
}
