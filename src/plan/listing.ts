// --list-hosts / --list-tasks / --list-tags, laid out exactly as ansible-playbook prints them.
import type { Plan, PlannedPlay } from './load-and-plan.js';

export interface ListingWanted {
  hosts: boolean;
  tasks: boolean;
  tags: boolean;
}

/** Python's repr of a list of strings, as `pattern: ['directors']` shows it. */
function pyList(items: string[]): string {
  return `[${items.map((s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`;
}

function playHeader(p: PlannedPlay, want: ListingWanted): string {
  let msg = `\n  play #${p.index + 1} (${p.play.hosts.join(',')}): ${p.play.name}\tTAGS: [${[...new Set(p.play.tags)].join(',')}]`;
  if (want.hosts) {
    msg += `\n    pattern: ${pyList(p.play.hosts)}\n    hosts (${p.hosts.length}):`;
    for (const h of p.hosts) msg += `\n      ${h}`;
  }
  return msg;
}

function taskLines(p: PlannedPlay, want: ListingWanted): string {
  const playTags = new Set(p.play.tags);
  const allTags = new Set<string>();
  let msg = want.tasks ? '    tasks:\n' : '';
  // Unlike ansible-playbook, a play left without hosts (by --limit) lists no tasks: it will not
  // run. A play on a group made at run time (group_by) may run: its tasks are listed.
  const tasks = p.hosts.length || p.pendingGroups ? p.compiled.tasks : [];
  for (const t of tasks) {
    // ansible-playbook 2.14 walks only the block part of each block: rescue and always tasks
    // are neither listed nor counted in TASK TAGS.
    if (t.recovery) continue;
    for (const tag of t.tags) allTags.add(tag);
    if (want.tasks) {
      const tags = [...new Set([...playTags, ...t.tags])].sort();
      const label =
        t.task.name !== undefined
          ? t.task.role
            ? `${t.task.role.name} : ${t.task.name}`
            : t.task.name
          : t.task.actionAs;
      msg += `      ${label}\tTAGS: [${tags.join(', ')}]\n`;
    }
  }
  if (want.tags) msg += `      TASK TAGS: [${[...new Set([...playTags, ...allTags])].sort().join(', ')}]\n`;
  return msg;
}

export function formatListing(plan: Plan, want: ListingWanted): string {
  let out = `\nplaybook: ${plan.playbookPath}\n`;
  for (const p of plan.plays) {
    out += `${playHeader(p, want)}\n`;
    // Ansible prints the task section as one message already ending in a newline: no blank line.
    if (want.tasks || want.tags) out += taskLines(p, want);
  }
  return out;
}
