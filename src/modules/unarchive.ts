// unarchive: an archive (from the controller, or already on the host with remote_src) unpacked
// into an existing directory, as ansible-core 2.14's unarchive decides it. One probe reads the
// host: which handler can read the archive (unzip first, then GNU tar with -z, none, -j, -J,
// zstd), its member list, and how the members differ from what is on disk (`tar --diff` for tar,
// as Ansible; for zip, zipinfo's listing with each member's size, type, mode, mtime and content
// compared with the file in dest). The pure plan says whether to extract and which owner/group/
// mode to fix afterwards. A controller archive travels on stdin into a temp file removed on exit.
import { readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { joinCommands, raw, sh, type RawShell, type ShellCommand } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { bool, list, moduleArgs, str } from './args.js';
import { fileAttrs } from './file-attrs.js';
import { octal, planAttrs, wantedMode, type FileInfo } from './fileinfo.js';
import type { Change, ModuleContext, PlanOutcome, Probe, StateModule } from './runtime.js';

const unarchiveArgs = moduleArgs({
  src: str(),
  dest: str(),
  remote_src: bool().optional(),
  creates: str().optional(),
  list_files: bool().optional(),
  exclude: list().optional(),
  include: list().optional(),
  extra_opts: list().optional(),
  ...fileAttrs,
}).superRefine((a, ctx) => {
  if (a.exclude?.length && a.include?.length)
    ctx.addIssue({ code: 'custom', path: ['include'], message: 'parameters are mutually exclusive: include|exclude' });
});

export type UnarchiveArgs = Revealed<z.output<typeof unarchiveArgs>>;

/** Ansible's handler classes, in the order it tries them. */
const TAR_FLAGS = [
  ['TgzArchive', '-z'],
  ['TarArchive', ''],
  ['TarBzipArchive', '-j'],
  ['TarXzArchive', '-J'],
  ['TarZstdArchive', '--use-compress-program=zstd'],
] as const;

export interface DiskEntry {
  type?: string;
  size?: number;
  mtime?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  owner?: string;
  group?: string;
  /** zip: the file's bytes equal the member's. */
  same?: boolean;
}

export interface UnarchiveState {
  creates: boolean;
  src: 'ok' | 'missing' | 'unreadable' | 'empty';
  destIsDir: boolean;
  dest?: FileInfo;
  uid: number;
  umask: number;
  handler?: string;
  /** Why no handler could read the archive. */
  reasons: string[];
  /** Members as `tar --list` (or zipinfo) names them, after exclude. */
  members: string[];
  /** tar: `tar --diff`'s stdout and stderr lines. */
  tarDiff: string[];
  /** zip: zipinfo -T -s lines, and the on-disk state of each named member. */
  zipLines: string[];
  zipTimes: Map<string, number>;
  disk: Map<string, DiskEntry>;
}

const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/** Where the archive is read from on the host: the given path, or the controller's bytes in a temp file. */
function archiveSource(a: UnarchiveArgs): ShellCommand {
  return a.remote_src
    ? sh`a=${a.src}`
    : sh`a=$(mktemp) || exit 1
trap 'rm -f "$a"' EXIT
cat > "$a"`;
}

const optsOf = (a: UnarchiveArgs) =>
  a.extra_opts?.length ? ['--show-transformed-names', ...a.extra_opts.map(String)] : [];
const excludesOf = (a: UnarchiveArgs) => (a.exclude ?? []).map((e) => `--exclude=${String(e).replace(/\/+$/, '')}`);
const includesOf = (a: UnarchiveArgs) => (a.include ?? []).map(String);

function tarCmd(a: UnarchiveArgs, op: '--list' | '--diff' | '--extract', flag: string | RawShell): ShellCommand {
  const attrs =
    op === '--list'
      ? []
      : [
          ...(a.owner !== undefined ? [`--owner=${a.owner}`] : []),
          ...(a.group !== undefined ? [`--group=${a.group}`] : []),
        ];
  return sh`LC_ALL=C tar ${op} -C "$d" ${flag === '' ? [] : flag} ${optsOf(a)} ${attrs} ${excludesOf(a)} -f "$a" ${includesOf(a)}`;
}

function zipFilter(a: UnarchiveArgs): string[] {
  return [...(a.exclude?.length ? ['-x', ...a.exclude.map(String)] : []), ...includesOf(a)];
}

const STAT = `%F|%s|%Y|%a|%u|%g|%U|%G`;

/** The probe: one shell script, stdout only `key=value` lines (values base64 where they are free text). */
export function unarchiveProbeCmd(a: UnarchiveArgs): ShellCommand {
  const tarBranches = TAR_FLAGS.map(
    ([name, flag]) =>
      sh`if [ -z "$h" ]; then if ${tarCmd(a, '--list', flag)} > "$l" 2>"$e" && [ -s "$l" ]; then h=${name}; f=${flag}
else printf 'why=%s\n' "$(printf '%s: %s' ${name} "$(cat "$e")" | base64 -w0)"; fi; fi`,
  );
  const attrsWanted = a.owner !== undefined || a.group !== undefined || a.mode !== undefined;
  return joinCommands([
    sh`printf umask=; umask; echo uid=$(id -u); d=${a.dest}`,
    a.creates !== undefined ? sh`[ -e ${a.creates} ] && echo creates=1` : sh`:`,
    sh`[ -d "$d" ] && echo destdir=1 && stat -L --printf 'dest=${raw(STAT)}\n' -- "$d"`,
    archiveSource(a),
    sh`if [ ! -e "$a" ]; then echo src=missing; exit 0; elif [ ! -r "$a" ]; then echo src=unreadable; exit 0; elif [ ! -s "$a" ]; then echo src=empty; exit 0; fi
[ -d "$d" ] || exit 0
l=$(mktemp) && e=$(mktemp) || exit 1
trap 'rm -f "$l" "$e" ${a.remote_src ? raw('') : raw('"$a"')}' EXIT
h=
if command -v unzip >/dev/null 2>&1 && unzip -l "$a" >/dev/null 2>&1; then
  if command -v zipinfo >/dev/null 2>&1; then h=ZipArchive; else h=ZipZArchive; fi
  unzip -Z -T -s "$a" ${zipFilter(a)} > "$l" 2>/dev/null
  echo zipinfo=$(base64 -w0 < "$l")
  sed -n 's/^[-dl?][-rwxstahST]\\{6,9\\}  *[^ ]*  *[^ ]*  *[0-9]*  *[^ ]*  *[^ ]*  *\\([0-9]\\{8\\}\\)\\.\\([0-9][0-9]\\)\\([0-9][0-9]\\)\\([0-9][0-9]\\) .*/\\1 \\2:\\3:\\4/p' "$l" > "$e"
  [ -s "$e" ] && echo ziptimes=$(date -f "$e" +%s | tr '\\n' ' ')
  while read -r perm ver os size tb meth ts name; do
    case $perm in [-dl?]?????????|[-dl?]??????) ;; *) continue;; esac
    printf 'm=%s|' "$(printf %s "$name" | base64 -w0)"
    stat --printf '${raw(STAT)}' -- "$d/$name" 2>/dev/null
    if [ -f "$d/$name" ] && [ ! -L "$d/$name" ] && unzip -p "$a" "$name" 2>/dev/null | cmp -s - "$d/$name"; then printf '|same'; fi
    echo
  done < "$l"
else
  tar --version 2>/dev/null | head -n 1 | grep -q GNU || echo notgnu=1
  ${joinCommands(tarBranches)}
  if [ -n "$h" ]; then
    echo list=$(base64 -w0 < "$l")
    echo diff=$(${tarCmd(a, '--diff', raw('$f'))} 2>&1 | base64 -w0)
    ${
      attrsWanted
        ? sh`while IFS= read -r n; do n=\${n#/}; printf 'm=%s|' "$(printf %s "$n" | base64 -w0)"; stat --printf '${raw(STAT)}' -- "$d/$n" 2>/dev/null; echo; done < "$l"
    for t in $(sed -n 's,^/*\\([^/]*\\)/.*,\\1,p' "$l" | sort -u); do printf 'm=%s|' "$(printf %s "$t" | base64 -w0)"; stat --printf '${raw(STAT)}' -- "$d/$t" 2>/dev/null; echo; done`
        : sh`:`
    }
  fi
fi
echo handler=$h`,
  ]);
}

function parseStat(text: string): DiskEntry {
  const [type, size, mtime, mode, uid, gid, owner, group] = text.split('|');
  if (!type) return {};
  return {
    type,
    size: Number(size),
    mtime: Number(mtime),
    mode: Number.parseInt(mode ?? '0', 8),
    uid: Number(uid),
    gid: Number(gid),
    ...(owner && owner !== 'UNKNOWN' ? { owner } : {}),
    ...(group && group !== 'UNKNOWN' ? { group } : {}),
  };
}

/** Reads the probe's output. */
export function parseUnarchive(stdout: string, destPath: string): UnarchiveState {
  const s: UnarchiveState = {
    creates: false,
    src: 'ok',
    destIsDir: false,
    uid: -1,
    umask: 0o022,
    reasons: [],
    members: [],
    tarDiff: [],
    zipLines: [],
    zipTimes: new Map(),
    disk: new Map(),
  };
  let zipTimes: number[] = [];
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const k = line.slice(0, eq);
    const v = line.slice(eq + 1);
    if (k === 'umask') s.umask = Number.parseInt(v, 8) & 0o777;
    else if (k === 'uid') s.uid = Number(v);
    else if (k === 'creates') s.creates = true;
    else if (k === 'src') s.src = v as UnarchiveState['src'];
    else if (k === 'destdir') s.destIsDir = true;
    else if (k === 'dest') s.dest = onDisk(destPath, parseStat(v));
    else if (k === 'handler') {
      if (v) s.handler = v;
    } else if (k === 'why') s.reasons.push(b64(v).trim());
    else if (k === 'notgnu') s.reasons.push('tar: GNU tar required');
    else if (k === 'list') s.members = tarNames(b64(v));
    else if (k === 'diff')
      s.tarDiff = b64(v)
        .split('\n')
        .filter((l) => l !== '');
    else if (k === 'zipinfo') s.zipLines = b64(v).split('\n');
    else if (k === 'ziptimes') zipTimes = v.trim().split(/\s+/).map(Number);
    else if (k === 'm') {
      const bar = v.indexOf('|');
      const name = b64(v.slice(0, bar));
      const rest = v.slice(bar + 1);
      const entry = parseStat(rest.replace(/\|same$/, ''));
      if (rest.endsWith('|same')) entry.same = true;
      s.disk.set(name, entry);
    }
  }
  if (s.handler?.startsWith('Zip')) {
    let i = 0;
    for (const l of s.zipLines) {
      const z = zipLine(l);
      if (!z) continue;
      s.members.push(z.path);
      if (zipTimes[i] !== undefined) s.zipTimes.set(z.path, zipTimes[i]!);
      i++;
    }
  }
  return s;
}

/** `tar --list` names as Ansible reads them: escapes decoded, a leading '/' dropped. */
function tarNames(out: string): string[] {
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/\\([\\nt])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\')))
    .map((l) => (l.startsWith('/') ? l.slice(1) : l));
}

interface ZipMember {
  ztype: string;
  permstr: string;
  size: number;
  path: string;
}

/** One zipinfo -T -s line, filtered as Ansible's is_unarchived filters them. */
function zipLine(line: string): ZipMember | undefined {
  const pcs = line.trim().split(/\s+/);
  if (pcs.length < 8) return undefined;
  const path = line
    .trim()
    .replace(/^(\S+\s+){7}/, '')
    .trimEnd();
  const p0 = pcs[0]!;
  if ((p0.length !== 7 && p0.length !== 10) || pcs[6]!.length !== 15) return undefined;
  if (!'dl-?'.includes(p0[0]!) || ![...p0.slice(1)].every((c) => 'rwxstah-'.includes(c))) return undefined;
  return { ztype: p0[0]!, permstr: p0.slice(1), size: Number(pcs[3]), path };
}

const permToOctal = (perm: string, umask: number): number => {
  const rev = [...perm].reverse();
  let mode = 0;
  for (let j = 0; j < 3; j++)
    for (let i = 0; i < 3; i++) if ('rwxst'.includes(rev[i + 3 * j] ?? '-')) mode += 2 ** (i + 3 * j);
  return mode & ~umask;
};

const OWNER_DIFF = /: Uid differs$/;
const GROUP_DIFF = /: Gid differs$/;
const MODE_DIFF = /: Mode differs$/;
const MTIME_DIFF = /: Mod time differs$/;
const EMPTY_FILE = /: : Warning: Cannot stat: No such file or directory$/;
const MISSING = /: Warning: Cannot stat: No such file or directory$/;
const INVALID = /: Invalid (owner|group)/;

/** Ansible's TgzArchive.is_unarchived on `tar --diff`'s lines: the lines that mean "extract". */
export function tarDiffers(a: UnarchiveArgs, lines: readonly string[], uid: number): string[] {
  return lines.filter((l) => {
    if (EMPTY_FILE.test(l)) return false;
    return (
      (uid === 0 && a.owner === undefined && OWNER_DIFF.test(l)) ||
      (uid === 0 && a.group === undefined && GROUP_DIFF.test(l)) ||
      (a.mode === undefined && MODE_DIFF.test(l)) ||
      MTIME_DIFF.test(l) ||
      MISSING.test(l) ||
      INVALID.test(l)
    );
  });
}

/** Ansible's ZipArchive.is_unarchived: the itemized lines of the members to extract. */
export function zipDiffers(a: UnarchiveArgs, s: UnarchiveState): string[] {
  const out: string[] = [];
  for (const l of s.zipLines) {
    const z = zipLine(l);
    if (!z || (a.exclude ?? []).includes(z.path)) continue;
    const ftype = z.path.endsWith('/') ? 'd' : z.ztype === 'l' ? 'L' : 'f';
    const st = s.disk.get(z.path) ?? {};
    if (!st.type) {
      out.push(`>${ftype}++++++.?? ${z.path}`);
      continue;
    }
    const isDir = st.type === 'directory';
    const isReg = st.type === 'regular file' || st.type === 'regular empty file';
    const isLnk = st.type === 'symbolic link';
    if ((ftype === 'd' && !isDir) || (ftype === 'f' && !isReg) || (ftype === 'L' && !isLnk)) {
      out.push(`c${ftype}++++++.?? ${z.path}`);
      continue;
    }
    const item = [...`.${ftype}.......??`];
    let change = false;
    if (isReg) {
      const t = s.zipTimes.get(z.path);
      if (t !== undefined && t !== st.mtime) {
        change = true;
        item[4] = 't';
      }
      if (z.size !== st.size) {
        change = true;
        item[3] = 's';
      }
      if (!st.same) {
        change = true;
        item[2] = 'c';
      }
    }
    if (ftype !== 'L') {
      let perm = z.permstr;
      let umask = 0;
      if (perm.length === 6) {
        perm = z.path.endsWith('/') || perm === 'rwx---' ? 'rwxrwxrwx' : 'rw-rw-rw-';
        umask = s.umask;
      }
      const mode =
        a.mode !== undefined ? wantedMode(a.mode, st.mode ?? 0, isDir) : permToOctal(perm, z.ztype === '?' ? 0 : umask);
      if (mode !== st.mode) {
        change = true;
        item[5] = 'p';
      }
    }
    if (s.uid === 0 && a.owner !== undefined && st.owner !== a.owner && String(st.uid) !== a.owner) {
      change = true;
      item[6] = 'o';
    }
    if (s.uid === 0 && a.group !== undefined && st.group !== a.group && String(st.gid) !== a.group) {
      change = true;
      item[6] = 'g';
    }
    if (change) out.push(`${item.join('')} ${z.path}`);
  }
  return out;
}

/** The paths Ansible's attribute pass visits: every member, then each member's top folder. */
export function attrPaths(members: readonly string[]): string[] {
  const tops: string[] = [];
  for (const m of members) {
    const top = m.includes('/') ? m.split('/')[0]! : undefined;
    if (top !== undefined && !tops.includes(top)) tops.push(top);
  }
  return [...members.map((m) => m.replace(/\/+$/, '')), ...tops];
}

function extractCmd(a: UnarchiveArgs, s: UnarchiveState): ShellCommand {
  const flag = TAR_FLAGS.find(([n]) => n === s.handler)?.[1] ?? '';
  const unpack = s.handler!.startsWith('Zip')
    ? sh`unzip -o ${(a.extra_opts ?? []).map(String)} "$a" ${zipFilter(a)} -d "$d"`
    : tarCmd(a, '--extract', flag);
  return sh`d=${a.dest}
${archiveSource(a)}
${unpack}`;
}

/** After an extract: owner/group/mode on every member and top folder (links keep their mode). */
function attrSteps(a: UnarchiveArgs, s: UnarchiveState): Change['steps'] {
  const paths = attrPaths(s.members).map((p) => posix.join(a.dest, p));
  if (!paths.length) return [];
  const steps: Change['steps'] = [];
  if (a.owner !== undefined) steps.push({ run: sh`chown -h -- ${a.owner} ${paths}` });
  if (a.group !== undefined) steps.push({ run: sh`chgrp -h -- ${a.group} ${paths}` });
  if (a.mode !== undefined)
    steps.push({
      run: sh`for p in ${paths}; do [ -L "$p" ] || chmod ${a.mode} -- "$p" || exit 1; done`,
    });
  return steps;
}

function planUnarchive(a: UnarchiveArgs, s: UnarchiveState, ctx: ModuleContext): PlanOutcome {
  if (s.creates) return { changes: [], skipped: true, msg: `skipped, since ${a.creates} exists` };
  if (!a.remote_src && !ctx.findFile('files', a.src))
    return { failed: `Could not find or access '${a.src}' on the Ansible Controller.` };
  if (!s.destIsDir) return { failed: `dest '${a.dest}' must be an existing dir` };
  if (s.src === 'missing') return { failed: `Source '${a.src}' does not exist` };
  if (s.src === 'unreadable') return { failed: `Source '${a.src}' not readable` };
  if (s.src === 'empty') return { failed: `Invalid archive '${a.src}', the file is 0 bytes` };
  if (!s.handler)
    return {
      failed: `Failed to find handler for "${a.src}". Make sure the required command to extract the file is installed.\n${s.reasons.join('\n')}`,
    };
  const zip = s.handler.startsWith('Zip');
  const differs = zip ? zipDiffers(a, s) : tarDiffers(a, s.tarDiff, s.uid);
  const data: Record<string, unknown> = { handler: s.handler, dest: a.dest, src: a.src };
  if (s.dest) Object.assign(data, destInfo(s.dest));
  if (a.list_files) data.files = s.members;
  const changes: Change[] = [];
  if (differs.length) {
    changes.push({
      summary: `unpack ${a.src} into ${a.dest} (${differs.length} path${differs.length > 1 ? 's' : ''} differ${differs.length > 1 ? '' : 's'})`,
      diff: { before: '', after: differs.join('\n') + '\n', afterHeader: `${a.dest} (unarchive)` },
      steps: [{ run: extractCmd(a, s), ...(a.remote_src ? {} : { stdin: archiveBytes(a, ctx) }) }, ...attrSteps(a, s)],
    });
    return { changes, data };
  }
  // Unpacked already: the attribute pass alone, on what is there.
  for (const p of attrPaths(s.members)) {
    const st = s.disk.get(p) ?? s.disk.get(`${p}/`);
    if (!st?.type) continue;
    const f = onDisk(posix.join(a.dest, p), st);
    const c = planAttrs(f, { owner: a.owner, group: a.group, mode: a.mode }, true);
    if (c) changes.push(c);
  }
  return { changes, data };
}

/** What the probe's stat line says about a path, as the file modules' FileInfo. */
function onDisk(path: string, st: DiskEntry): FileInfo {
  const type = st.type === 'directory' ? 'directory' : st.type === 'symbolic link' ? 'link' : 'file';
  const f: FileInfo = { path, exists: true, type, islnk: type === 'link', parentIsDir: true };
  for (const k of ['mode', 'uid', 'gid', 'owner', 'group', 'size'] as const)
    if (st[k] !== undefined) Object.assign(f, { [k]: st[k] });
  return f;
}

function destInfo(d: FileInfo): Record<string, unknown> {
  return {
    state: 'directory',
    ...(d.mode !== undefined ? { mode: octal(d.mode) } : {}),
    ...(d.uid !== undefined ? { uid: d.uid } : {}),
    ...(d.gid !== undefined ? { gid: d.gid } : {}),
    owner: d.owner ?? String(d.uid),
    group: d.group ?? String(d.gid),
    ...(d.size !== undefined ? { size: d.size } : {}),
  };
}

function archiveBytes(a: UnarchiveArgs, ctx: ModuleContext): Buffer {
  return readFileSync(ctx.findFile('files', a.src)!);
}

function probeUnarchive(a: UnarchiveArgs, ctx: ModuleContext): Probe<UnarchiveState> {
  const local = a.remote_src ? undefined : ctx.findFile('files', a.src);
  const stdin = local && statSync(local).isFile() ? readFileSync(local) : a.remote_src ? undefined : Buffer.alloc(0);
  return {
    cmd: unarchiveProbeCmd(a),
    ...(stdin ? { stdin } : {}),
    parse: (r: ExecResult) => parseUnarchive(r.stdout, a.dest),
  };
}

export const unarchiveModule: StateModule<z.output<typeof unarchiveArgs>, UnarchiveState> = {
  name: 'unarchive',
  aliases: ['ansible.builtin.unarchive'],
  exec: 'state',
  args: unarchiveArgs,
  probe: probeUnarchive,
  plan: planUnarchive,
  collect: (_a, _s, applied) => {
    const r = applied[0];
    return r ? { data: { extract_results: { rc: r.code, out: r.stdout, err: r.stderr } } } : {};
  },
};
