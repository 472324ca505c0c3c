// File modules, pure parts: the probe parser on output captured from a lab host, owner/mode
// planning, content writes, and lineinfile/blockinfile against results of real Ansible 2.14
// (`ansible localhost -c local -m lineinfile ...`, recorded in the fixture).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applySymbolicMode,
  parseFiles,
  planAttrs,
  planWrite,
  probeFilesCmd,
  type FileInfo,
} from '../../src/modules/fileinfo.js';
import { linePresent, lineAbsent, lineinfileModule, type LineinfileArgs } from '../../src/modules/lineinfile.js';
import { blockinfileModule, editBlock, type BlockinfileArgs } from '../../src/modules/blockinfile.js';
import { splitLines, toBytes } from '../../src/modules/pyregex.js';
import { statModule } from '../../src/modules/stat.js';
import { fileModule } from '../../src/modules/file.js';
import { copyModule } from '../../src/modules/copy.js';
import type { ModuleContext } from '../../src/modules/runtime.js';

const fixtures = resolve(import.meta.dirname, '../fixtures/modules-files');
const probeOut = readFileSync(resolve(fixtures, 'probe-web2.txt'), 'utf8');
const PATHS = [
  '/tmp/mf-fix/hello.txt',
  '/tmp/mf-fix/link',
  '/tmp/mf-fix/dir',
  '/tmp/mf-fix/missing/x',
  '/tmp/mf-fix/bin',
];

describe('file probe parser (output of web2)', () => {
  const { umask, files } = parseFiles(probeOut, PATHS);
  it('reads type, owner, mode, content and checksum of a regular file', () => {
    expect(umask).toBe(0o022);
    expect(files[0]).toMatchObject({
      exists: true,
      type: 'file',
      mode: 0o640,
      owner: 'nobody',
      group: 'daemon',
      uid: 65534,
      gid: 1,
      size: 12,
      islnk: false,
      parentIsDir: true,
    });
    expect(files[0]!.content!.toString()).toBe('hello\nworld\n');
    expect(files[0]!.checksum).toBe('58853e8a5e8272b1012f9a52a80758b27bd0d3cb');
    expect(files[0]!.realPath).toBe('/tmp/mf-fix/hello.txt');
  });
  it('sees a symlink, its target and real path; a directory; a missing path without parent', () => {
    expect(files[1]).toMatchObject({
      exists: true,
      type: 'link',
      islnk: true,
      linkTarget: 'hello.txt',
      realPath: '/tmp/mf-fix/hello.txt',
    });
    expect(files[2]).toMatchObject({ exists: true, type: 'directory', mode: 0o755 });
    expect(files[3]).toMatchObject({ exists: false, parentIsDir: false });
  });
  it('keeps binary content byte for byte (NUL, 0xff, "=" and newline)', () => {
    expect([...files[4]!.content!]).toEqual([0, 1, 0xff, 0x3d, 0x78, 0x0a]);
  });
  it('quotes a hostile path as one word', () => {
    const hostile = "/tmp/x $(touch /tmp/pwned) `id` ';\n";
    const text = probeFilesCmd([{ path: hostile }]).text;
    expect(text).toContain(`p='/tmp/x $(touch /tmp/pwned) \`id\` '\\'';\n'`);
  });
});

describe('modes', () => {
  it('applies symbolic modes as chmod does', () => {
    expect(applySymbolicMode(0o644, 'u+x', false)).toBe(0o744);
    expect(applySymbolicMode(0o777, 'go-w', false)).toBe(0o755);
    expect(applySymbolicMode(0o600, 'u=rw,g=r,o=r', false)).toBe(0o644);
    expect(applySymbolicMode(0o644, 'a+X', false)).toBe(0o644);
    expect(applySymbolicMode(0o644, 'a+X', true)).toBe(0o755);
    expect(applySymbolicMode(0o640, 'o=g', false)).toBe(0o644);
    expect(() => applySymbolicMode(0o644, 'q+z', false)).toThrow(/not a valid symbolic mode/);
  });
});

