// file: a path's kind (file, directory, symlink, hard link, absent, touched) and its
// owner/group/mode, recursively for a directory. One probe reads the path, the link source and,
// for `recurse`, how many entries below still differ; the plan says exactly what will change.
import type { Revealed } from '../secret.js';
import type { z } from 'zod';
import { posix } from 'node:path';
import { joinCommands, sh, type ShellCommand } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { bool, choice, moduleArgs, str } from './args.js';
import { fileAttrs, seAttrs, selinuxProbe, selinuxRefusal } from './file-attrs.js';
import {
  octal,
  parseFiles,
  planAttrs,
  probeFilesCmd,
  wantedMode,
  type FileAttrs,
  type FileInfo,
  type ProbedFiles,
} from './fileinfo.js';
import type { Change, PlanOutcome, StateModule } from './runtime.js';

type FileState = 'file' | 'directory' | 'link' | 'hard' | 'absent' | 'touch';

const fileArgs = moduleArgs(
  {
    path: str(),
    state: choice('file', 'directory', 'link', 'hard', 'absent', 'touch').optional(),
    src: str().optional(),
    recurse: bool().optional(),
    force: bool().optional(),
    follow: bool().optional(),
    access_time: str().optional(),
    modification_time: str().optional(),
    ...fileAttrs,
    ...seAttrs,
  },
  { dest: 'path', name: 'path' },
);

export type FileArgs = Revealed<z.output<typeof fileArgs>>;

export interface FileFacts extends ProbedFiles {
  /** recurse: entries below the directory whose owner / group / mode differ. */
  below?: { owner: number; group: number; mode: number };
  /** Whether SELinux is on (read only when a context argument is given). */
  selinux?: boolean;
}

/** A link's source as the host resolves it: relative to the link's directory. */
const linkSource = (a: FileArgs) =>
  a.src === undefined ? undefined : posix.isAbsolute(a.src) ? a.src : posix.join(posix.dirname(a.path), a.src);

const noFollow = (a: FileArgs) =>
  a.state === 'link' || a.state === 'hard' || a.state === 'absent' || a.follow === false;

function probeFile(a: FileArgs) {
  const src = linkSource(a);
  const paths = [
    { path: a.path, what: { follow: !noFollow(a) } },
    ...(src !== undefined ? [{ path: src, what: { follow: true } }] : []),
  ];
  const parts: ShellCommand[] = [probeFilesCmd(paths)];
  if (a.recurse) {
    const count = (test: ShellCommand, key: string) =>
      sh`printf '%s=%s\n' ${key} "$(find ${a.path} -mindepth 1 ${test} -print 2>/dev/null | head -n 1 | wc -l)"`;
    if (a.owner !== undefined) parts.push(count(sh`! -user ${a.owner}`, 'below.owner'));
    if (a.group !== undefined) parts.push(count(sh`! -group ${a.group}`, 'below.group'));
    if (a.mode !== undefined && /^[0-7]+$/.test(a.mode))
      parts.push(count(sh`! -type l ! -perm ${a.mode}`, 'below.mode'));
  }
  const se = selinuxProbe(a);
  if (se) parts.push(se.cmd);
  return {
    cmd: joinCommands(parts),
    parse(r: ExecResult): FileFacts {
      const facts: FileFacts = parseFiles(
        r.stdout,
        paths.map((p) => p.path),
      );
      if (a.recurse) {
        const n = (k: string) => Number(new RegExp(`^below\\.${k}=(\\d+)$`, 'm').exec(r.stdout)?.[1] ?? 0);
        facts.below = { owner: n('owner'), group: n('group'), mode: n('mode') };
      }
      if (se) facts.selinux = se.parse(r.stdout);
      return facts;
    },
  };
}

const kindOf = (f: FileInfo): string =>
  !f.exists ? 'absent' : f.type === 'file' && (f.nlink ?? 1) > 1 ? 'hard' : (f.type ?? 'file');

function stateDiff(path: string, before: string, after: string): NonNullable<Change['diff']> {
  return {
    before: `path: ${path}\nstate: ${before}\n`,
    after: `path: ${path}\nstate: ${after}\n`,
    beforeHeader: `${path} (state)`,
    afterHeader: `${path} (state)`,
  };
}

/** owner/group/mode for a path this task creates: applied unconditionally after creation. */
function attrsOnNew(path: string, a: FileAttrs, umask: number, isDir: boolean): Change['steps'] {
  const steps: Change['steps'] = [];
  if (a.owner !== undefined) steps.push({ run: sh`chown -- ${a.owner} ${path}` });
  if (a.group !== undefined) steps.push({ run: sh`chgrp -- ${a.group} ${path}` });
  const mode = wantedMode(a.mode, (isDir ? 0o777 : 0o666) & ~umask, isDir);
  if (mode !== undefined) steps.push({ run: sh`chmod ${octal(mode)} -- ${path}` });
  return steps;
}

