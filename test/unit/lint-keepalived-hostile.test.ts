// Hostile input to `lint --keepalived`: whatever the file holds (or is), lint answers within
// seconds with located findings, never a stack trace or a hang.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { lint } from '../../src/lint/index.js';
import { MAX_BYTES, MAX_DEPTH } from '../../src/lint/keepalived/parse.js';
import { prng } from '../helpers/keepalived-variants.js';

const dir = mkdtempSync(join(tmpdir(), 'ka-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Lints one path; the findings, the errors, and how long it took. */
function run(name: string): { errors: string[]; all: string[]; ms: number } {
  const t = Date.now();
  const r = lint({ keepalived: [join(dir, name)], shellcheck: false, cwd: dir });
  const ms = Date.now() - t;
  const show = (f: (typeof r.findings)[number]): string =>
    `${f.pos ? `${f.pos.file}:${f.pos.line}:${f.pos.col}` : '-'} ${f.message}`;
  return { errors: r.findings.filter((f) => f.severity === 'error').map(show), all: r.findings.map(show), ms };
}

// Generous bounds: the machine running the tests may be slow and loaded.
const SECONDS = 30;

describe('hostile input to lint --keepalived', () => {
  test('blocks nested 100,000 deep: one located error, no stack overflow', () => {
    writeFileSync(join(dir, 'deep.conf'), `${'vrrp_instance A {\n'.repeat(100_000)}${'}\n'.repeat(100_000)}`);
    const r = run('deep.conf');
    expect(r.errors.some((e) => e.startsWith(`deep.conf:${MAX_DEPTH + 1}:`) && e.includes('nested more than'))).toBe(
      true,
    );
    expect(r.ms).toBeLessThan(SECONDS * 1000);
  });

  test('200,000 opening braces on one line', () => {
    writeFileSync(join(dir, 'braces.conf'), '{'.repeat(200_000));
    const r = run('braces.conf');
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors.every((e) => /^braces\.conf:1:\d+ /.test(e))).toBe(true);
  });

  test('binary junk: located errors, no control character reaches the terminal', () => {
    const rnd = prng(7);
    writeFileSync(join(dir, 'junk.conf'), Buffer.from(Array.from({ length: 300_000 }, () => Math.floor(rnd() * 256))));
    const r = run('junk.conf');
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.all.every((e) => /^junk\.conf:\d+:\d+ /.test(e))).toBe(true);
    expect(r.all.join('\n')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(r.ms).toBeLessThan(SECONDS * 1000);
  });

  test('a 5 MB line is read in keepalived pieces, each word cut short in the messages', () => {
    writeFileSync(join(dir, 'line.conf'), 'x'.repeat(5_000_000));
    const r = run('line.conf');
    expect(r.errors.length).toBeGreaterThan(1000);
    expect(Math.max(...r.all.map((e) => e.length))).toBeLessThan(400);
    expect(r.ms).toBeLessThan(SECONDS * 1000);
  });

  test('a big file (a quarter of the limit) is linted whole, within seconds', () => {
    const block = 'global_defs {\n   router_id X\n}\n';
    writeFileSync(join(dir, 'big.conf'), block.repeat(Math.floor(MAX_BYTES / 4 / block.length)));
    const r = run('big.conf');
    expect(r.errors).toEqual([]);
    expect(r.ms).toBeLessThan(SECONDS * 1000);
  });

  test('a file over the limit is refused unread, with its size', () => {
    writeFileSync(join(dir, 'huge.conf'), '');
    truncateSync(join(dir, 'huge.conf'), 4 * MAX_BYTES);
    const r = run('huge.conf');
    expect(r.errors).toEqual([`huge.conf:1:1 not linted: ${4 * MAX_BYTES} bytes, more than the 8 MiB lint reads`]);
    expect(r.ms).toBeLessThan(5000);
  });

  test('a directory, a FIFO, a path through a file, a missing file: one located error each, nothing read', () => {
    mkdirSync(join(dir, 'dir.conf'));
    expect(run('dir.conf').errors).toEqual(['dir.conf:1:1 not linted: a directory, not a file']);
    expect(spawnSync('mkfifo', [join(dir, 'fifo.conf')]).status).toBe(0);
    // Reading a FIFO nobody writes to would block for ever.
    expect(run('fifo.conf').errors).toEqual([
      'fifo.conf:1:1 not linted: not a regular file (a FIFO, socket or device)',
    ]);
    writeFileSync(join(dir, 'plain'), '');
    expect(run('plain/x.conf').errors).toEqual(['plain/x.conf:1:1 not linted: cannot read it: ENOTDIR']);
    expect(run('missing.conf').errors).toEqual(['missing.conf:1:1 not linted: cannot read it: ENOENT']);
  });

  test('an include of a directory or a FIFO is a located error at the include', () => {
    writeFileSync(join(dir, 'inc.conf'), 'include dir.conf\ninclude fifo.conf\n');
    const r = run('inc.conf');
    expect(r.errors).toEqual([
      'inc.conf:1:9 include dir.conf: a directory, not a file',
      'inc.conf:2:9 include fifo.conf: not a regular file (a FIFO, socket or device)',
    ]);
  });
});
