// group: a local group present (with its gid) or absent, through groupadd/groupmod/groupdel.
// The probe reads the group's entry with getent; the plan is pure.
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { sh } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { bool, choice, int, moduleArgs, str } from './args.js';
import type { Change, PlanOutcome, StateModule } from './runtime.js';

const groupArgs = moduleArgs({
  name: str(),
  state: choice('present', 'absent').optional(),
  gid: int().optional(),
  system: bool().optional(),
  non_unique: bool().optional(),
});

export type GroupArgs = Revealed<z.output<typeof groupArgs>>;

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** A line of `getent group` (name:x:gid:members), or undefined for no output. */
export function parseGroupLine(line: string | undefined): GroupEntry | undefined {
  if (!line?.trim()) return undefined;
  const f = line.trim().split(':');
  if (f.length < 4 || !/^\d+$/.test(f[2]!)) throw new Error(`unexpected group entry: ${line}`);
  return { name: f[0]!, gid: Number(f[2]), members: f[3] ? f[3].split(',') : [] };
}

export function planGroup(a: GroupArgs, g: GroupEntry | undefined): PlanOutcome {
  const state = a.state ?? 'present';
  const changes: Change[] = [];
  if (state === 'absent') {
    if (g) changes.push({ summary: `remove group ${a.name}`, steps: [{ run: sh`groupdel ${a.name}` }] });
    return { changes, data: { name: a.name, state } };
  }
  if (!g) {
    const opts = [
      ...(a.gid !== undefined ? ['-g', String(a.gid)] : []),
      ...(a.non_unique ? ['-o'] : []),
      ...(a.system ? ['-r'] : []),
    ];
    changes.push({
      summary: `add group ${a.name}${a.gid !== undefined ? ` (gid ${a.gid})` : ''}`,
      diff: {
        before: '',
        after: `${a.name}${a.gid !== undefined ? `:${a.gid}` : ''}\n`,
        beforeHeader: 'group',
        afterHeader: 'group',
      },
      steps: [{ run: sh`groupadd ${opts} ${a.name}` }],
    });
  } else if (a.gid !== undefined && a.gid !== g.gid) {
    changes.push({
      summary: `group ${a.name}: gid ${g.gid} -> ${a.gid}`,
      diff: {
        before: `${a.name}:${g.gid}\n`,
        after: `${a.name}:${a.gid}\n`,
        beforeHeader: 'group',
        afterHeader: 'group',
      },
      steps: [{ run: sh`groupmod ${['-g', String(a.gid), ...(a.non_unique ? ['-o'] : [])]} ${a.name}` }],
    });
  }
  return { changes, data: { name: a.name, state, gid: a.gid ?? g?.gid ?? null, system: a.system ?? false } };
}

export const groupModule: StateModule<z.output<typeof groupArgs>, GroupEntry | undefined> = {
  name: 'group',
  aliases: ['ansible.builtin.group'],
  exec: 'state',
  args: groupArgs,
  probe: (a) => ({
    cmd: sh`getent group ${a.name}`,
    parse: (r: ExecResult) => parseGroupLine(r.stdout.split('\n').find((l) => l.startsWith(`${a.name}:`))),
  }),
  plan: planGroup,
};
