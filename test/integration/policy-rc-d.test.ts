// apt's policy_rc_d as the shell runs it (dash, as on Debian targets): the policy file says
// `exit N` while the command runs, and whatever was there before (a file, a symlink, nothing)
// is back afterwards, whether the command succeeds, fails, or the shell is killed by a signal.
// Run against a path under a temporary directory, never /usr/sbin.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withPolicyRcD } from '../../src/modules/package.js';
import { sh } from '../../src/transport/quote.js';

const work = mkdtempSync(join(tmpdir(), 'lvsplay-policy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const POLICY = '#!/bin/sh\nexit 101\n';

function setup(name: string, before: 'file' | 'link' | 'none') {
  const dir = join(work, name);
  spawnSync('mkdir', ['-p', dir]);
  const path = join(dir, 'policy-rc.d');
  if (before === 'file') writeFileSync(path, '#!/bin/sh\nexit 0 # the host own\n', { mode: 0o700 });
  if (before === 'link') symlinkSync('/bin/true', path);
  // The command shows what it saw, as a maintainer script would run it.
  const seen = join(dir, 'seen');
  return {
    path,
    seen,
    see: sh`cat ${path} > ${seen}; "${path}" start; echo "rc=$?" >> ${seen}; ls -l ${path} | cut -c1-10 >> ${seen}`,
  };
}

const runSh = (text: string) => spawnSync('dash', ['-c', text], { encoding: 'utf8' });

describe('policy_rc_d around an apt command', () => {
  it.each([['file'], ['link'], ['none']] as const)(
    'puts back what was there (%s) after a success and a failure',
    (before) => {
      for (const [exit, name] of [
        [0, 'ok'],
        [100, 'failed'],
      ] as const) {
        const t = setup(`${before}-${name}`, before);
        const r = runSh(withPolicyRcD(101, sh`${t.see}; exit ${String(exit)}`, t.path).text);
        expect(r.status).toBe(exit);
        expect(readFileSync(t.seen, 'utf8')).toBe(`${POLICY}rc=101\n-rwxr-xr-x\n`);
        if (before === 'file') {
          expect(readFileSync(t.path, 'utf8')).toBe('#!/bin/sh\nexit 0 # the host own\n');
          expect(lstatSync(t.path).mode & 0o777).toBe(0o700);
        } else if (before === 'link') expect(readlinkSync(t.path)).toBe('/bin/true');
        else expect(existsSync(t.path)).toBe(false);
      }
    },
  );

  it('puts the old file back when the shell is terminated mid-install', async () => {
    const t = setup('killed', 'file');
    const child = spawn(
      'dash',
      ['-c', withPolicyRcD(101, sh`${t.see}; sleep 60 & echo started; wait $!`, t.path).text],
      {
        detached: true,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    await new Promise<void>((ok) => child.stdout.on('data', (d: Buffer) => d.toString().includes('started') && ok()));
    expect(readFileSync(t.path, 'utf8')).toBe(POLICY);
    // "started" comes after the long command is forked, so the signal reaches it as it would
    // reach apt-get (a signal between two commands only runs the trap once the next one ends).
    const code = new Promise<number | null>((ok) => child.on('exit', (c) => ok(c)));
    process.kill(-child.pid!, 'SIGTERM');
    expect(await code).not.toBe(0);
    // The subshell that holds the trap may outlive its parent by a moment.
    for (let i = 0; i < 100 && readFileSync(t.path, 'utf8') === POLICY; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(t.path, 'utf8')).toBe('#!/bin/sh\nexit 0 # the host own\n');
    try {
      process.kill(-child.pid!, 'SIGKILL'); // whatever the signal did not reach
    } catch {
      // the group is gone
    }
  });

  it('changes nothing when policy_rc_d is not given', () => {
    expect(withPolicyRcD(undefined, sh`apt-get install -y x`).text).toBe('apt-get install -y x');
  });
});
