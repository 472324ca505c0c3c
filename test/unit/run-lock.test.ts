import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { lockScript, readLockReply, staleHolder, type RunLockOptions } from '../../src/exec/run-lock.js';

const opts: RunLockOptions = {
  waitSec: 0,
  runId: 'abcdef012345',
  owner: "run abcdef012345 of o'brien@ctl (pid 1, playbook site.yaml, since 2026-12-07T07:00:00Z)",
  controller: 'ctl/boot/4026531836',
  pid: 1,
};

describe('the run lock script and its reply', () => {
  it('is a script /bin/sh parses, with the owner as one quoted word', () => {
    const text = lockScript("/run/lock/it's here.lock", opts).text;
    expect(() => execFileSync('sh', ['-n', '-c', text])).not.toThrow();
    expect(text).toContain(`f='/run/lock/it'\\''s here.lock'`);
    expect(text).toContain(`'run abcdef012345 of o'\\''brien@ctl`);
    const breaking = lockScript('/run/lock/x.lock', opts, { owner: "run 1 of o'brien@ctl (pid 7)", hostPid: 42 }).text;
    expect(() => execFileSync('sh', ['-n', '-c', breaking])).not.toThrow();
    expect(breaking).toContain('kill 42');
    expect(breaking).toContain(`= 'run 1 of o'\\''brien@ctl (pid 7)' ]`);
  });

  it('judges a holder stale only when it is a run of this controller whose process is gone', () => {
    const holder = { text: 'run 1 of a@ctl (pid 7)', controller: opts.controller, pid: 7, hostPid: 42 };
    const dead = () => false;
    expect(staleHolder(holder, opts, dead)).toEqual({ owner: 'run 1 of a@ctl (pid 7)', hostPid: 42 });
    expect(staleHolder(holder, opts, () => true)).toBeUndefined();
    expect(staleHolder({ ...holder, controller: 'other/boot/1' }, opts, dead)).toBeUndefined();
    expect(staleHolder({ ...holder, pid: opts.pid }, opts, dead)).toBeUndefined();
    expect(staleHolder({ text: 'run 1 of a@ctl (pid 7)' }, opts, dead)).toBeUndefined();
  });

  it('reads held, busy (with the holder), timeout, unsupported and not-yet-answered replies', () => {
    expect(readLockReply('lvsplay-lock-held\n', 0)).toEqual({ kind: 'held', broke: false });
    expect(readLockReply('lvsplay-lock-broken\nlvsplay-lock-held\n', 0)).toEqual({ kind: 'held', broke: true });
    expect(readLockReply('lvsplay-lock-busy\nrun 1 of a@b (pid 2)\n\nlvsplay-lock-end\n', 0)).toEqual({
      kind: 'busy',
      holder: { text: 'run 1 of a@b (pid 2)' },
      waiting: false,
    });
    expect(
      readLockReply(
        'lvsplay-lock-busy\nrun 1 of a@b (pid 2)\nlvsplay-lock-controller b/x/9 2 314\n\nlvsplay-lock-end\n',
        0,
      ),
    ).toEqual({
      kind: 'busy',
      holder: { text: 'run 1 of a@b (pid 2)', controller: 'b/x/9', pid: 2, hostPid: 314 },
      waiting: false,
    });
    expect(readLockReply('lvsplay-lock-busy\n\nlvsplay-lock-end\n', 5)).toMatchObject({ kind: 'busy', waiting: true });
    expect(readLockReply('lvsplay-lock-busy\nx\n\nlvsplay-lock-end\nlvsplay-lock-held\n', 5)).toEqual({
      kind: 'held',
      broke: false,
    });
    expect(readLockReply('lvsplay-lock-busy\nx\n\nlvsplay-lock-end\nlvsplay-lock-timeout\n', 5)).toEqual({
      kind: 'timeout',
      holder: { text: 'x' },
    });
    expect(readLockReply('lvsplay-lock-unsupported no flock command on the host\n', 0)).toEqual({
      kind: 'unsupported',
      why: 'no flock command on the host',
    });
    expect(readLockReply('lvsplay-lock-busy\nrun 1 of', 0)).toEqual({ kind: 'pending' });
    expect(readLockReply('', 0)).toEqual({ kind: 'pending' });
  });
});
