// What the file modules read from a host, and how they plan owner/group/mode.
// One probe prints, for each path asked, `N.key=value` lines (N = the path's index): the stat
// fields, whether the parent is a directory, the link target, the real path and, on request, the
// content and its checksum as base64/hex so that no byte of a file (or of its name) can break
// the parsing. Everything here is pure except the shell text it builds.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { joinCommands, sh, type ShellCommand } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import type { Change } from './runtime.js';

export type FileType = 'file' | 'directory' | 'link' | 'fifo' | 'socket' | 'char' | 'block';

export interface FileInfo {
  path: string;
  exists: boolean;
  type?: FileType;
  /** Permission bits (07777). */
  mode?: number;
  uid?: number;
  gid?: number;
  /** User and group names; absent when the id has no name on the host. */
  owner?: string;
  group?: string;
  size?: number;
  mtime?: number;
  atime?: number;
  ctime?: number;
  inode?: number;
  dev?: number;
  nlink?: number;
  /** The path itself is a symlink (whether or not it was followed). */
  islnk: boolean;
  linkTarget?: string;
  /** Canonical path (symlinks resolved), when asked. */
  realPath?: string;
  parentIsDir: boolean;
  content?: Buffer;
  checksum?: string;
}

export interface ProbeWhat {
  /** Stat the file a symlink points to instead of the link. */
  follow?: boolean;
  content?: boolean;
  /** Checksum command (sha1sum, md5sum, sha256sum...). */
  checksum?: string;
  realPath?: boolean;
}

const TYPES: Record<string, FileType> = {
  'regular file': 'file',
  'regular empty file': 'file',
  directory: 'directory',
  'symbolic link': 'link',
  fifo: 'fifo',
  socket: 'socket',
  'character special file': 'char',
  'block special file': 'block',
};

/** Shell that prints what `what` asks about `path`, its lines keyed `${index}.`. */
export function probeFileCmd(index: number, path: string, what: ProbeWhat = {}): ShellCommand {
  const k = (name: string) => `${index}.${name}=`;
  const fmt = [
    'type=%F',
    'mode=%a',
    'uid=%u',
    'gid=%g',
    'owner=%U',
    'group=%G',
    'size=%s',
    'mtime=%Y',
    'atime=%X',
    'ctime=%Z',
    'inode=%i',
    'dev=%d',
    'nlink=%h',
  ]
    .map((f) => `${index}.${f}\\n`)
    .join('');
  const stat = what.follow
    ? sh`stat -L --printf ${fmt} -- "$p" 2>/dev/null`
    : sh`stat --printf ${fmt} -- "$p" 2>/dev/null`;
  const content = what.content
    ? sh`if [ -f "$p" ] && [ -r "$p" ]; then printf %s ${k('content')}; base64 -w0 < "$p"; echo; fi`
    : sh`:`;
  const sum = what.checksum
    ? sh`if [ -f "$p" ] && [ -r "$p" ]; then printf %s ${k('checksum')}; ${what.checksum} < "$p"; fi`
    : sh`:`;
  const real = what.realPath ? sh`printf %s ${k('real')}; readlink -m -- "$p" | base64 -w0; echo` : sh`:`;
  return sh`p=${path}
${stat}
if [ -L "$p" ]; then printf '%s\n' ${k('islnk') + '1'}; printf %s ${k('target')}; readlink -- "$p" | base64 -w0; echo; fi
[ -d ${posix.dirname(path)} ] && printf '%s\n' ${k('parent') + '1'}
${content}
${sum}
${real}`;
}

/** One probe of several paths (index = position in `paths`), plus the host's umask. */
export function probeFilesCmd(paths: readonly { path: string; what?: ProbeWhat }[]): ShellCommand {
  return joinCommands([
    // builtins only: no process for the umask (a fork is costly on small or emulated hosts)
    sh`printf umask=; umask`,
    ...paths.map((p, i) => probeFileCmd(i, p.path, p.what ?? {})),
  ]);
}

export interface ProbedFiles {
  umask: number;
  files: FileInfo[];
}

const unb64line = (v: string): string => Buffer.from(v, 'base64').toString('utf8').replace(/\n$/, '');