const file = (over: Partial<FileInfo> = {}): FileInfo => ({
  path: '/etc/x.conf',
  exists: true,
  type: 'file',
  mode: 0o644,
  uid: 0,
  gid: 0,
  owner: 'root',
  group: 'root',
  islnk: false,
  parentIsDir: true,
  content: Buffer.from('old\n'),
  ...over,
});

describe('owner/mode planning', () => {
  it('plans nothing when owner (name or uid), group and mode match', () => {
    expect(planAttrs(file(), { owner: 'root', group: '0', mode: '0644' })).toBeUndefined();
  });
  it('plans only what differs, with a before/after diff', () => {
    const c = planAttrs(file(), { owner: 'nobody', mode: '0600' })!;
    expect(c.summary).toBe('/etc/x.conf: owner: root -> nobody, mode: 0644 -> 0600');
    expect(c.diff).toMatchObject({ before: 'owner: root\nmode: 0644\n', after: 'owner: nobody\nmode: 0600\n' });
    expect(c.steps.map((s) => ('run' in s ? s.run.text : ''))).toEqual([
      'chown -- nobody /etc/x.conf',
      'chmod 0600 -- /etc/x.conf',
    ]);
  });
});

describe('content writes', () => {
  const w = (cur: FileInfo, content: string, extra = {}) =>
    planWrite({ path: cur.path, current: cur, content: Buffer.from(content), attrs: {}, umask: 0o022, ...extra });
  it('writes nothing when the content is the same (by content or by sha1)', () => {
    expect(w(file(), 'old\n')).toEqual([]);
    expect(w(file({ content: undefined, checksum: '0f14b53a6bd0e1f4d4a8ab2e3c7fb0b2a9e4a7e3' }), 'x')).toHaveLength(1);
    expect(w(file({ content: undefined, checksum: 'c4c1a9e4a4dc2d5e0d35e5a7a0c1c0b3d9ae7f55' }), 'old\n')).toHaveLength(
      1,
    );
  });
  it('puts new content atomically with a text diff, keeping validate and backup', () => {
    type Change = { summary: string; steps: unknown[]; diff?: unknown };
    const cs = w(file(), 'new\n', { validate: 'visudo -cf %s', backup: true, attrs: { mode: '0600' } }) as Change[];
    expect(cs[0]).toMatchObject({ summary: 'update /etc/x.conf', diff: { before: 'old\n', after: 'new\n' } });
    expect(cs[0]!.steps[0]).toMatchObject({
      put: { path: '/etc/x.conf', opts: { mode: 0o600, validate: 'visudo -cf %s', backup: true } },
    });
    // the mode change rides on the put: it is shown, not run twice
    expect(cs[1]).toMatchObject({ summary: '/etc/x.conf: mode: 0644 -> 0600', steps: [] });
  });
  it('says "binary differs" for binary content, refuses validate without %s and a missing directory', () => {
    const cs = w(file({ content: Buffer.from([0, 1, 2]) }), 'text') as { diff?: { after: string } }[];
    expect(cs[0]!.diff!.after).toBe('(binary differs)\n');
    expect(w(file(), 'x', { validate: 'true' })).toEqual({ failed: 'validate must contain %s: true' });
    expect(w(file({ exists: false, parentIsDir: false, path: '/nope/x' }), 'x')).toEqual({
      failed: 'Destination directory /nope does not exist',
    });
  });
  it("creates a new file with the host's umask mode unless a mode is given; symbolic modes start from it", () => {
    type Put = { steps: { put?: { opts: { mode?: number } } }[]; summary: string }[];
    const cs = w(file({ exists: false, content: undefined }), 'x') as Put;
    expect(cs[0]!.summary).toBe('create /etc/x.conf');
    expect(cs[0]!.steps[0]!.put!.opts).not.toHaveProperty('mode');
    const sym = w(file({ exists: false, content: undefined }), 'x', { attrs: { mode: 'u+x' } }) as Put;
    expect(sym[0]!.steps[0]!.put!.opts.mode).toBe(0o744);
  });
});