function planFile(a: FileArgs, facts: FileFacts): PlanOutcome {
  const refused = selinuxRefusal(a, facts.selinux);
  if (refused) return { failed: refused };
  const f = facts.files[0]!;
  const src = facts.files[1];
  const attrs = { owner: a.owner, group: a.group, mode: a.mode };
  const state: FileState =
    a.state ??
    (a.recurse
      ? 'directory'
      : f.exists
        ? f.type === 'directory'
          ? 'directory'
          : f.type === 'link'
            ? 'link'
            : 'file'
        : 'file');
  const data = (s: string) => ({ path: a.path, state: s });
  const withAttrs = (cs: Change[], s: string, target: FileInfo = f, linkItself = false): PlanOutcome => {
    const at = planAttrs(target, attrs, linkItself);
    return { changes: at ? [...cs, at] : cs, data: data(s) };
  };
  if (a.src !== undefined && state !== 'link' && state !== 'hard')
    return { failed: `src option requires state to be 'link' or 'hard'` };
  if (a.recurse && state !== 'directory') return { failed: `recurse option requires state to be 'directory'` };
  if (a.recurse && a.mode !== undefined && !/^[0-7]+$/.test(a.mode))
    return { failed: `recurse with a symbolic mode ('${a.mode}') is not supported: give an octal mode such as '0755'` };
  switch (state) {
    case 'absent': {
      if (!f.exists && !f.islnk) return { changes: [], data: data('absent') };
      return {
        changes: [
          {
            summary: `remove ${a.path}`,
            diff: stateDiff(a.path, kindOf(f), 'absent'),
            steps: [{ run: sh`rm -rf -- ${a.path}` }],
          },
        ],
        data: data('absent'),
      };
    }
    case 'file': {
      if (!f.exists) return { failed: `file (${a.path}) is absent, cannot continue`, data: data('absent') };
      if (f.type !== 'file')
        return {
          failed: `file (${a.path}) is ${f.type === 'directory' ? 'directory' : f.type}, cannot continue`,
          data: data(kindOf(f)),
        };
      return withAttrs([], 'file');
    }
    case 'directory': {
      if (!f.exists) {
        const steps: Change['steps'] = [
          { run: sh`mkdir -p -- ${a.path}` },
          ...attrsOnNew(a.path, attrs, facts.umask, true),
        ];
        return {
          changes: [{ summary: `create directory ${a.path}`, diff: stateDiff(a.path, 'absent', 'directory'), steps }],
          data: data('directory'),
        };
      }
      if (f.type !== 'directory')
        return { failed: `${a.path} already exists as a ${kindOf(f)}`, data: data(kindOf(f)) };
      const out = withAttrs([], 'directory');
      if ('failed' in out || !facts.below) return out;
      const below: Change['steps'] = [];
      const what: string[] = [];
      const add = (run: ShellCommand, label: string) => {
        below.push({ run });
        what.push(label);
      };
      if (facts.below.owner && a.owner !== undefined) add(sh`chown -R -- ${a.owner} ${a.path}`, `owner ${a.owner}`);
      if (facts.below.group && a.group !== undefined) add(sh`chgrp -R -- ${a.group} ${a.path}`, `group ${a.group}`);
      if (facts.below.mode && a.mode !== undefined)
        add(sh`chmod -R ${octal(Number.parseInt(a.mode, 8))} -- ${a.path}`, `mode ${a.mode}`);
      if (below.length)
        out.changes.push({
          summary: `${a.path}: set ${what.join(', ')} on everything below`,
          diff: { before: `below ${a.path}: some entries differ\n`, after: `below ${a.path}: ${what.join(', ')}\n` },
          steps: below,
        });
      return out;
    }
    case 'touch': {
      const times = touchFlags(a);
      if ('failed' in times) return times;
      if (!f.exists) {
        const steps: Change['steps'] = [
          { run: sh`touch -- ${a.path}` },
          ...attrsOnNew(a.path, attrs, facts.umask, false),
        ];
        return {
          changes: [{ summary: `create ${a.path}`, diff: stateDiff(a.path, 'absent', 'file'), steps }],
          data: data('file'),
        };
      }
      // Ansible's touch updates the times on every run unless both are preserved.
      const cs: Change[] = times.touch
        ? [
            {
              summary: `touch ${a.path}`,
              diff: stateDiff(a.path, kindOf(f), 'touched'),
              steps: [{ run: sh`touch ${times.flags} -- ${a.path}` }],
            },
          ]
        : [];
      return withAttrs(cs, kindOf(f));
    }
    case 'link':
      return planLink(a, f, src, withAttrs);
    case 'hard':
      return planHard(a, f, src, withAttrs);
  }
}

