// Controller modules (debug, set_fact, assert, fail, include_vars) and wait_for's script/verdict.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertModule,
  debugModule,
  failModule,
  includeVarsModule,
  setFactModule,
} from '../../src/modules/controller.js';
import type { ActionContext } from '../../src/modules/runtime.js';
import { judge, waitScript } from '../../src/modules/wait_for.js';
import { createTemplar } from '../../src/vars/templar.js';
import { encryptVaultText } from '../../src/vars/vault.js';
import { Secret } from '../../src/secret.js';

function ctx(vars: Record<string, unknown>, searchPath: string[] = [], vault?: string): ActionContext {
  const templar = createTemplar({
    searchPath,
    ...(vault ? { vault: { passwords: [{ password: new Secret(vault) }] } } : {}),
  });
  return {
    host: 'db1',
    vars: templar.templateVars(vars),
    templar,
    findFile: () => undefined,
    check: false,
    diff: false,
    runOpts: {},
  };
}

describe('debug', () => {
  it('shows msg and var, always, and says when a variable is undefined', async () => {
    expect(await debugModule.run({ msg: 'hi' }, ctx({}))).toMatchObject({
      status: 'ok',
      msg: 'hi',
      verboseAlways: 'data',
    });
    expect(await debugModule.run({ var: 'r.stdout' }, ctx({ r: { stdout: 'x' } }))).toMatchObject({
      status: 'ok',
      data: { 'r.stdout': 'x' },
    });
    expect(await debugModule.run({ var: 'nope' }, ctx({}))).toMatchObject({
      data: { nope: 'VARIABLE IS NOT DEFINED!' },
    });
  });
  it('is skipped below its verbosity', async () => {
    expect(await debugModule.run({ msg: 'hi', verbosity: 2 }, ctx({ ansible_verbosity: 1 }))).toMatchObject({
      status: 'skipped',
    });
    expect(await debugModule.run({ msg: 'hi', verbosity: 2 }, ctx({ ansible_verbosity: 2 }))).toMatchObject({
      status: 'ok',
    });
  });
});

describe('assert, fail, set_fact', () => {
  it('fails on the first false condition with fail_msg, passes with success_msg', async () => {
    const c = ctx({ a: 1 });
    expect(await assertModule.run({ that: ['a == 1', 'a > 5'], fail_msg: 'a too small' }, c)).toMatchObject({
      status: 'failed',
      msg: 'a too small',
      data: { assertion: 'a > 5' },
    });
    expect(await assertModule.run({ that: ['a == 1'], success_msg: 'fine' }, c)).toMatchObject({
      status: 'ok',
      msg: 'fine',
    });
    expect(await assertModule.run({ that: ['b == 1'] }, c)).toMatchObject({
      status: 'failed',
      msg: expect.stringMatching(/b/),
    });
  });
  it('fail fails with its message', async () => {
    expect(await failModule.run({}, ctx({}))).toMatchObject({ status: 'failed', msg: 'Failed as requested from task' });
  });
  it('set_fact returns the facts without cacheable', async () => {
    expect(await setFactModule.run({ x: 1, cacheable: true }, ctx({}))).toMatchObject({
      status: 'ok',
      setFacts: { x: 1 },
    });
    expect((await setFactModule.run({ x: 1, cacheable: true }, ctx({}))).setFacts).not.toHaveProperty('cacheable');
  });
});

describe('include_vars', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-incvars-'));
  mkdirSync(join(dir, 'vars', 'more', 'deeper'), { recursive: true });
  writeFileSync(join(dir, 'vars', 'main.yml'), 'db_port: 3306\nname_ref: "{{ db_port }}"\n');
  writeFileSync(join(dir, 'vars', 'more', 'a.yml'), 'a: 1\n');
  writeFileSync(join(dir, 'vars', 'more', 'b.json'), '{"b": 2}');
  writeFileSync(join(dir, 'vars', 'more', 'deeper', 'c.yml'), 'c: 3\n');
  writeFileSync(join(dir, 'vars', 'secret.yml'), encryptVaultText('db_password: s3cret\n', 'pw'));
  it('reads a file from vars/, nests it under name, and a directory by depth', async () => {
    expect(await includeVarsModule.run({ file: 'main.yml' }, ctx({}, [dir]))).toMatchObject({
      status: 'ok',
      setFacts: { db_port: 3306 },
    });
    expect(await includeVarsModule.run({ file: 'main.yml', name: 'cfg' }, ctx({}, [dir]))).toMatchObject({
      setFacts: { cfg: { db_port: 3306 } },
    });
    expect((await includeVarsModule.run({ dir: 'more' }, ctx({}, [dir]))).setFacts).toEqual({ a: 1, b: 2, c: 3 });
    expect(
      (await includeVarsModule.run({ dir: 'more', depth: 1, files_matching: '^a' }, ctx({}, [dir]))).setFacts,
    ).toEqual({ a: 1 });
  });
  it('decrypts a vault-encrypted file, and names a missing one', async () => {
    // A file vaulted as a whole gives secrets, as inline !vault values do.
    const included = await includeVarsModule.run({ file: 'secret.yml' }, ctx({}, [dir], 'pw'));
    expect(included.setFacts?.db_password).toBeInstanceOf(Secret);
    expect((included.setFacts?.db_password as Secret).reveal()).toBe('s3cret');
    expect(await includeVarsModule.run({ file: 'nope.yml' }, ctx({}, [dir]))).toMatchObject({
      status: 'failed',
      msg: expect.stringMatching(/nope\.yml/),
    });
  });
});

describe('wait_for', () => {
  const r = (stdout: string, code = 0) => ({ code, stdout, stderr: '', ms: 10 });
  it('judges the loop output', () => {
    expect(judge({ port: 22 }, r('lvsplay-wait=ok\nelapsed=0\n'))).toMatchObject({
      status: 'ok',
      data: { elapsed: 0, port: 22 },
    });
    expect(judge({ port: 8080, host: '10.0.7.41' }, r('lvsplay-wait=timeout\nelapsed=3\n'))).toMatchObject({
      status: 'failed',
      msg: 'Timeout when waiting for 10.0.7.41:8080',
    });
    expect(judge({ path: '/x', state: 'absent', msg: 'still there' }, r('lvsplay-wait=timeout\n'))).toMatchObject({
      msg: 'still there',
    });
    expect(judge({ port: 80, host: 'web1' }, r('lvsplay-wait=no-nc\n'))).toMatchObject({
      status: 'failed',
      msg: expect.stringMatching(/netcat/),
    });
  });
  it('builds a bounded loop with every value quoted', () => {
    const s = waitScript({ path: "/tmp/a b'$(x)", search_regex: 'ready;', timeout: 7 }).text;
    expect(s).toContain(`'/tmp/a b'\\''$(x)'`);
    expect(s).toContain("'ready;'");
    expect(s).toContain('end=$((start + 7))');
  });
});