interface Case<A> {
  name: string;
  content: string;
  args: Partial<A>;
  expected: string;
  changed: boolean;
}
const ansible = JSON.parse(readFileSync(resolve(fixtures, 'ansible-line-edits.json'), 'utf8')) as {
  lineinfile: Case<LineinfileArgs>[];
  blockinfile: Case<BlockinfileArgs>[];
};
const bytesOf = (s: string) => toBytes(s);

describe('lineinfile gives what Ansible gives', () => {
  for (const c of ansible.lineinfile) {
    it(c.name, () => {
      const a = lineinfileModule.args.parse({ path: '/f', ...c.args }) as LineinfileArgs;
      const lines = splitLines(bytesOf(c.content));
      const edit = (a.state === 'absent' ? lineAbsent : linePresent)(lines, a);
      const out = Buffer.from(edit.lines.join(''), 'latin1').toString('utf8');
      expect(out).toBe(c.expected);
      expect(out !== c.content).toBe(c.changed);
    });
  }
});

describe('blockinfile gives what Ansible gives', () => {
  for (const c of ansible.blockinfile) {
    it(c.name, () => {
      const a = blockinfileModule.args.parse({ path: '/f', ...c.args }) as BlockinfileArgs;
      const out = Buffer.from(editBlock(bytesOf(c.content), a).result, 'latin1').toString('utf8');
      expect(out).toBe(c.expected);
    });
  }
  it('creates a missing file with just the block, and a rerun finds it in place', () => {
    const a = { path: '/f', block: 'k=v' } as BlockinfileArgs;
    const first = editBlock(undefined, a);
    expect(first).toEqual({
      result: '# BEGIN ANSIBLE MANAGED BLOCK\nk=v\n# END ANSIBLE MANAGED BLOCK\n',
      msg: 'File created',
    });
    expect(editBlock(first.result, a)).toEqual({ result: first.result, msg: '' });
  });
});

const ctx = { host: 'h', vars: {}, check: false, diff: true, findFile: () => undefined } as unknown as ModuleContext;
const probed = (over: Partial<FileInfo>[], umask = 0o022) => ({ umask, files: over.map((o) => file(o)) });

