// user: a local account present (uid, primary and supplementary groups, shell, home, comment,
// password hash) or absent, through useradd/usermod/userdel. The probe reads the passwd entry,
// the groups (id) and the shadow hash; the plan is pure. The hash is a secret: it is compared,
// never shown, and reaches the command line masked in every log.
import type { z } from 'zod';
import { Secret, type Revealed } from '../secret.js';
import { sh } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { bool, choice, int, list, moduleArgs, str } from './args.js';
import type { PlanOutcome, StateModule } from './runtime.js';

const userArgs = moduleArgs(
  {
    name: str(),
    state: choice('present', 'absent').optional(),
    uid: int().optional(),
    group: str().optional(),
    groups: list().optional(),
    append: bool().optional(),
    shell: str().optional(),
    home: str().optional(),
    create_home: bool().optional(),
    system: bool().optional(),
    comment: str().optional(),
    password: str().optional(),
    remove: bool().optional(),
    force: bool().optional(),
  },
  { createhome: 'create_home', user: 'name' },
);

export type UserArgs = Revealed<z.output<typeof userArgs>>;

export interface UserEntry {
  name: string;
  uid: number;
  gid: number;
  comment: string;
  home: string;
  shell: string;
  /** The primary group's name. */
  primary?: string;
  /** Every group the user is in (id -Gn), the primary included. */
  groups: string[];
  /** The shadow hash, when it could be read (root). */
  hash?: string;
}

/** The probe's lines: passwd=<getent passwd line>, primary=, groups=, hash=. */
export function parseUserProbe(stdout: string): UserEntry | undefined {
  const kv = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i), line.slice(i + 1));
  }
  const pw = kv.get('passwd');
  if (pw === undefined) return undefined;
  const f = pw.split(':');
  if (f.length < 7 || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) throw new Error(`unexpected passwd entry: ${pw}`);
  const u: UserEntry = {
    name: f[0]!,
    uid: Number(f[2]),
    gid: Number(f[3]),
    comment: f[4]!,
    home: f[5]!,
    shell: f[6]!,
    groups: (kv.get('groups') ?? '').split(/\s+/).filter(Boolean),
  };
  const primary = kv.get('primary');
  if (primary) u.primary = primary;
  const hash = kv.get('hash');
  if (hash !== undefined) u.hash = hash;
  return u;
}

const probe = (a: UserArgs) => ({
  cmd: sh`if e=$(getent passwd ${a.name}); then printf 'passwd=%s\n' "$e"
printf 'primary=%s\n' "$(id -gn ${a.name} 2>/dev/null)"
printf 'groups=%s\n' "$(id -Gn ${a.name} 2>/dev/null)"
if s=$(getent shadow ${a.name} 2>/dev/null); then printf 'hash=%s\n' "$(printf %s "$s" | cut -d: -f2)"; fi
fi`,
  parse: (r: ExecResult) => parseUserProbe(r.stdout),
});

const sameGroup = (want: string, u: UserEntry) => (/^\d+$/.test(want) ? Number(want) === u.gid : want === u.primary);

export function planUser(a: UserArgs, u: UserEntry | undefined): PlanOutcome {
  const state = a.state ?? 'present';
  const data: Record<string, unknown> = { name: a.name, state };
  if (state === 'absent') {
    if (!u) return { changes: [], data };
    const opts = [...(a.remove ? ['-r'] : []), ...(a.force ? ['-f'] : [])];
    return { changes: [{ summary: `remove user ${a.name}`, steps: [{ run: sh`userdel ${opts} ${a.name}` }] }], data };
  }
  const groups = a.groups?.map(String);
  const password = a.password !== undefined ? new Secret(a.password) : undefined;
  if (!u) {
    const opts = [
      ...(a.uid !== undefined ? ['-u', String(a.uid)] : []),
      ...(a.group !== undefined ? ['-g', a.group] : []),
      ...(groups?.length ? ['-G', groups.join(',')] : []),
      ...(a.shell !== undefined ? ['-s', a.shell] : []),
      ...(a.home !== undefined ? ['-d', a.home] : []),
      ...(a.comment !== undefined ? ['-c', a.comment] : []),
      ...(a.system ? ['-r'] : []),
      ...(a.create_home === false || (a.system && a.create_home === undefined) ? ['-M'] : ['-m']),
      ...(password ? ['-p', password] : []),
    ];
    return {
      changes: [
        {
          summary: `add user ${a.name}`,
          steps: [{ run: sh`useradd ${opts} ${a.name}` }],
        },
      ],
      data,
    };
  }
  const opts: Array<string | Secret> = [];
  const what: string[] = [];
  const set = (flags: Array<string | Secret>, why: string) => {
    opts.push(...flags);
    what.push(why);
  };
  if (a.uid !== undefined && a.uid !== u.uid) set(['-u', String(a.uid)], `uid ${u.uid} -> ${a.uid}`);
  if (a.group !== undefined && !sameGroup(a.group, u))
    set(['-g', a.group], `group ${u.primary ?? u.gid} -> ${a.group}`);
  if (groups !== undefined) {
    const current = u.groups.filter((g) => g !== u.primary);
    const missing = groups.filter((g) => !current.includes(g));
    const extra = current.filter((g) => !groups.includes(g));
    if (a.append && missing.length) set(['-a', '-G', missing.join(',')], `groups + ${missing.join(',')}`);
    if (!a.append && (missing.length || extra.length))
      set(['-G', groups.join(',')], `groups ${current.join(',') || '(none)'} -> ${groups.join(',') || '(none)'}`);
  }
  if (a.shell !== undefined && a.shell !== u.shell) set(['-s', a.shell], `shell ${u.shell} -> ${a.shell}`);
  if (a.home !== undefined && a.home !== u.home) set(['-d', a.home], `home ${u.home} -> ${a.home}`);
  if (a.comment !== undefined && a.comment !== u.comment)
    set(['-c', a.comment], `comment '${u.comment}' -> '${a.comment}'`);
  const newHash = password !== undefined && a.password !== u.hash;
  if (newHash) set(['-p', password], 'password changed');
  if (!what.length) return { changes: [], data: { ...data, uid: u.uid, home: u.home, shell: u.shell } };
  return {
    changes: [
      {
        summary: `user ${a.name}: ${what.join('; ')}`,
        steps: [{ run: sh`usermod ${opts} ${a.name}` }],
      },
    ],
    data,
  };
}

export const userModule: StateModule<z.output<typeof userArgs>, UserEntry | undefined> = {
  name: 'user',
  aliases: ['ansible.builtin.user'],
  exec: 'state',
  args: userArgs,
  probe,
  plan: planUser,
};
