// apt_repository: a `deb`/`deb-src` line added to or removed from APT's sources, as
// ansible-core 2.14's apt_repository does it (its SourcesList ported: lines parsed and written
// back in its normal form, a disabled copy of the line re-enabled instead of added, a new line
// in sources.list.d/<name>.list with the name derived from the line as Ansible derives it).
// The probe reads sources.list and sources.list.d/*.list whole; the pure plan computes every
// file's new text; the steps write the files that differ, remove the ones left empty, and run
// `apt-get update` (update_cache, default yes), putting every file back if the update fails.
import { posix } from 'node:path';
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { joinCommands, sh, type ShellCommand } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { bool, choice, int, mode, moduleArgs, str } from './args.js';
import type { Change, PlanOutcome, StateModule } from './runtime.js';

const aptRepositoryArgs = moduleArgs(
  {
    repo: str(),
    state: choice('present', 'absent').optional(),
    filename: str().optional(),
    mode: mode().optional(),
    update_cache: bool().optional(),
    update_cache_retries: int().optional(),
    // lvsplay needs no python-apt on the host: there is nothing to install.
    install_python_apt: bool().optional(),
  },
  { 'update-cache': 'update_cache' },
);

export type AptRepositoryArgs = Revealed<z.output<typeof aptRepositoryArgs>>;

const SOURCES = '/etc/apt/sources.list';
const PARTS = '/etc/apt/sources.list.d';
const VALID = ['deb', 'deb-src'];

interface Entry {
  n: number;
  valid: boolean;
  enabled: boolean;
  source: string;
  comment: string;
}

export interface AptSources {
  /** Path -> content, sources.list first, in the order the shell listed them. */
  files: Map<string, string>;
  modes: Map<string, number>;
  umask: number;
  hasAptGet: boolean;
}

/** SourcesList._parse. */
export function parseSourceLine(raw: string): Omit<Entry, 'n'> {
  let line = raw.trim();
  let enabled = true;
  let comment = '';
  if (line.startsWith('#')) {
    enabled = false;
    line = line.slice(1);
  }
  const i = line.indexOf('#');
  if (i > 0) {
    comment = line.slice(i + 1).trim();
    line = line.slice(0, i);
  }
  let source = line.trim();
  let valid = false;
  if (source) {
    const chunks = source.split(/\s+/);
    if (VALID.includes(chunks[0]!)) {
      valid = true;
      source = chunks.join(' ');
    }
  }
  return { valid, enabled, source, comment };
}

/** SourcesList._suggest_filename: `deb [arch=amd64] http://u:p@host/debian bookworm main` -> host_debian.list. */
export function suggestFilename(source: string, filename?: string): string {
  if (filename !== undefined) return `${filename}.list`;
  let line = source.replace(/\[[^\]]+\]/g, '').replace(/\w+:\/\//g, '');
  const parts = line.split(/\s+/).filter((p) => p !== '' && !VALID.includes(p));
  line = parts[0] ?? '';
  if (line.includes('@')) line = line.slice(line.indexOf('@') + 1);
  return `${line
    .replace(/[^a-zA-Z0-9]/g, ' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .join('_')}.list`;
}

const expandPath = (f: string) => (f.includes('/') ? f : posix.join(PARTS, f));

function load(text: string): Entry[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l, n) => ({ n, ...parseSourceLine(l) }));
}

function dump(entries: readonly Entry[]): string {
  return entries.map((e) => `${e.enabled ? '' : '# '}${e.source}${e.comment ? ` # ${e.comment}` : ''}\n`).join('');
}

export interface SourcesPlan {
  before: Map<string, string>;
  after: Map<string, string>;
  /** Files a new line went into (their mode is set). */
  newRepos: Set<string>;
}

/** add_source / remove_source on the loaded files; the dumps before and after. */
export function editSources(
  a: AptRepositoryArgs,
  files: ReadonlyMap<string, string>,
): SourcesPlan | { failed: string } {
  const lists = new Map<string, Entry[]>();
  for (const [path, text] of files) lists.set(path, load(text));
  const dumpAll = () => {
    const out = new Map<string, string>();
    for (const [p, es] of lists) if (es.length) out.set(p, dump(es));
    return out;
  };
  const before = dumpAll();
  if (a.repo.startsWith('ppa:'))
    return { failed: 'ppa: repositories need Launchpad (network) and are not supported here; give the deb line' };
  const parsed = parseSourceLine(a.repo);
  if (!parsed.valid || !parsed.enabled)
    return { failed: `Invalid repository string: ${a.repo.trim().replace(/^#/, '')}` };
  const source = parsed.source;
  const newRepos = new Set<string>();
  if ((a.state ?? 'present') === 'present') {
    let found = false;
    for (const es of lists.values())
      for (const e of [...es])
        if (e.valid && e.source === source) {
          es[e.n] = { ...es[e.n]!, enabled: true };
          found = true;
        }
    if (!found) {
      const file = expandPath(suggestFilename(source, a.filename));
      const es = lists.get(file) ?? [];
      lists.set(file, es);
      es.push({ n: es.length, valid: true, enabled: true, source, comment: '' });
      newRepos.add(file);
    }
  } else {
    // Ansible pops by the line's original number while iterating (so a line right after a removed
    // one is skipped, and later numbers point past the shift): the same here, for the same result.
    for (const es of lists.values()) {
      for (let i = 0; i < es.length; i++) {
        const e = es[i]!;
        if (e.valid && e.source === source && e.enabled) es.splice(e.n, 1);
      }
    }
  }
  return { before, after: dumpAll(), newRepos };
}

export function aptSourcesCmd(): ShellCommand {
  return sh`printf umask=; umask
command -v apt-get >/dev/null 2>&1 && echo aptget=1
for f in ${SOURCES} ${PARTS}/*.list; do
  [ -f "$f" ] || continue
  printf 'file=%s|%s|' "$(printf %s "$f" | base64 -w0)" "$(stat -c %a -- "$f")"
  base64 -w0 < "$f"; echo
done`;
}

export function parseAptSources(stdout: string): AptSources {
  const files = new Map<string, string>();
  const modes = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const m = /^file=([^|]*)\|(\d+)\|(.*)$/.exec(line);
    if (!m) continue;
    const path = Buffer.from(m[1]!, 'base64').toString('utf8');
    files.set(path, Buffer.from(m[3]!, 'base64').toString('utf8'));
    modes.set(path, Number.parseInt(m[2]!, 8));
  }
  const umask = /^umask=(\d+)$/m.exec(stdout)?.[1];
  return {
    files,
    modes,
    umask: umask ? Number.parseInt(umask, 8) & 0o777 : 0o022,
    hasAptGet: /^aptget=1$/m.test(stdout),
  };
}

