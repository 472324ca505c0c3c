// Keywords honoured by the executor, on "hosts" that run on the controller: force_handlers (the
// play keyword, --force-handlers, ansible.cfg), timeout, throttle and ignore_unreachable, each as
// ansible-playbook 2.14 behaves (checked by hand against it: messages and recap counts).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPlaybookIn } from '../helpers/run-playbook.js';

const INVENTORY = `[g]
h1 ansible_connection=local
h2 ansible_connection=local
h3 ansible_connection=local
`;

async function run(playbook: string, o: { forceHandlers?: boolean; cfg?: string; inventory?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-kw-'));
  writeFileSync(join(dir, 'inv.ini'), o.inventory ?? INVENTORY);
  writeFileSync(join(dir, 'play.yml'), playbook.replaceAll('DIR', dir));
  writeFileSync(join(dir, 'ansible.cfg'), o.cfg ?? '[defaults]\n');
  const r = await runPlaybookIn(dir, o.forceHandlers ? { forceHandlers: true } : {});
  const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').trim().split('\n') : [];
  return { ...r, log };
}

const failingH2 = (force: string) => `
- hosts: g
  gather_facts: false
  ${force}
  tasks:
    - command: "true"
      notify: restart
    - command: "{{ 'false' if inventory_hostname == 'h2' else 'true' }}"
  handlers:
    - name: restart
      shell: echo "{{ inventory_hostname }}" >> DIR/log
`;

describe('force_handlers', () => {
  it('without it, a host that failed does not run the handlers it notified', async () => {
    const r = await run(failingH2(''));
    expect(r.exitCode).toBe(2);
    expect(r.log.sort()).toEqual(['h1', 'h3']);
  });

  it('the play keyword runs them on the failed host too, with the others', async () => {
    const r = await run(failingH2('force_handlers: true'));
    expect(r.exitCode).toBe(2);
    expect(r.log.sort()).toEqual(['h1', 'h2', 'h3']);
    expect(r.recap.h2).toMatchObject({ failed: 1 });
  });

  it('--force-handlers and ansible.cfg force_handlers do the same; the keyword overrides them', async () => {
    expect((await run(failingH2(''), { forceHandlers: true })).log.sort()).toEqual(['h1', 'h2', 'h3']);
    const cfg = '[defaults]\nforce_handlers = True\n';
    expect((await run(failingH2(''), { cfg })).log.sort()).toEqual(['h1', 'h2', 'h3']);
    expect((await run(failingH2('force_handlers: false'), { cfg })).log.sort()).toEqual(['h1', 'h3']);
  });

  it('runs them when every host failed (no later flush point is reached)', async () => {
    const r = await run(
      `
- hosts: g
  gather_facts: false
  force_handlers: yes
  tasks:
    - command: "true"
      notify: restart
    - command: "false"
    - command: "true"
  handlers:
    - name: restart
      shell: echo "{{ inventory_hostname }}" >> DIR/log
`,
    );
    expect(r.log.sort()).toEqual(['h1', 'h2', 'h3']);
  });
});

describe('timeout', () => {
  it("fails the task with Ansible's message once the time is up, and stops the command", async () => {
    const r = await run(`
- hosts: h1
  gather_facts: false
  tasks:
    - shell: sleep 30; echo late >> DIR/log
      timeout: 1
`);
    expect(r.exitCode).toBe(2);
    const res = r.rec.results().find((e) => e.host === 'h1');
    expect(res?.result.status).toBe('failed');
    expect(res?.result.msg).toBe(
      'The shell action failed to execute in the expected time frame (1) and was terminated',
    );
    expect(r.ms).toBeLessThan(20_000);
  });

  it('ignore_errors forgives a timed-out task, its result registered as Ansible does; a task within its time is untouched', async () => {
    const r = await run(`
- hosts: h1
  gather_facts: false
  tasks:
    - command: sleep 30
      timeout: 1
      ignore_errors: true
      register: slow
    - shell: echo "done {{ slow.failed }} {{ slow.changed }} {{ slow.msg }}" >> DIR/log
      timeout: 60
`);
    expect(r.exitCode).toBe(0);
    expect(r.log).toEqual([
      'done True False The command action failed to execute in the expected time frame (1) and was terminated',
    ]);
    // As ansible-playbook 2.14 counts them: the ignored failure is ok and ignored, the next ok.
    expect(r.recap.h1).toMatchObject({ ok: 2, changed: 1, ignored: 1, failed: 0 });
  });
});

describe('throttle', () => {
  it('runs the task on at most that many hosts at once', async () => {
    // Each host takes a lock directory for a while: two at once would fail mkdir.
    const r = await run(`
- hosts: g
  gather_facts: false
  tasks:
    - shell: mkdir DIR/lock && sleep 0.3 && rmdir DIR/lock && echo "{{ inventory_hostname }}" >> DIR/log
      throttle: 1
`);
    expect(r.exitCode).toBe(0);
    expect(r.log.sort()).toEqual(['h1', 'h2', 'h3']);
  });
});

describe('ignore_unreachable', () => {
  // Port 1 on the loopback address refuses at once.
  const inventory = 'gone ansible_host=127.0.0.1 ansible_port=1 ansible_ssh_timeout=5\n';
  it('keeps an unreachable host in the play: counted ok and ignored, its next task still tried', async () => {
    const r = await run(
      `
- hosts: gone
  gather_facts: false
  tasks:
    - command: "true"
      ignore_unreachable: true
    - command: "true"
`,
      { inventory },
    );
    const results = r.rec.results().filter((e) => e.host === 'gone');
    expect(results.map((e) => e.result.status)).toEqual(['unreachable', 'unreachable']);
    expect(r.recap.gone).toMatchObject({ ok: 1, ignored: 1, unreachable: 1 });
    expect(r.exitCode).toBe(4); // ansible-playbook 2.14's code for an unreachable host
  });

  it('without it the host leaves the play at the first unreachable task', async () => {
    const r = await run(
      `
- hosts: gone
  gather_facts: false
  tasks:
    - command: "true"
    - command: "true"
`,
      { inventory },
    );
    expect(r.rec.results().filter((e) => e.host === 'gone')).toHaveLength(1);
    expect(r.recap.gone).toMatchObject({ ok: 0, unreachable: 1 });
  });
});

describe('gather_subset and gather_timeout', () => {
  it('keeps the facts of the subsets asked for, the minimal ones always', async () => {
    const r = await run(`
- hosts: h1
  gather_facts: true
  gather_subset: ['!all']
  gather_timeout: 30
  tasks:
    - shell: echo "{{ ansible_distribution is defined }} {{ ansible_interfaces is defined }} {{ ansible_memtotal_mb is defined }}" >> DIR/log
- hosts: h1
  gather_facts: true
  gather_subset: [network]
  tasks:
    - shell: echo "{{ ansible_distribution is defined }} {{ ansible_interfaces is defined }} {{ ansible_memtotal_mb is defined }}" >> DIR/log
`);
    expect(r.exitCode).toBe(0);
    expect(r.log).toEqual(['True False False', 'True True False']);
  });

  it('gather_timeout bounds the facts read: a host that answers too slowly fails it', async () => {
    // A stand-in for `ip` that hangs, first on the PATH of the facts read.
    const bin = mkdtempSync(join(tmpdir(), 'lvsplay-slowip-'));
    writeFileSync(join(bin, 'ip'), '#!/bin/sh\nsleep 30\n', { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      const r = await run(`
- hosts: h1
  gather_timeout: 1
  tasks:
    - command: "true"
`);
      expect(r.exitCode).toBe(2);
      expect(r.rec.results('h1')[0]?.result.msg).toMatch(/expected time frame \(1\)/);
      expect(r.ms).toBeLessThan(20_000);
    } finally {
      process.env.PATH = path;
    }
  });

  it('a subset Ansible does not know fails the facts task with the names it takes', async () => {
    const r = await run(`
- hosts: h1
  gather_subset: [netwrok]
  tasks:
    - command: "true"
`);
    expect(r.exitCode).toBe(2);
    expect(r.rec.results('h1')[0]?.result.msg).toMatch(/Bad subset 'netwrok'.*network/);
  });
});

describe('the other keywords a play, block or task carries', () => {
  it('connection: local runs on the controller although the host is set up for ssh', async () => {
    const r = await run(
      `
- hosts: far
  gather_facts: false
  connection: local
  tasks:
    - shell: echo "{{ inventory_hostname }}" >> DIR/log
`,
      { inventory: 'far ansible_host=127.0.0.1 ansible_port=1\n' },
    );
    expect(r.exitCode).toBe(0);
    expect(r.log).toEqual(['far']);
  });

  it('check_mode: true predicts a change without making it; diff: true returns its diff', async () => {
    const r = await run(`
- hosts: h1
  gather_facts: false
  tasks:
    - copy: {content: "x\\n", dest: DIR/predicted}
      check_mode: true
    - copy: {content: "y\\n", dest: DIR/written}
      diff: true
    - shell: test ! -e DIR/predicted && test -e DIR/written && echo ok >> DIR/log
`);
    expect(r.exitCode).toBe(0);
    expect(r.log).toEqual(['ok']);
    const [predicted, written] = r.rec.results('h1');
    expect(predicted?.status).toBe('changed');
    expect(written?.result.changes.some((c) => c.diff?.after === 'y\n')).toBe(true);
  });

  it('environment reaches the command; vars nearest the task win; name names the result', async () => {
    const r = await run(`
- hosts: h1
  gather_facts: false
  vars: {who: play, where: play}
  environment: {GREETING: hello}
  tasks:
    - block:
        - name: greet
          shell: echo "$GREETING {{ who }} {{ where }}" >> DIR/log
          vars: {who: task}
      vars: {where: block}
`);
    expect(r.log).toEqual(['hello task block']);
    expect(r.rec.results('h1')[0]?.task).toBe('greet');
  });

  it('gather_facts: false reads no facts; pre_tasks, tasks and post_tasks run in that order', async () => {
    const r = await run(`
- hosts: h1
  gather_facts: false
  post_tasks: [{shell: echo post >> DIR/log}]
  tasks: [{shell: echo task >> DIR/log}]
  pre_tasks: [{shell: echo pre >> DIR/log}]
`);
    expect(r.log).toEqual(['pre', 'task', 'post']);
    expect(r.rec.taskNames()).not.toContain('Gathering Facts');
  });

  it('order: reverse_inventory takes the hosts from the last', async () => {
    const r = await run(`
- hosts: g
  gather_facts: false
  order: reverse_inventory
  serial: 1
  tasks:
    - shell: echo "{{ inventory_hostname }}" >> DIR/log
`);
    expect(r.log).toEqual(['h3', 'h2', 'h1']);
  });

  it('delegate_to runs the task for one host on another, and says so', async () => {
    const r = await run(`
- hosts: h1
  gather_facts: false
  tasks:
    - shell: echo "{{ inventory_hostname }}" >> DIR/log
      delegate_to: h2
`);
    expect(r.log).toEqual(['h1']);
    expect(r.rec.events.some((e) => e.type === 'taskResult' && e.delegatedTo === 'h2')).toBe(true);
  });

  it('register, changed_when and failed_when decide and keep the result', async () => {
    const r = await run(`
- hosts: h1
  gather_facts: false
  tasks:
    - command: echo 7
      register: seven
      changed_when: false
    - command: echo "{{ seven.stdout }}"
      failed_when: seven.stdout != '7'
      changed_when: true
`);
    expect(r.rec.results('h1').map((x) => x.status)).toEqual(['ok', 'changed']);
  });

  it('until retries (retries, delay) until the condition holds', async () => {
    const r = await run(`
- hosts: h1
  gather_facts: false
  tasks:
    - shell: echo x >> DIR/log; wc -l < DIR/log
      register: n
      until: n.stdout | int == 3
      retries: 5
      delay: 0
`);
    expect(r.exitCode).toBe(0);
    expect(r.log).toHaveLength(3);
  });

  it('loop_control names the item and index and labels the result', async () => {
    const r = await run(`
- hosts: h1
  gather_facts: false
  tasks:
    - shell: echo "{{ i }}{{ letter }}" >> DIR/log
      loop: [a, b]
      loop_control: {loop_var: letter, index_var: i, label: "L{{ letter }}"}
`);
    expect(r.log).toEqual(['0a', '1b']);
    expect(JSON.stringify(r.rec.results('h1')[0]?.result)).toContain('La');
  });
});

describe('delegate_facts', () => {
  it('gives the delegate the facts, not the host the task ran for; without it they stay with the host', async () => {
    const r = await run(`
- hosts: h1
  gather_facts: false
  tasks:
    - set_fact: { colour: blue }
      delegate_to: h2
      delegate_facts: true
    - set_fact: { shape: round }
      delegate_to: h3
- hosts: g
  gather_facts: false
  tasks:
    - shell: echo "{{ inventory_hostname }} {{ colour | default('-') }} {{ shape | default('-') }}" >> DIR/log
`);
    expect(r.exitCode).toBe(0);
    expect(r.log.sort()).toEqual(['h1 - round', 'h2 blue -', 'h3 - -']);
  });
});
