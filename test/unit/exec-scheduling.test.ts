// Scheduling policy on several "hosts" that all run on the controller (ansible_connection=local):
// serial batches, linear barriers, any_errors_fatal, max_fail_percentage, run_once, handlers,
// block/rescue/always, free strategy.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAndPlan } from '../../src/plan/load-and-plan.js';
import { executePlan } from '../../src/exec/scheduler.js';
import { RecordingReporter } from '../../src/report/recording.js';
import { createTemplar } from '../../src/vars/templar.js';

const INVENTORY = `[g]
h1 ansible_connection=local
h2 ansible_connection=local
h3 ansible_connection=local
h4 ansible_connection=local
`;

async function run(playbook: string) {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-sched-'));
  writeFileSync(join(dir, 'inv.ini'), INVENTORY);
  writeFileSync(join(dir, 'play.yml'), playbook.replaceAll('DIR', dir));
  const plan = loadAndPlan({ playbook: join(dir, 'play.yml'), inventory: [join(dir, 'inv.ini')], cwd: dir });
  const rec = new RecordingReporter();
  const r = await executePlan(plan, {
    templar: createTemplar({ searchPath: [dir] }),
    emit: (e) => rec.onEvent(e),
    journalDir: join(dir, '.state'),
  });
  const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').trim().split('\n') : [];
  return { ...r, rec, dir, log };
}

describe('scheduling', () => {
  it('serial: each batch runs the whole play before the next batch starts', async () => {
    const r = await run(`
- hosts: g
  gather_facts: false
  serial: 2
  tasks:
    - shell: echo "a {{ inventory_hostname }}" >> DIR/log
    - shell: echo "b {{ inventory_hostname }}" >> DIR/log
`);
    expect(r.exitCode).toBe(0);
    const batchOf = (l: string) => (['h1', 'h2'].includes(l.split(' ')[1]!) ? 1 : 2);
    // Every line of batch 1 comes before every line of batch 2.
    const batches = r.log.map(batchOf);
    expect(batches).toEqual([...batches].sort());
    expect(r.log).toHaveLength(8);
  });

  it('linear: no host starts task 2 before every host finished task 1', async () => {
    const r = await run(`
- hosts: g
  gather_facts: false
  tasks:
    - shell: sleep 0.{{ 4 - (inventory_hostname[1] | int) }}; echo "1 {{ inventory_hostname }}" >> DIR/log
    - shell: echo "2 {{ inventory_hostname }}" >> DIR/log
`);
    expect(r.exitCode).toBe(0);
    const firstTwo = r.log.findIndex((l) => l.startsWith('2 '));
    expect(r.log.slice(0, firstTwo).every((l) => l.startsWith('1 '))).toBe(true);
    expect(firstTwo).toBe(4);
  });

  it('a failed host stops; the others go on; exit code 2', async () => {
    const r = await run(`
- hosts: g
  gather_facts: false
  tasks:
    - command: "{{ 'false' if inventory_hostname == 'h2' else 'true' }}"
    - shell: echo "{{ inventory_hostname }}" >> DIR/log
`);
    expect(r.exitCode).toBe(2);
    expect(r.log.sort()).toEqual(['h1', 'h3', 'h4']);
    expect(r.recap.h2).toMatchObject({ failed: 1 });
  });

  it('any_errors_fatal stops every host after the failing task', async () => {
    const r = await run(`
- hosts: g
  gather_facts: false
  any_errors_fatal: true
  tasks:
    - command: "{{ 'false' if inventory_hostname == 'h3' else 'true' }}"
    - shell: echo "{{ inventory_hostname }}" >> DIR/log
`);
    expect(r.exitCode).toBe(2);
    expect(r.log).toEqual([]);
  });

  it('max_fail_percentage stops the run when more than that share of the batch failed', async () => {
    const pb = (failing: string) => `
- hosts: g
  gather_facts: false
  max_fail_percentage: 30
  tasks:
    - command: "{{ 'false' if inventory_hostname in [${failing}] else 'true' }}"
    - shell: echo "{{ inventory_hostname }}" >> DIR/log
`;
    const one = await run(pb("'h1'"));
    expect(one.log.sort()).toEqual(['h2', 'h3', 'h4']);
    const two = await run(pb("'h1','h2'"));
    expect(two.log).toEqual([]);
  });

  it('run_once runs on the first host only and gives every host its result', async () => {
    const r = await run(`
- hosts: g
  gather_facts: false
  tasks:
    - shell: echo once >> DIR/log; echo "{{ inventory_hostname }}"
      run_once: true
      register: who
    - shell: test "{{ who.stdout }}" = h1
      changed_when: false
`);
    expect(r.exitCode).toBe(0);
    expect(r.log).toEqual(['once']);
  });

  it('handlers run once per host, in definition order, after the tasks; listen topics work', async () => {
    const r = await run(`
- hosts: h1
  gather_facts: false
  tasks:
    - shell: echo task >> DIR/log
      notify: [second, topic]
    - shell: echo task2 >> DIR/log
      notify: second
  handlers:
    - name: first
      shell: echo first >> DIR/log
      listen: topic
    - name: second
      shell: echo second >> DIR/log
`);
    expect(r.exitCode).toBe(0);
    expect(r.log).toEqual(['task', 'task2', 'first', 'second']);
  });

  it('meta: flush_handlers runs notified handlers at that point', async () => {
    const r = await run(`
- hosts: h1
  gather_facts: false
  tasks:
    - shell: echo task >> DIR/log
      notify: h
    - meta: flush_handlers
    - shell: echo after >> DIR/log
  handlers:
    - name: h
      shell: echo handler >> DIR/log
`);
    expect(r.log).toEqual(['task', 'handler', 'after']);
  });

  it('block/rescue/always: always runs after a rescued failure; an unrescued failure still runs always', async () => {
    const r = await run(`
- hosts: h1
  gather_facts: false
  tasks:
    - block:
        - shell: echo b1 >> DIR/log; exit 1
        - shell: echo never >> DIR/log
      rescue:
        - shell: echo r1 >> DIR/log
      always:
        - shell: echo a1 >> DIR/log
    - block:
        - shell: echo b2 >> DIR/log; exit 1
      always:
        - shell: echo a2 >> DIR/log
    - shell: echo unreached >> DIR/log
`);
    expect(r.exitCode).toBe(2);
    expect(r.log).toEqual(['b1', 'r1', 'a1', 'b2', 'a2']);
    expect(r.recap.h1).toMatchObject({ rescued: 1, failed: 1 });
  });

  it('strategy free: a fast host does not wait for a slow one', async () => {
    const r = await run(`
- hosts: h1,h2
  gather_facts: false
  strategy: free
  tasks:
    - shell: "{{ 'sleep 0.6' if inventory_hostname == 'h1' else 'true' }}; echo 1 {{ inventory_hostname }} >> DIR/log"
    - shell: echo 2 {{ inventory_hostname }} >> DIR/log
`);
    expect(r.exitCode).toBe(0);
    expect(r.log.indexOf('2 h2')).toBeLessThan(r.log.indexOf('1 h1'));
  });
});
