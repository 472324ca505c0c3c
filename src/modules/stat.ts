// stat: reads a path's type, owner, mode, size, times and checksum into `stat`, as Ansible's
// stat module returns them. It never changes anything.
import type { z } from 'zod';
import { overlayPredicted } from './fileinfo.js';
import { bool, choice, moduleArgs, str } from './args.js';
import { octal, probeFiles, type FileInfo, type ProbedFiles } from './fileinfo.js';
import type { PlanOutcome, StateModule } from './runtime.js';

const statArgs = moduleArgs(
  {
    path: str(),
    follow: bool().optional(),
    get_checksum: bool().optional(),
    checksum_algorithm: choice('md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512').optional(),
    get_mime: bool().optional(),
    get_attributes: bool().optional(),
  },
  { dest: 'path', name: 'path', checksum: 'checksum_algorithm', checksum_algo: 'checksum_algorithm' },
);

/** Ansible's `stat` dictionary from what the probe read. */
export function statResult(f: FileInfo): Record<string, unknown> {
  if (!f.exists) return { exists: false };
  const mode = f.mode ?? 0;
  const s: Record<string, unknown> = {
    exists: true,
    path: f.path,
    mode: octal(mode),
    isdir: f.type === 'directory',
    isreg: f.type === 'file',
    islnk: f.type === 'link',
    isfifo: f.type === 'fifo',
    issock: f.type === 'socket',
    ischr: f.type === 'char',
    isblk: f.type === 'block',
    uid: f.uid,
    gid: f.gid,
    pw_name: f.owner ?? '',
    gr_name: f.group ?? '',
    size: f.size,
    mtime: f.mtime,
    atime: f.atime,
    ctime: f.ctime,
    inode: f.inode,
    dev: f.dev,
    nlink: f.nlink,
    isuid: (mode & 0o4000) !== 0,
    isgid: (mode & 0o2000) !== 0,
    rusr: (mode & 0o400) !== 0,
    wusr: (mode & 0o200) !== 0,
    xusr: (mode & 0o100) !== 0,
    rgrp: (mode & 0o40) !== 0,
    wgrp: (mode & 0o20) !== 0,
    xgrp: (mode & 0o10) !== 0,
    roth: (mode & 0o4) !== 0,
    woth: (mode & 0o2) !== 0,
    xoth: (mode & 0o1) !== 0,
  };
  if (f.islnk) {
    if (f.linkTarget !== undefined) s.lnk_target = f.linkTarget;
    if (f.realPath !== undefined) s.lnk_source = f.realPath;
  }
  if (f.checksum !== undefined && f.type === 'file') s.checksum = f.checksum;
  return s;
}

export const statModule: StateModule<z.output<typeof statArgs>, ProbedFiles> = {
  name: 'stat',
  aliases: ['ansible.builtin.stat'],
  exec: 'state',
  args: statArgs,
  overlay: overlayPredicted,
  probe: (a) =>
    probeFiles([
      {
        path: a.path,
        what: {
          follow: a.follow ?? false,
          realPath: true,
          ...(a.get_checksum === false ? {} : { checksum: `${a.checksum_algorithm ?? 'sha1'}sum` }),
        },
      },
    ]),
  plan: (_a, probed): PlanOutcome => ({ changes: [], data: { stat: statResult(probed.files[0]!) } }),
};