/** Parses the probe's output for `paths` (the same list the command was built from). */
export function parseFiles(stdout: string, paths: readonly string[]): ProbedFiles {
  const kv = new Map<string, string>();
  let umask = 0o022;
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === 'umask') umask = Number.parseInt(value, 8) & 0o777;
    else if (!kv.has(key)) kv.set(key, value);
  }
  const files = paths.map((path, i): FileInfo => {
    const get = (k: string) => kv.get(`${i}.${k}`);
    const num = (k: string) => {
      const v = get(k);
      return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
    };
    const type = get('type');
    const f: FileInfo = {
      path,
      exists: type !== undefined,
      islnk: get('islnk') === '1',
      parentIsDir: get('parent') === '1',
    };
    if (type !== undefined) {
      const t = TYPES[type];
      if (t) f.type = t;
      const mode = get('mode');
      if (mode !== undefined) f.mode = Number.parseInt(mode, 8);
      for (const n of ['uid', 'gid', 'size', 'mtime', 'atime', 'ctime', 'inode', 'dev', 'nlink'] as const) {
        const v = num(n);
        if (v !== undefined) f[n] = v;
      }
      const owner = get('owner');
      const group = get('group');
      if (owner !== undefined && owner !== 'UNKNOWN') f.owner = owner;
      if (group !== undefined && group !== 'UNKNOWN') f.group = group;
    }
    const target = get('target');
    if (target !== undefined) f.linkTarget = unb64line(target);
    const real = get('real');
    if (real !== undefined && real !== '') f.realPath = unb64line(real);
    const content = get('content');
    if (content !== undefined) f.content = Buffer.from(content, 'base64');
    // `sha1sum < file` prints the sum, then ` -` for stdin
    const sum = get('checksum')?.split(' ')[0];
    if (sum) f.checksum = sum;
    return f;
  });
  return { umask, files };
}

/** A probe's result as a ProbedFiles, for modules whose state is just that. */
export function probeFiles(paths: readonly { path: string; what?: ProbeWhat }[]) {
  return {
    cmd: probeFilesCmd(paths),
    parse: (r: ExecResult): ProbedFiles =>
      parseFiles(
        r.stdout,
        paths.map((p) => p.path),
      ),
  };
}

export const octal = (mode: number): string => mode.toString(8).padStart(4, '0');

// ---- modes -------------------------------------------------------------------------------

const WHO: Record<string, number> = { u: 0o4700, g: 0o2070, o: 0o1007 };

/**
 * Applies a symbolic mode (`u+rw,g-w,o=`, as chmod and Ansible take it) to `current`. An empty
 * "who" means all (Ansible does not apply the umask there, unlike chmod).
 */
export function applySymbolicMode(current: number, symbolic: string, isDir: boolean): number {
  let mode = current & 0o7777;
  for (const clause of symbolic.split(',')) {
    if (clause === '') continue;
    const m = /^([ugoa]*)((?:[-+=][rwxXst]*|[-+=][ugo])+)$/.exec(clause);
    if (!m) throw new RangeError(`'${symbolic}' is not a valid symbolic mode`);
    const who = !m[1] || m[1].includes('a') ? 'ugo' : m[1];
    for (const op of m[2]!.match(/[-+=][rwxXstugo]*/g) ?? []) {
      const sign = op[0]!;
      const perms = op.slice(1);
      for (const w of who) {
        const mask = WHO[w]!;
        let bits = 0;
        if (/^[ugo]$/.test(perms)) {
          // copy another class's bits (g=u)
          const src = (mode >> { u: 6, g: 3, o: 0 }[perms as 'u' | 'g' | 'o']) & 7;
          bits = (src << 6) | (src << 3) | src;
        } else {
          for (const p of perms) {
            if (p === 'r') bits |= 0o444;
            else if (p === 'w') bits |= 0o222;
            else if (p === 'x') bits |= 0o111;
            else if (p === 'X' && (isDir || mode & 0o111)) bits |= 0o111;
            else if (p === 's') bits |= 0o6000;
            else if (p === 't') bits |= 0o1000;
          }
        }
        bits &= mask;
        if (sign === '+') mode |= bits;
        else if (sign === '-') mode &= ~bits;
        else mode = (mode & ~mask) | bits;
      }
    }
  }
  return mode;
}

