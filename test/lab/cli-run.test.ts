// `lvsplay run` as a user runs it: the built CLI in a child process, against the lab.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureLab, LAB_INVENTORY } from '../helpers/lab-run.js';

const BIN = resolve(import.meta.dirname, '../../bin/lvsplay.js');

function cli(
  args: string[],
  o: { interruptAfterMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; out: string; err: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((res) => {
    const p = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, CI: 'true', ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    if (o.interruptAfterMs) {
      // Interrupt once the slow task has started on the host.
      const timer = setInterval(() => {
        if (out.includes('TASK [slow]')) {
          clearInterval(timer);
          setTimeout(() => p.kill('SIGINT'), o.interruptAfterMs);
        }
      }, 20);
      p.on('exit', () => clearInterval(timer));
    }
    const kill = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('close', (code) => {
      clearTimeout(kill);
      res({ code, out, err, ms: Date.now() - t0 });
    });
  });
}

let dir: string;
beforeAll(async () => {
  await ensureLab();
  dir = mkdtempSync(join(tmpdir(), 'lvsplay-cli-'));
});

describe('lvsplay run (built CLI) on the lab', () => {
  it('runs a play and prints the recap, and exits 0', async () => {
    const pb = join(dir, 'hello.yml');
    writeFileSync(
      pb,
      '- hosts: web1\n  gather_facts: false\n  tasks:\n    - name: hello\n      command: hostname\n      changed_when: false\n',
    );
    const r = await cli(['run', pb, '-i', LAB_INVENTORY]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('TASK [hello]');
    expect(r.out).toMatch(/ok: \[web1\]/);
    expect(r.out).toMatch(/web1\s+: ok=1\s+changed=0\s+unreachable=0\s+failed=0/);
  });

  it('stops cleanly on Ctrl-C: recap printed, exit 99, no later task started', async () => {
    const pb = join(dir, 'slow.yml');
    writeFileSync(
      pb,
      '- hosts: web1\n  gather_facts: false\n  tasks:\n    - name: slow\n      command: sleep 3\n    - name: after\n      command: touch /tmp/lvsplay-after-interrupt\n',
    );
    const r = await cli(['run', pb, '-i', LAB_INVENTORY], { interruptAfterMs: 300 });
    expect(r.code).toBe(99);
    expect(r.out).toContain('PLAY RECAP');
    expect(r.out).not.toContain('TASK [after]');
    expect(r.err).toContain('interrupted');
  });

  it('a broken playbook exits 4 with file:line:col and touches nothing', async () => {
    const pb = join(dir, 'broken.yml');
    writeFileSync(pb, '- hosts: web1\n  tasks:\n    - name: typo\n      comand: ls\n');
    const r = await cli(['run', pb, '-i', LAB_INVENTORY]);
    expect(r.code).toBe(4);
    expect(r.err).toMatch(
      new RegExp(`${pb.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4:7: .*comand.*did you mean 'command'`),
    );
    expect(r.err).not.toMatch(/at .*\.js:\d+/);
  });
});
