// The lab's local commands (src/lab/sys.ts) go through zx's `$` with POSIX quoting: a value
// reaches the command as one word, whatever it holds; failures are values or named errors.
import { describe, expect, it } from 'vitest';
import { LvsplayError } from '../../src/diagnostics.js';
import { $, must, run, sys } from '../../src/lab/sys.js';

const nasty = ["it's", '$(echo no)', '`echo no`', 'a b', '"q"', 'new\nline', '', '*', '-x;y', 'back\\slash'];

describe('lab commands', () => {
  it('pass every interpolated value as one literal word, an array as several', async () => {
    const r = await run`printf '%s|' ${nasty} ${'one more'}`;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([...nasty, 'one more'].map((w) => `${w}|`).join(''));
  });

  it("quote as POSIX sh does (never bash's $'...'): the same words reach dash", async () => {
    const r = await run`dash -c ${'printf "%s|" "$@"'} dash ${nasty}`;
    expect(r.stdout).toBe(nasty.map((w) => `${w}|`).join(''));
    const p = $`echo ${"it's"}`;
    expect(p.cmd).toBe(`echo 'it'\\''s'`);
    expect((await p).stdout).toBe("it's\n");
  });

  it('give a non-zero exit as a value, with what the command printed', async () => {
    const r = await run`sh -c ${'echo out; echo err >&2; exit 7'}`;
    expect(r).toEqual({ code: 7, stdout: 'out\n', stderr: 'err\n' });
  });

  it('turn a failure into an error naming the command and what it said, for must', async () => {
    const e = await must`sh -c ${'echo "no such bridge" >&2; exit 2'}`.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LvsplayError);
    expect(String((e as Error).message)).toMatch(
      /`sh -c echo "no such bridge" >&2; exit 2` failed \(exit 2\): no such bridge/,
    );
    expect(await must`echo fine`).toBe('fine\n');
  });

  it('give a command an empty, closed stdin unless told otherwise (cat ends at once)', async () => {
    expect(await sys({ timeoutMs: 20_000 }).run`cat`).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await sys({ timeoutMs: 20_000, input: '' }).run`cat`).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await $({ timeout: 20_000 })`cat`).exitCode).toBe(0);
    expect($({ sync: true, timeout: 20_000 })`cat`.exitCode).toBe(0);
  });

  it('survive a command that exits before reading its input', async () => {
    expect((await sys({ input: 'x'.repeat(1 << 20) }).run`true`).code).toBe(0);
  });

  it('feed stdin, set the environment and directory, stream output and stop at a time limit', async () => {
    expect(await sys({ input: 'over stdin' }).must`cat`).toBe('over stdin');
    expect(await sys({ env: { ...process.env, LAB_X: 'x y' } }).must`printenv LAB_X`).toBe('x y\n');
    expect(await sys({ cwd: '/proc' }).must`pwd`).toBe('/proc\n');
    const seen: string[] = [];
    await sys({ onOutput: (c) => seen.push(c) }).must`sh -c ${'echo a; echo b >&2'}`;
    expect(seen.join('')).toMatch(/a\n/);
    expect(seen.join('')).toMatch(/b\n/);
    const t0 = Date.now();
    const slow = await sys({ timeoutMs: 300 }).run`sleep 30`;
    expect(slow.code).not.toBe(0);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
});