describe('module plans', () => {
  it('lineinfile: a missing file fails unless create; a directory fails; Ansible messages', () => {
    const a = lineinfileModule.args.parse({ path: '/etc/x.conf', line: 'a=1' }) as LineinfileArgs;
    expect(lineinfileModule.plan(a, probed([{ exists: false, content: undefined }]), ctx)).toEqual({
      failed: 'Destination /etc/x.conf does not exist !',
      data: { rc: 257 },
    });
    expect(lineinfileModule.plan(a, probed([{ type: 'directory' }]), ctx)).toMatchObject({
      failed: 'Path /etc/x.conf is a directory !',
    });
    const added = lineinfileModule.plan(a, probed([{}]), ctx);
    expect(added).toMatchObject({
      msg: 'line added',
      changes: [{ summary: 'update /etc/x.conf', diff: { before: 'old\n', after: 'old\na=1\n' } }],
    });
    const withMode = lineinfileModule.plan({ ...a, line: 'old', mode: '0600' }, probed([{}]), ctx);
    expect(withMode).toMatchObject({
      msg: 'ownership, perms or SE linux context changed',
      changes: [{ summary: '/etc/x.conf: mode: 0644 -> 0600' }],
    });
  });
  it('lineinfile writes through a symlink to its real path', () => {
    const a = lineinfileModule.args.parse({ path: '/etc/link', line: 'new' }) as LineinfileArgs;
    const out = lineinfileModule.plan(a, probed([{ path: '/etc/link', realPath: '/etc/real.conf' }]), ctx) as {
      changes: { steps: { put?: { path: string } }[] }[];
    };
    expect(out.changes[0]!.steps[0]!.put!.path).toBe('/etc/real.conf');
  });
  it('copy: content into a directory dest is refused; force=no leaves an existing file', () => {
    const a = copyModule.args.parse({ content: 'x', dest: '/etc' }) as never;
    expect(copyModule.plan(a, probed([{ path: '/etc', type: 'directory' }]), ctx)).toMatchObject({
      failed: 'can not use content with a dir as dest: /etc',
    });
    const b = copyModule.args.parse({ content: 'x', dest: '/etc/x.conf', force: false }) as never;
    expect(copyModule.plan(b, probed([{}]), ctx)).toMatchObject({ changes: [] });
  });
  it('stat: never changes; reports Ansible fields', () => {
    const out = statModule.plan({ path: '/etc/x.conf' }, probed([{ checksum: 'abc', size: 4, mtime: 5 }]), ctx);
    expect(out).toMatchObject({
      changes: [],
      data: {
        stat: {
          exists: true,
          isreg: true,
          isdir: false,
          islnk: false,
          mode: '0644',
          pw_name: 'root',
          size: 4,
          checksum: 'abc',
          roth: true,
          woth: false,
        },
      },
    });
    expect(statModule.plan({ path: '/x' }, probed([{ exists: false }]), ctx)).toEqual({
      changes: [],
      data: { stat: { exists: false } },
    });
  });
  it('file: directory, absent, link and touch plans', () => {
    const plan = (args: object, files: Partial<FileInfo>[]) =>
      fileModule.plan(fileModule.args.parse(args) as never, probed(files), ctx) as {
        changes?: { summary: string }[];
        failed?: string;
      };
    expect(
      plan({ path: '/d', state: 'directory', mode: '0750' }, [{ exists: false, type: undefined }]).changes!.map(
        (c) => c.summary,
      ),
    ).toEqual(['create directory /d']);
    expect(plan({ path: '/d', state: 'directory' }, [{ type: 'directory', mode: 0o755 }]).changes).toEqual([]);
    expect(plan({ path: '/d', state: 'directory' }, [{ type: 'file' }]).failed).toBe('/d already exists as a file');
    expect(plan({ path: '/f', state: 'absent' }, [{ exists: false }]).changes).toEqual([]);
    expect(plan({ path: '/f', state: 'absent' }, [{}]).changes!.map((c) => c.summary)).toEqual(['remove /f']);
    expect(
      plan({ path: '/l', state: 'link', src: '/t' }, [{ type: 'link', islnk: true, linkTarget: '/t' }, {}]).changes,
    ).toEqual([]);
    expect(
      plan({ path: '/l', state: 'link', src: '/t' }, [
        { type: 'link', islnk: true, linkTarget: '/o' },
        {},
      ]).changes!.map((c) => c.summary),
    ).toEqual(['link /l -> /t']);
    expect(plan({ path: '/l', state: 'link', src: '/t' }, [{}, {}]).failed).toBe(
      'refusing to convert from file to symlink for /l',
    );
    expect(plan({ path: '/l', state: 'link', src: '/t' }, [{ exists: false }, { exists: false }]).failed).toMatch(
      /src file does not exist/,
    );
    expect(plan({ path: '/f', state: 'touch' }, [{}]).changes!.map((c) => c.summary)).toEqual(['touch /f']);
    expect(
      plan({ path: '/f', state: 'touch', access_time: 'preserve', modification_time: 'preserve' }, [{}]).changes,
    ).toEqual([]);
    expect(plan({ path: '/f', state: 'file' }, [{ exists: false }]).failed).toBe(
      'file (/f) is absent, cannot continue',
    );
  });
});
