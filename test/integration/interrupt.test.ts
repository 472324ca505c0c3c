// Ctrl-C always works: the first stops the run after the tasks in flight with the recap and
// exit 99, a second leaves at once, and a runaway regex does not keep either from being heard.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../bin/lvsplay.js');

interface Ended {
  code: number | null;
  out: string;
  /** Milliseconds from the first SIGINT to the exit. */
  afterSignal: number;
}

/** Runs `tasks` on the controller itself, sending SIGINT `signals` times once `ready` is printed. */
function interrupted(tasks: string, signals: number, ready = 'TASK ['): Promise<Ended> {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-int-'));
  writeFileSync(join(dir, 'hosts.ini'), 'h1 ansible_connection=local\n');
  writeFileSync(join(dir, 'site.yml'), `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks}`);
  writeFileSync(join(dir, 'big.txt'), 'a'.repeat(40) + 'b\n');
  const child = spawn(process.execPath, [BIN, 'run', 'site.yml', '-i', 'hosts.ini', '-o', 'plain'], { cwd: dir });
  let out = '';
  let sent = false;
  let t0 = 0;
  const onData = (d: Buffer) => {
    out += d.toString();
    if (!sent && out.includes(ready)) {
      sent = true;
      // Give the task time to start its command.
      setTimeout(() => {
        t0 = Date.now();
        // Apart: two signals sent at once arrive as one.
        for (let i = 0; i < signals; i++) setTimeout(() => child.kill('SIGINT'), i * 400);
      }, 700);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((res) => child.on('exit', (code) => res({ code, out, afterSignal: Date.now() - t0 })));
}

describe('Ctrl-C', () => {
  it('the first lets the task in flight finish, starts no other, prints the recap and exits 99', async () => {
    const r = await interrupted('    - command: sleep 2\n    - command: echo never\n', 1);
    expect(r.code).toBe(99);
    expect(r.out).toContain('PLAY RECAP');
    expect(r.out).not.toContain('never');
  }, 30_000);

  it('a second leaves at once, without waiting for the task', async () => {
    const r = await interrupted('    - command: sleep 30\n', 2);
    expect(r.code).toBe(99);
    expect(r.afterSignal).toBeLessThan(10_000);
  }, 40_000);

  it('is heard while a catastrophic regex runs: the match is stopped, no further task starts, exit 99', async () => {
    const task =
      '    - lineinfile:\n        path: "{{ playbook_dir }}/big.txt"\n        regexp: "^(a+)+$"\n        line: x\n' +
      '      ignore_errors: true\n    - command: echo never\n';
    const r = await interrupted(task, 1);
    expect(r.code, r.out).toBe(99);
    expect(r.out).toContain('catastrophic backtracking');
    expect(r.out).not.toContain('never');
    expect(r.afterSignal).toBeLessThan(10_000);
  }, 40_000);
});
