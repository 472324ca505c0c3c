// The executor on real lab hosts: commands, creates, register/changed_when, handlers, check mode.
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureLab, runPlaybookText, statuses, changed } from '../helpers/lab-run.js';
import { labExec } from '../../src/lab/index.js';

beforeAll(async () => {
  await ensureLab();
  await labExec('web1', ['rm', '-rf', '/tmp/exec-basics']);
});

const play = (tasks: string) => `
- hosts: web1
  gather_facts: false
  tasks:
${tasks}
`;

describe('command and shell on a lab host', () => {
  it('runs, registers, honours creates, and reruns as ok', async () => {
    const pb = play(`
    - name: make marker
      command: mkdir -p /tmp/exec-basics/made
      args:
        creates: /tmp/exec-basics/made
    - name: read hostname
      shell: hostname; echo "$((1+2))"
      register: out
      changed_when: false
    - name: show it
      shell: test "{{ out.stdout_lines[0] }}" = web1 && test "{{ out.stdout_lines[1] }}" = 3
      changed_when: false
`);
    const first = await runPlaybookText(pb);
    expect(first.exitCode).toBe(0);
    expect(statuses(first, 'web1')).toEqual({ 'make marker': 'changed', 'read hostname': 'ok', 'show it': 'ok' });
    const again = await runPlaybookText(pb);
    expect(again.exitCode).toBe(0);
    expect(changed(again, 'web1')).toEqual([]);
    expect((await labExec('web1', ['test', '-d', '/tmp/exec-basics/made'])).code).toBe(0);
  });

  it('passes hostile values literally and never executes them', async () => {
    const pb = play(`
    - name: write hostile text
      command:
        argv: [sh, -c, 'printf %s "$1" > /tmp/exec-basics/hostile', x, "{{ hostile }}"]
`);
    const hostile = '$(touch /tmp/exec-basics/pwned); `touch /tmp/exec-basics/pwned2`; \' " \\ ;\nnext';
    const r = await runPlaybookText(pb, { extraVars: [JSON.stringify({ hostile })] });
    expect(r.exitCode).toBe(0);
    expect((await labExec('web1', ['cat', '/tmp/exec-basics/hostile'])).stdout).toBe(hostile);
    expect((await labExec('web1', ['sh', '-c', 'ls /tmp/exec-basics/pwned* 2>/dev/null | wc -l'])).stdout.trim()).toBe(
      '0',
    );
  });

  it('fails a non-zero command, ignores it with ignore_errors, and runs rescue', async () => {
    const pb = play(`
    - name: fails
      command: "false"
      ignore_errors: true
    - block:
        - name: fails in block
          shell: exit 3
      rescue:
        - name: rescued
          command: "true"
`);
    const r = await runPlaybookText(pb);
    expect(r.exitCode).toBe(0);
    expect(statuses(r, 'web1')).toMatchObject({ fails: 'failed', 'fails in block': 'failed', rescued: 'changed' });
    expect(r.recap.web1).toMatchObject({ failed: 0, ignored: 1, rescued: 1 });
  });

  it('reports check mode honestly: a command is unknown, creates that exists is ok', async () => {
    const pb = play(`
    - name: guarded
      command: mkdir -p /tmp/exec-basics/made
      args:
        creates: /tmp/exec-basics/made
    - name: unguarded
      command: touch /tmp/exec-basics/checked
`);
    const r = await runPlaybookText(pb, { check: true });
    expect(r.exitCode).toBe(0);
    expect(statuses(r, 'web1')).toEqual({ guarded: 'ok', unguarded: 'unknown' });
    expect((await labExec('web1', ['test', '-e', '/tmp/exec-basics/checked'])).code).not.toBe(0);
  });
});

describe('handlers', () => {
  it('run once at the end of the play when notified, not when nothing changed', async () => {
    const pb = `
- hosts: web1
  gather_facts: false
  tasks:
    - name: change
      command: mkdir /tmp/exec-basics/h1
      args: { creates: /tmp/exec-basics/h1 }
      notify: bump
    - name: change again
      command: mkdir /tmp/exec-basics/h2
      args: { creates: /tmp/exec-basics/h2 }
      notify: bump
  handlers:
    - name: bump
      shell: echo x >> /tmp/exec-basics/bumps
`;
    const r = await runPlaybookText(pb);
    expect(r.exitCode).toBe(0);
    expect((await labExec('web1', ['cat', '/tmp/exec-basics/bumps'])).stdout).toBe('x\n');
    const again = await runPlaybookText(pb);
    expect(again.rec.results('web1').map((x) => x.task)).not.toContain('bump');
    expect((await labExec('web1', ['cat', '/tmp/exec-basics/bumps'])).stdout).toBe('x\n');
  });

  it('a handler left pending by a failed run runs in the next run', async () => {
    const pb = (fail: boolean) => `
- hosts: web1
  gather_facts: false
  tasks:
    - name: change
      command: mkdir /tmp/exec-basics/j1
      args: { creates: /tmp/exec-basics/j1 }
      notify: record
    - name: maybe fail
      command: "${fail ? 'false' : 'true'}"
      changed_when: false
  handlers:
    - name: record
      shell: echo ran >> /tmp/exec-basics/journal
`;
    const first = await runPlaybookText(pb(true));
    expect(first.exitCode).toBe(2);
    expect((await labExec('web1', ['test', '-e', '/tmp/exec-basics/journal'])).code).not.toBe(0);
    const second = await runPlaybookText(pb(false), { dir: first.dir });
    expect(second.exitCode).toBe(0);
    expect(statuses(second, 'web1').change).toBe('ok');
    expect((await labExec('web1', ['cat', '/tmp/exec-basics/journal'])).stdout).toBe('ran\n');
    const third = await runPlaybookText(pb(false), { dir: first.dir });
    expect(third.rec.results('web1').map((x) => x.task)).not.toContain('record');
  });
});

describe('unreachable hosts', () => {
  it('are reported while the others finish', async () => {
    const pb = `
- hosts: web1,ghost
  gather_facts: false
  tasks:
    - name: touch
      command: "true"
      changed_when: false
`;
    const dir = (await import('node:fs')).mkdtempSync('/tmp/lvsplay-inv-');
    const inv = `${dir}/inv.ini`;
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { LAB_INVENTORY } = await import('../helpers/lab-run.js');
    // ghost: an address on the lab segment where no host lives (the guard still allows it).
    writeFileSync(
      inv,
      `${readFileSync(LAB_INVENTORY, 'utf8')}\n[extra]\nghost ansible_host=10.0.7.250 ansible_ssh_timeout=3\n`,
    );
    const r = await runPlaybookText(pb, { inventory: [inv] });
    expect(r.exitCode).toBe(4); // as ansible-playbook 2.14 for an unreachable host
    expect(statuses(r, 'web1')).toEqual({ touch: 'ok' });
    expect(statuses(r, 'ghost')).toEqual({ touch: 'unreachable' });
  });
});
