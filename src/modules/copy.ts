// copy: puts content (given inline, from a controller file, or from a file on the host) at
// `dest`, atomically, with owner/group/mode, validate and backup. The probe reads dest's stat
// and sha1 (its content too under --diff), and for a directory dest the file inside it.
import { overlayPredicted } from './fileinfo.js';
import { readFileSync, statSync } from 'node:fs';
import { basename, posix } from 'node:path';
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { sh } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { bool, given, moduleArgs, raw, str } from './args.js';
import { fileAttrs } from './file-attrs.js';
import { backupFileOf, octal, planWrite, probeFiles, sha1, type FileInfo, type ProbedFiles } from './fileinfo.js';
import type { Change, ModuleContext, PlanOutcome, StateModule } from './runtime.js';

const copyArgs = moduleArgs(
  {
    src: str().optional(),
    // Ansible copies non-string content as JSON; keep it raw so the executor can do the same.
    content: raw().optional(),
    dest: str(),
    backup: bool().optional(),
    validate: str().optional(),
    force: bool().optional(),
    remote_src: bool().optional(),
    follow: bool().optional(),
    ...fileAttrs,
  },
  { thirsty: 'force' },
).superRefine((a, ctx) => {
  if (given(a, 'src') && given(a, 'content'))
    ctx.addIssue({ code: 'custom', path: ['content'], message: 'cannot be used together with src' });
  if (!given(a, 'src') && !given(a, 'content'))
    ctx.addIssue({ code: 'custom', path: ['src'], message: 'or content is required' });
});

export type CopyArgs = Revealed<z.output<typeof copyArgs>>;

/** Where a content write goes: dest itself, or dest/basename(src) for a directory dest. */
function candidates(a: { dest: string; src?: string | undefined }): string[] {
  return a.src !== undefined ? [a.dest, posix.join(a.dest, basename(a.src))] : [a.dest];
}

/** Probes dest (and dest/basename(src)); `extra` paths follow (remote_src's source). */
export function probeDest(
  a: { dest: string; src?: string | undefined; follow?: boolean | undefined },
  ctx: ModuleContext,
  extra: string[] = [],
) {
  const what = { content: ctx.diff, checksum: 'sha1sum', realPath: true, follow: a.follow ?? false };
  return probeFiles([
    ...candidates(a).map((path) => ({ path, what })),
    ...extra.map((path) => ({ path, what: { content: true, follow: true } })),
  ]);
}

export interface ContentWrite {
  content: Buffer;
  /** The source's own mode, for `mode: preserve`. */
  sourceMode?: number;
  afterHeader: string;
  secret?: boolean;
}

/** The write plan shared by copy and template once the new content is known. */
export function planContentWrite(a: CopyArgs, probed: ProbedFiles, w: ContentWrite): PlanOutcome {
  const [destInfo, inDir] = probed.files;
  let target: FileInfo = destInfo!;
  const changes: Change[] = [];
  const intoDir = a.dest.endsWith('/') || destInfo!.type === 'directory';
  if (intoDir) {
    if (a.src === undefined) return { failed: `can not use content with a dir as dest: ${a.dest}` };
    target = inDir!;
    if (!destInfo!.exists) {
      // Ansible creates a dest that ends in '/' as a directory.
      changes.push({ summary: `create directory ${a.dest}`, steps: [{ run: mkdirP(a.dest) }] });
      target = { ...target, parentIsDir: true };
    }
  }
  if (a.follow && target.islnk && target.realPath) target = { ...target, path: target.realPath };
  const data: Record<string, unknown> = {
    dest: target.path,
    checksum: sha1(w.content),
    size: w.content.length,
    state: 'file',
  };
  if (a.src !== undefined) data.src = a.src;
  if (target.exists && a.force === false)
    return { changes: [], data: { ...data, msg: 'file already exists' }, msg: 'file already exists' };
  if (target.type === 'link' && !a.follow) target = { ...target, exists: false, parentIsDir: true };
  const mode = a.mode === 'preserve' ? (w.sourceMode !== undefined ? octal(w.sourceMode) : undefined) : a.mode;
  const planned = planWrite({
    path: target.path,
    current: target,
    content: w.content,
    attrs: { owner: a.owner, group: a.group, mode },
    umask: probed.umask,
    backup: a.backup,
    validate: a.validate,
    afterHeader: w.afterHeader,
    secret: w.secret,
  });
  if ('failed' in planned) return { failed: planned.failed, data };
  if (mode !== undefined) data.mode = mode;
  if (a.owner !== undefined) data.owner = a.owner;
  if (a.group !== undefined) data.group = a.group;
  return { changes: [...changes, ...planned], data };
}

function mkdirP(dir: string) {
  return sh`mkdir -p -- ${dir}`;
}

/** copy's content as Ansible writes it: text as is, other values as JSON. */
function inlineContent(v: unknown): Buffer {
  return Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
}

function planCopy(a: CopyArgs, probed: ProbedFiles, ctx: ModuleContext): PlanOutcome {
  if (a.content !== undefined) {
    const secret = ctx.secretArgs?.has('content') ?? false;
    return planContentWrite(a, probed, {
      content: inlineContent(a.content),
      afterHeader: 'dynamically generated',
      secret,
    });
  }
  const src = a.src!;
  if (a.remote_src) {
    const source = probed.files.at(-1)!;
    if (!source.exists) return { failed: `Source ${src} not found` };
    if (source.type === 'directory')
      return { failed: `copying the directory ${src} is not supported: copy its files one by one` };
    if (source.content === undefined) return { failed: `Source ${src} is not readable` };
    return planContentWrite(a, probed, {
      content: source.content,
      ...(source.mode !== undefined ? { sourceMode: source.mode } : {}),
      afterHeader: src,
    });
  }
  const local = ctx.findFile('files', src);
  if (!local)
    return {
      failed: `Could not find or access '${src}' on the controller (looked in files/ of the role and beside the playbook)`,
    };
  const st = statSync(local);
  if (st.isDirectory()) return { failed: `copying the directory ${src} is not supported: copy its files one by one` };
  return planContentWrite(a, probed, { content: readFileSync(local), sourceMode: st.mode & 0o7777, afterHeader: src });
}

export function collectWrite(_a: unknown, _s: unknown, applied: ExecResult[]): { data?: Record<string, unknown> } {
  const b = backupFileOf(applied);
  return b ? { data: { backup_file: b } } : {};
}

export const copyModule: StateModule<z.output<typeof copyArgs>, ProbedFiles> = {
  name: 'copy',
  aliases: ['ansible.builtin.copy'],
  exec: 'state',
  args: copyArgs,
  overlay: overlayPredicted,
  probe: (a, ctx) => probeDest(a, ctx, a.remote_src && a.src !== undefined ? [a.src] : []),
  plan: planCopy,
  collect: collectWrite,
};