export interface FileAttrs {
  owner?: string | undefined;
  group?: string | undefined;
  /** Octal text ('0644'), symbolic ('u=rw,g=r') or 'preserve' (the arguments' form). */
  mode?: string | undefined;
}

/** The permission bits `want` asks for, given the bits the file has (or would get) now. */
export function wantedMode(want: string | undefined, current: number, isDir: boolean): number | undefined {
  if (want === undefined || want === 'preserve') return undefined;
  if (/^[0-7]{1,4}$/.test(want)) return Number.parseInt(want, 8);
  return applySymbolicMode(current, want, isDir);
}

const ownerIs = (f: FileInfo, want: string) => f.owner === want || String(f.uid) === want;
const groupIs = (f: FileInfo, want: string) => f.group === want || String(f.gid) === want;

/**
 * The owner/group/mode change an existing path needs, or undefined. `noFollow` changes a
 * symlink itself (chown -h; links have no mode of their own).
 */
export function planAttrs(f: FileInfo, want: FileAttrs, noFollow = false): Change | undefined {
  if (!f.exists) return undefined;
  const before: string[] = [];
  const after: string[] = [];
  const steps: Change['steps'] = [];
  const h = noFollow ? sh`-h ` : sh``;
  if (want.owner !== undefined && !ownerIs(f, want.owner)) {
    before.push(`owner: ${f.owner ?? f.uid}`);
    after.push(`owner: ${want.owner}`);
    steps.push({ run: sh`chown ${h}-- ${want.owner} ${f.path}` });
  }
  if (want.group !== undefined && !groupIs(f, want.group)) {
    before.push(`group: ${f.group ?? f.gid}`);
    after.push(`group: ${want.group}`);
    steps.push({ run: sh`chgrp ${h}-- ${want.group} ${f.path}` });
  }
  const mode = noFollow && f.type === 'link' ? undefined : wantedMode(want.mode, f.mode ?? 0, f.type === 'directory');
  if (mode !== undefined && mode !== f.mode) {
    before.push(`mode: ${octal(f.mode ?? 0)}`);
    after.push(`mode: ${octal(mode)}`);
    steps.push({ run: sh`chmod ${octal(mode)} -- ${f.path}` });
  }
  if (!steps.length) return undefined;
  return {
    summary: `${f.path}: ${before.map((b, i) => `${b} -> ${after[i]!.split(': ')[1]}`).join(', ')}`,
    diff: {
      before: before.join('\n') + '\n',
      after: after.join('\n') + '\n',
      beforeHeader: `${f.path} (file attributes)`,
      afterHeader: `${f.path} (file attributes)`,
    },
    steps,
  };
}

// ---- content writes ----------------------------------------------------------------------

/** Ansible's max_diff_size: larger files say so instead of printing a diff. */
const MAX_DIFF = 104448;

function asText(b: Buffer): string | undefined {
  if (b.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return undefined;
  }
}

export function contentDiff(
  path: string,
  before: Buffer | undefined,
  after: Buffer,
  afterHeader = path,
): NonNullable<Change['diff']> {
  const headers = { beforeHeader: before ? path : `${path} (absent)`, afterHeader };
  if ((before?.length ?? 0) > MAX_DIFF || after.length > MAX_DIFF)
    return { before: '(content too large to show)\n', after: '(content differs)\n', ...headers };
  const b = before ? asText(before) : '';
  const a = asText(after);
  if (b === undefined || a === undefined) return { before: '(binary)\n', after: '(binary differs)\n', ...headers };
  return { before: b, after: a, ...headers };
}

/** The diff of a write that holds a secret: both sides hidden (the old content may hold it too). */
function hiddenDiff(path: string, existed: boolean): NonNullable<Change['diff']> {
  return {
    before: existed ? '(old content hidden: the new one holds a secret)\n' : '',
    after: '(new content hidden: it holds a secret)\n',
    beforeHeader: existed ? path : `${path} (absent)`,
    afterHeader: path,
  };
}

export interface WritePlan {
  /** The path to write (the real path when the module follows links). */
  path: string;
  current: FileInfo;
  content: Buffer;
  attrs: FileAttrs;
  umask: number;
  backup?: boolean | undefined;
  validate?: string | undefined;
  /** How the new content is named in a diff ('dynamically generated', a template name). */
  afterHeader?: string;
  /** The new content holds a secret: the diff shows neither side (the old one may hold it too). */
  secret?: boolean | undefined;
}

