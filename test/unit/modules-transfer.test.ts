// slurp, raw and fetch, pure parts: results from probed files and from a command's output.
import { describe, expect, it } from 'vitest';
import { parseFiles } from '../../src/modules/fileinfo.js';
import { fetchDest, planFetch } from '../../src/modules/fetch.js';
import { rawCommand, rawResult } from '../../src/modules/raw.js';
import { slurpResult } from '../../src/modules/slurp.js';

// Probe output as a host prints it for one regular file holding "hi\n" (stat fields trimmed).
const FILE = `umask=0022\n0.type=regular file\n0.mode=644\n0.parent=1\n0.content=aGkK\n`;
const DIR = `umask=0022\n0.type=directory\n0.mode=755\n0.parent=1\n`;
const NONE = `umask=0022\n0.parent=1\n`;

describe('slurp', () => {
  it('returns the content base64-encoded, or fails as Ansible does', () => {
    expect(slurpResult('/f', parseFiles(FILE, ['/f']))).toEqual({
      changes: [],
      data: { content: 'aGkK', source: '/f', encoding: 'base64' },
    });
    expect(slurpResult('/f', parseFiles(NONE, ['/f']))).toEqual({ failed: 'file not found: /f' });
    expect(slurpResult('/d', parseFiles(DIR, ['/d']))).toEqual({ failed: 'source is a directory and must be a file' });
  });
});

describe('raw', () => {
  it('keeps output as it came, with lines, and fails on a non-zero exit', () => {
    const r = rawResult({ code: 0, stdout: 'a\n\nb\n', stderr: '', ms: 1 });
    expect(r).toEqual({
      data: { rc: 0, stdout: 'a\n\nb\n', stderr: '', stdout_lines: ['a', '', 'b'], stderr_lines: [] },
    });
    expect(rawResult({ code: 2, stdout: '', stderr: 'x', ms: 1 }).failed).toBe('non-zero return code');
  });
  it('runs the text in a subshell, or by the executable given', () => {
    expect(rawCommand({ free_form: 'exit 3' }).text).toBe('( exit 3\n)');
    expect(rawCommand({ free_form: 'echo $0', executable: '/bin/bash' }).text).toBe("/bin/bash -c 'echo $0'");
  });
});

describe('fetch', () => {
  it('names the destination as Ansible does', () => {
    expect(fetchDest({ src: '/etc/hosts', dest: 'out' }, 'web1', '/pb')).toBe('/pb/out/web1/etc/hosts');
    expect(fetchDest({ src: '/etc/hosts', dest: '/tmp/f/', flat: true }, 'web1', '/pb')).toBe('/tmp/f/hosts');
    expect(fetchDest({ src: '/etc/hosts', dest: 'h.txt', flat: true }, 'web1', '/pb')).toBe('/pb/h.txt');
  });
  it('writes only what differs; a missing file fails unless fail_on_missing is off', () => {
    const f = parseFiles(FILE, ['/f']).files[0]!;
    const write = planFetch({ src: '/f', dest: 'x' }, f, '/pb/x', undefined);
    expect(write).toMatchObject({ dest: '/pb/x', content: Buffer.from('hi\n') });
    expect(planFetch({ src: '/f', dest: 'x' }, f, '/pb/x', Buffer.from('hi\n'))).toMatchObject({ ok: true });
    const none = parseFiles(NONE, ['/f']).files[0]!;
    expect(planFetch({ src: '/f', dest: 'x' }, none, '/pb/x', undefined)).toMatchObject({
      failed: 'the remote file does not exist, not transferring, ignored',
    });
    expect(planFetch({ src: '/f', dest: 'x', fail_on_missing: false }, none, '/pb/x', undefined)).toMatchObject({
      ok: true,
    });
  });
});