function touchFlags(a: FileArgs): { touch: boolean; flags: string[] } | { failed: string } {
  const ok = (v: string | undefined) => v === undefined || v === 'now' || v === 'preserve';
  if (!ok(a.access_time) || !ok(a.modification_time))
    return { failed: `access_time/modification_time take 'now' or 'preserve' here; explicit times are not supported` };
  const atime = a.access_time !== 'preserve';
  const mtime = a.modification_time !== 'preserve';
  return { touch: atime || mtime, flags: atime && mtime ? [] : atime ? ['-a'] : ['-m'] };
}

type WithAttrs = (cs: Change[], s: string, target?: FileInfo, linkItself?: boolean) => PlanOutcome;

/** Replaces `path` by a new link made beside it, so the path is never missing. */
function replaceWith(a: FileArgs, make: ShellCommand, f: FileInfo): Change['steps'] {
  const dir = posix.dirname(a.path);
  const clear = f.exists && f.type === 'directory' ? sh`rmdir -- ${a.path} && ` : sh``;
  return [
    { run: sh`${clear}t=$(mktemp -u ${`${dir}/.lvsplay.XXXXXXXXXX`}) && ${make} "$t" && mv -Tf -- "$t" ${a.path}` },
  ];
}

function planLink(a: FileArgs, f: FileInfo, src: FileInfo | undefined, withAttrs: WithAttrs): PlanOutcome {
  if (a.src === undefined) return { failed: 'src is required for creating a symlink' };
  const data = { path: a.path, state: 'link', src: a.src };
  if (f.islnk && f.linkTarget === a.src) return withAttrs([], 'link', f, true);
  if (!a.force && !src?.exists)
    return {
      failed: `src file does not exist, use "force=yes" if you really want to create the link: ${linkSource(a)}`,
      data,
    };
  if (f.exists && !f.islnk && !a.force)
    return { failed: `refusing to convert from ${kindOf(f)} to symlink for ${a.path}`, data };
  if (!f.exists && !f.islnk && !f.parentIsDir)
    return { failed: `Error while linking: directory ${posix.dirname(a.path)} does not exist`, data };
  const before = f.islnk ? `link -> ${f.linkTarget}` : kindOf(f);
  const change: Change = {
    summary: `link ${a.path} -> ${a.src}`,
    diff: stateDiff(a.path, before, `link -> ${a.src}`),
    steps: replaceWith(a, sh`ln -s -- ${a.src}`, f),
  };
  const own: Change['steps'] = [];
  if (a.owner !== undefined) own.push({ run: sh`chown -h -- ${a.owner} ${a.path}` });
  if (a.group !== undefined) own.push({ run: sh`chgrp -h -- ${a.group} ${a.path}` });
  change.steps.push(...own);
  return { changes: [change], data };
}

function planHard(a: FileArgs, f: FileInfo, src: FileInfo | undefined, withAttrs: WithAttrs): PlanOutcome {
  if (a.src === undefined) return { failed: 'src is required for creating a hard link' };
  const data = { path: a.path, state: 'hard', src: a.src };
  if (!src?.exists) return { failed: `src does not exist: ${linkSource(a)}`, data };
  if (f.exists && !f.islnk && f.inode === src.inode && f.dev === src.dev) return withAttrs([], 'hard', f);
  if (f.exists && !a.force)
    return { failed: `Cannot link, ${kindOf(f)} exists at destination ${a.path}: use force=yes to replace it`, data };
  if (!f.exists && !f.parentIsDir)
    return { failed: `Error while linking: directory ${posix.dirname(a.path)} does not exist`, data };
  // After linking, the path is the source's inode: plan its attributes from the source.
  const at = planAttrs({ ...src, path: a.path }, { owner: a.owner, group: a.group, mode: a.mode });
  const change: Change = {
    summary: `hard link ${a.path} -> ${a.src}`,
    diff: stateDiff(a.path, kindOf(f), `hard -> ${a.src}`),
    steps: replaceWith(a, sh`ln -- ${linkSource(a)!}`, f),
  };
  return { changes: at ? [change, at] : [change], data };
}

export const fileModule: StateModule<z.output<typeof fileArgs>, FileFacts> = {
  name: 'file',
  aliases: ['ansible.builtin.file'],
  exec: 'state',
  args: fileArgs,
  probe: probeFile,
  plan: planFile,
};