/**
 * Writes `content` (atomically, with owner/group/mode, validate and backup) when it differs or
 * the file is absent; otherwise only fixes owner/group/mode. Returns the changes, or why not.
 */
export function planWrite(w: WritePlan): Change[] | { failed: string } {
  const f = w.current;
  if (w.validate !== undefined && !w.validate.includes('%s'))
    return { failed: `validate must contain %s: ${w.validate}` };
  if (f.exists && f.type === 'directory') return { failed: `${w.path} is a directory` };
  if (!f.exists && !f.parentIsDir) return { failed: `Destination directory ${posix.dirname(w.path)} does not exist` };
  if (f.exists && sameContent(f, w.content)) {
    const attrs = planAttrs({ ...f, path: w.path }, w.attrs);
    return attrs ? [attrs] : [];
  }
  const base = f.exists ? (f.mode ?? 0o644) : 0o666 & ~w.umask;
  const mode = wantedMode(w.attrs.mode, base, false);
  const changes: Change[] = [
    {
      summary: f.exists ? `update ${w.path}` : `create ${w.path}`,
      // Without --diff the probe reads only a checksum: no old text to show then.
      ...(f.exists && f.content === undefined
        ? {}
        : {
            diff: w.secret
              ? hiddenDiff(w.path, f.exists)
              : contentDiff(w.path, f.exists ? f.content : undefined, w.content, w.afterHeader),
          }),
      steps: [
        {
          put: {
            path: w.path,
            content: w.content,
            opts: {
              ...(mode !== undefined ? { mode } : {}),
              ...(w.attrs.owner !== undefined ? { owner: w.attrs.owner } : {}),
              ...(w.attrs.group !== undefined ? { group: w.attrs.group } : {}),
              ...(w.validate !== undefined ? { validate: w.validate } : {}),
              ...(w.backup ? { backup: true } : {}),
            },
          },
        },
      ],
    },
  ];
  // The put sets owner/group/mode too; say so in the diff when they change on an existing file.
  const attrs = f.exists ? planAttrs({ ...f, path: w.path }, w.attrs) : undefined;
  if (attrs) changes.push({ ...attrs, steps: [] });
  return changes;
}

/** Compares by content when it was read, else by the sha1 the probe printed. */
function sameContent(f: FileInfo, content: Buffer): boolean {
  if (f.content !== undefined) return f.content.equals(content);
  if (f.checksum !== undefined) return f.checksum === sha1(content);
  return false;
}

export const sha1 = (b: Buffer | string): string => createHash('sha1').update(b).digest('hex');

/** The backup path a put reported, for Ansible's `backup_file`. */
export function backupFileOf(applied: readonly ExecResult[]): string | undefined {
  for (const r of applied) {
    const b = (r as { backupPath?: string }).backupPath;
    if (b) return b;
  }
  return undefined;
}

// ---- check mode: files an earlier task of the same run would have written -----------------

/** A file a check run predicted to write (content and the attributes the write sets). */
export interface PredictedFile {
  content: Buffer;
  mode?: number;
  owner?: string;
  group?: string;
}

/**
 * The probed files as they would be had the earlier predicted writes happened, so a later task
 * editing the same file plans against the predicted content (two lineinfile tasks on one file
 * predict what the real run does).
 */
export function overlayPredicted(probed: ProbedFiles, predicted: ReadonlyMap<string, PredictedFile>): ProbedFiles {
  if (!predicted.size) return probed;
  const files = probed.files.map((f): FileInfo => {
    const hit = predicted.get(f.realPath ?? f.path) ?? predicted.get(f.path);
    if (!hit) return f;
    const out: FileInfo = {
      ...f,
      exists: true,
      type: 'file',
      content: hit.content,
      size: hit.content.length,
      checksum: sha1(hit.content),
      parentIsDir: true,
      mode: hit.mode ?? f.mode ?? 0o666 & ~probed.umask,
    };
    if (hit.owner !== undefined) {
      out.owner = hit.owner;
      delete out.uid;
    }
    if (hit.group !== undefined) {
      out.group = hit.group;
      delete out.gid;
    }
    return out;
  });
  return { ...probed, files };
}
