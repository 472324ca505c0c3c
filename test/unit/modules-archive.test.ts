// unarchive's pure parts: which `tar --diff` lines mean "extract" (Ansible's TgzArchive rules),
// the zip comparison on zipinfo's listing and the on-disk state the probe printed, and the
// paths the attribute pass visits. The outputs are as GNU tar 1.34 and UnZip 6.0 print them.
import { describe, expect, it } from 'vitest';
import {
  attrPaths,
  parseUnarchive,
  tarDiffers,
  unarchiveModule,
  type UnarchiveArgs,
} from '../../src/modules/unarchive.js';

const args = (a: Record<string, unknown>) =>
  unarchiveModule.args.parse({ src: 'a.tgz', dest: '/d', ...a }) as UnarchiveArgs;
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('unarchive decides as Ansible 2.14', () => {
  const lines = [
    'top/sub/b: Size differs',
    'top/sub/b: Contents differ',
    'top/a.txt: Mode differs',
    'top/a.txt: Uid differs',
    'tar: top/c: Warning: Cannot stat: No such file or directory',
    'top/d: Mod time differs',
  ];
  it('tar: size or content alone does not extract; mode only without mode:, uid only as root', () => {
    expect(tarDiffers(args({}), lines, 1000)).toEqual([lines[2], lines[4], lines[5]]);
    expect(tarDiffers(args({ mode: '0644' }), lines, 0)).toEqual([lines[3], lines[4], lines[5]]);
    expect(tarDiffers(args({ owner: 'root' }), lines.slice(0, 4), 0)).toEqual([lines[2]]);
  });

  it('zip: a missing member, a changed one and an identical one', () => {
    const info = [
      'Archive:  a.zip',
      'Zip file size: 600 bytes, number of entries: 3',
      'drwxr-xr-x  3.0 unx        0 bx stor 20261207.170000 top/',
      '-rw-r--r--  3.0 unx        6 tx stor 20261207.170000 top/a.txt',
      '-rw-------  3.0 unx        4 tx stor 20261207.170000 top/b',
      '3 files, 10 bytes uncompressed, 10 bytes compressed:  0.0%',
    ].join('\n');
    const out = [
      'umask=0022',
      'uid=0',
      'destdir=1',
      `zipinfo=${b64(info)}`,
      'ziptimes=1796662800 1796662800 1796662800 ',
      `m=${b64('top/')}|directory|4096|1796662900|755|0|0|root|root`,
      `m=${b64('top/a.txt')}|regular file|6|1796662800|644|0|0|root|root|same`,
      `m=${b64('top/b')}|regular file|5|1796662900|600|0|0|root|root`,
      'handler=ZipArchive',
    ].join('\n');
    const s = parseUnarchive(out, '/d');
    expect(s.members).toEqual(['top/', 'top/a.txt', 'top/b']);
    const plan = unarchiveModule.plan(args({ src: 'a.zip', remote_src: true }), s, {} as never);
    expect('changes' in plan && plan.changes[0]?.diff?.after).toBe('.fcst....?? top/b\n');
    const gone = parseUnarchive(out.replace(/^(m=[^|]*\|)regular file\|5\|.*$/m, '$1'), '/d');
    const p2 = unarchiveModule.plan(args({ src: 'a.zip', remote_src: true }), gone, {} as never);
    expect('changes' in p2 && p2.changes[0]?.diff?.after).toBe('>f++++++.?? top/b\n');
  });

  it('the attribute pass visits every member and each top folder once', () => {
    expect(attrPaths(['top/', 'top/a', 'x', 'other/y/z'])).toEqual(['top', 'top/a', 'x', 'other/y/z', 'top', 'other']);
  });

  it('include and exclude together are refused, as Ansible refuses them', () => {
    expect(unarchiveModule.args.safeParse({ src: 'a', dest: 'b', include: ['x'], exclude: ['y'] }).success).toBe(false);
  });
});