/** The mode a written file ends with: `mode` for a file a line went into, else atomic_move's (kept, or 0666 & ~umask). */
function modeOf(a: AptRepositoryArgs, s: AptSources, path: string, newRepo: boolean): number {
  if (newRepo && a.mode !== undefined) return Number.parseInt(a.mode, 8);
  return s.modes.get(path) ?? 0o666 & ~s.umask;
}

function planAptRepository(a: AptRepositoryArgs, s: AptSources): PlanOutcome {
  const edit = editSources(a, s.files);
  if ('failed' in edit) return { failed: edit.failed };
  const state = a.state ?? 'present';
  const data = { repo: a.repo, state };
  const paths = new Set([...edit.before.keys(), ...edit.after.keys()]);
  const changed = [...paths].some((p) => edit.before.get(p) !== edit.after.get(p));
  if (!changed) return { changes: [], data };
  if (a.mode !== undefined && !/^[0-7]+$/.test(a.mode))
    return { failed: `mode ${a.mode}: give an octal mode such as 0644` };
  const steps: Change['steps'] = [];
  const restore: ShellCommand[] = [];
  // save(): every file loaded is written back in its normal form; a file left empty goes.
  for (const p of new Set([...s.files.keys(), ...edit.after.keys()])) {
    const text = edit.after.get(p);
    const old = s.files.get(p);
    if (text === undefined) {
      if (old !== undefined) steps.push({ run: sh`rm -f -- ${p}` });
    } else if (text !== old || modeOf(a, s, p, edit.newRepos.has(p)) !== s.modes.get(p)) {
      const mode = modeOf(a, s, p, edit.newRepos.has(p));
      steps.push({ put: { path: p, content: text, opts: { mode } } });
    }
    restore.push(old === undefined ? sh`rm -f -- ${p}` : sh`printf %s ${old} > ${p}`);
  }
  if (a.update_cache ?? true) {
    if (!s.hasAptGet) return { failed: 'apt-get is not on the host: apt_repository manages Debian-family hosts only' };
    const tries = Math.max(1, a.update_cache_retries ?? 5);
    steps.push({
      run: sh`n=0
until apt-get -q update >/dev/null 2>/tmp/.lvsplay-apt-update.$$; do
  n=$((n+1))
  if [ $n -ge ${tries} ]; then
    ${joinCommands(restore)}
    echo "Failed to update apt cache: $(tail -n 3 /tmp/.lvsplay-apt-update.$$)" >&2; rm -f /tmp/.lvsplay-apt-update.$$; exit 1
  fi
  sleep $n
done
rm -f /tmp/.lvsplay-apt-update.$$`,
    });
  }
  const diffs = [...paths]
    .filter((p) => edit.before.get(p) !== edit.after.get(p))
    .map((p) => ({
      summary: `${state === 'present' ? 'add' : 'remove'} ${a.repo.trim()} ${state === 'present' ? 'to' : 'from'} ${p}`,
      diff: {
        before: edit.before.get(p) ?? '',
        after: edit.after.get(p) ?? '',
        beforeHeader: edit.before.has(p) ? p : '/dev/null',
        afterHeader: edit.after.has(p) ? p : '/dev/null',
      },
      steps: [] as Change['steps'],
    }));
  diffs[0]!.steps = steps;
  return { changes: diffs, data };
}

export const aptRepositoryModule: StateModule<z.output<typeof aptRepositoryArgs>, AptSources> = {
  name: 'apt_repository',
  aliases: ['ansible.builtin.apt_repository'],
  exec: 'state',
  args: aptRepositoryArgs,
  probe: () => ({ cmd: aptSourcesCmd(), parse: (r: ExecResult) => parseAptSources(r.stdout) }),
  plan: planAptRepository,
};
