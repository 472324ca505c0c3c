// --diff: unified diffs of file content and of state, headed like Ansible's
// (`--- before: PATH` / `+++ after: PATH`), coloured on a TTY only.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import type { ChangeSummary } from '../exec/events.js';
import type { Paint } from './ansi.js';

/** The unified diff of one change, or '' when before and after are the same text. */
export function unifiedDiff(d: NonNullable<ChangeSummary['diff']>): string {
  if (d.before === d.after) return '';
  const from = d.beforeHeader ? `before: ${d.beforeHeader}` : 'before';
  const to = d.afterHeader ? `after: ${d.afterHeader}` : 'after';
  const patch = createTwoFilesPatch(from, to, d.before, d.after, undefined, undefined, {
    headerOptions: FILE_HEADERS_ONLY,
  });
  // A patch with headers and no hunk says nothing.
  return patch.includes('\n@@') ? patch : '';
}

/** Colours a unified diff line by line, as Ansible's COLOR_DIFF_* do. */
export function paintDiff(patch: string, paint: Paint): string {
  return patch
    .split('\n')
    .map((line) => {
      if (line.startsWith('+')) return paint('diffAdd', line);
      if (line.startsWith('-')) return paint('diffRemove', line);
      if (line.startsWith('@@')) return paint('diffLines', line);
      return line;
    })
    .join('\n');
}

/** Every diff a result carries, each followed by a blank line (Ansible's layout). */
export function renderDiffs(changes: readonly ChangeSummary[], paint: Paint): string[] {
  const out: string[] = [];
  for (const c of changes) {
    if (!c.diff) continue;
    const patch = unifiedDiff(c.diff);
    if (patch) out.push(paintDiff(patch.replace(/\n$/, ''), paint), '');
  }
  return out;
}
