// The executor on the controller itself (implicit localhost): no ssh, real /bin/sh.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAndPlan } from '../../src/plan/load-and-plan.js';
import { executePlan } from '../../src/exec/scheduler.js';
import { RecordingReporter } from '../../src/report/recording.js';
import { createTemplar } from '../../src/vars/templar.js';
import { runOnLocalhost } from '../helpers/run-local.js';

const run = runOnLocalhost;

describe('running on the implicit localhost', () => {
  it('runs commands locally, loops, and registers', async () => {
    const r = await run(`
- hosts: localhost
  gather_facts: false
  tasks:
    - name: write items
      shell: echo "{{ item }}" >> DIR/out
      loop: [a, b, c]
    - name: read back
      command: cat DIR/out
      register: got
      changed_when: false
    - name: check it
      command: test "{{ got.stdout_lines | join(',') }}" = "a,b,c"
      changed_when: false
`);
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(r.dir, 'out'), 'utf8')).toBe('a\nb\nc\n');
    expect(r.rec.results('localhost').map((x) => [x.task, x.status])).toEqual([
      ['write items', 'changed'],
      ['read back', 'ok'],
      ['check it', 'ok'],
    ]);
  });

  it('skips on when, per loop item, and a failed_when turns success into failure', async () => {
    const r = await run(`
- hosts: localhost
  gather_facts: false
  tasks:
    - name: only b
      shell: touch DIR/{{ item }}
      loop: [a, b]
      when: item == 'b'
    - name: judged failed
      command: echo boom
      register: x
      failed_when: "'boom' in x.stdout"
`);
    expect(r.exitCode).toBe(2);
    expect(existsSync(join(r.dir, 'a'))).toBe(false);
    expect(existsSync(join(r.dir, 'b'))).toBe(true);
    expect(r.rec.statusOf('judged failed', 'localhost')).toBe('failed');
  });

  it('registered results outrank play vars; extra vars outrank registered results', async () => {
    const pb = `
- hosts: localhost
  gather_facts: false
  vars:
    v: from-play
  tasks:
    - command: echo from-register
      register: v
      changed_when: false
    - name: show
      shell: echo "{{ v.stdout | default(v) }}" > DIR/v
      changed_when: false
`;
    const a = await run(pb);
    expect(readFileSync(join(a.dir, 'v'), 'utf8')).toBe('from-register\n');
    const b = await run(pb, { extraVars: ['v=from-extra'] });
    expect(readFileSync(join(b.dir, 'v'), 'utf8')).toBe('from-extra\n');
  });

  it('include_tasks with a templated file name, reading the include vars', async () => {
    const r = await run(
      `
- hosts: localhost
  gather_facts: false
  vars:
    which: inc
  tasks:
    - include_tasks: "{{ which }}.yml"
      vars:
        word: hello
`.replace('DIR', 'DIR'),
    );
    // The included file does not exist yet: a clear failure naming it.
    expect(r.exitCode).toBe(2);
    expect(r.rec.results('localhost')[0]!.result.msg).toMatch(/inc\.yml' not found/);
    writeFileSync(join(r.dir, 'inc.yml'), `- name: from include\n  shell: echo "{{ word }}" > ${r.dir}/inc.out\n`);
    const plan = loadAndPlan({ playbook: join(r.dir, 'play.yml'), inventory: ['localhost,'], cwd: r.dir });
    const rec = new RecordingReporter();
    const again = await executePlan(plan, {
      templar: createTemplar({ searchPath: [r.dir] }),
      emit: (e) => rec.onEvent(e),
      journalDir: join(r.dir, '.state'),
    });
    expect(again.exitCode).toBe(0);
    expect(readFileSync(join(r.dir, 'inc.out'), 'utf8')).toBe('hello\n');
  });
});

describe('precedence of the layers that exist only while a play runs', () => {
  it('play vars > facts; set_fact > task vars; include params > set_fact; extra vars > all', async () => {
    const pb = `
- hosts: localhost
  gather_facts: true
  vars:
    ansible_system: from-play
  tasks:
    - set_fact:
        x: from-set-fact
    - name: task vars lose to set_fact
      shell: echo "{{ x }}" > DIR/task
      vars:
        x: from-task
    - name: play vars win over facts, facts are there
      shell: echo "{{ ansible_system }} {{ ansible_facts.system }}" > DIR/facts
    - include_tasks: inc.yml
      vars:
        x: from-include
`;
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-prec-'));
    writeFileSync(join(dir, 'inc.yml'), `- shell: echo "{{ x }}" > ${dir}/inc\n`);
    writeFileSync(join(dir, 'play.yml'), pb.replaceAll('DIR', dir));
    const go = async (extra: string[]) => {
      const plan = loadAndPlan({
        playbook: join(dir, 'play.yml'),
        inventory: ['localhost,'],
        extraVars: extra,
        cwd: dir,
      });
      const r = await executePlan(plan, {
        templar: createTemplar({ searchPath: [dir] }),
        emit: () => undefined,
        journalDir: join(dir, '.state'),
      });
      expect(r.exitCode).toBe(0);
      const read = (f: string) => readFileSync(join(dir, f), 'utf8').trim();
      return { task: read('task'), facts: read('facts'), inc: read('inc') };
    };
    expect(await go([])).toEqual({ task: 'from-set-fact', facts: 'from-play Linux', inc: 'from-include' });
    expect(await go(['x=from-extra'])).toEqual({ task: 'from-extra', facts: 'from-play Linux', inc: 'from-extra' });
  });
});

describe('until / retries / delay', () => {
  it('repeats the task until the condition holds, and fails when it never does', async () => {
    const r = await run(`
- hosts: localhost
  gather_facts: false
  tasks:
    - name: count to three
      shell: echo x >> DIR/tries; wc -l < DIR/tries
      register: n
      until: n.stdout | int >= 3
      retries: 5
      delay: 0
      changed_when: false
    - name: never
      command: "false"
      register: f
      until: f.rc == 0
      retries: 2
      delay: 0
`);
    expect(readFileSync(join(r.dir, 'tries'), 'utf8')).toBe('x\nx\nx\n');
    expect(r.rec.statusOf('count to three', 'localhost')).toBe('ok');
    expect(r.rec.results('localhost').find((x) => x.task === 'count to three')!.result.data).toMatchObject({
      attempts: 3,
    });
    expect(r.rec.statusOf('never', 'localhost')).toBe('failed');
    expect(r.rec.results('localhost').find((x) => x.task === 'never')!.result.data).toMatchObject({ attempts: 3 });
    expect(r.exitCode).toBe(2);
  });
});
