// Syntax from older Ansible that ansible-core 2.14 still runs: lvsplay runs it as 2.14 does,
// with a warning that says which Ansible version the message refers to.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAndPlan } from '../../src/plan/load-and-plan.js';
import { executePlan } from '../../src/exec/scheduler.js';
import { RecordingReporter } from '../../src/report/recording.js';
import { createTemplar } from '../../src/vars/templar.js';

function project(playbook: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-legacy-'));
  for (const [name, text] of Object.entries({ 'play.yml': playbook, ...files })) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text.replaceAll('DIR', dir));
  }
  return dir;
}

async function run(dir: string) {
  const plan = loadAndPlan({ playbook: join(dir, 'play.yml'), inventory: ['localhost,'], cwd: dir });
  const rec = new RecordingReporter();
  const r = await executePlan(plan, {
    templar: createTemplar({ searchPath: [dir] }),
    emit: (e) => rec.onEvent(e),
    journalDir: join(dir, '.state'),
  });
  const results = rec.results('localhost').map((x) => [x.task, x.status]);
  return { ...r, rec, results, warnings: plan.warnings.map((w) => `${w.pos?.line}:${w.pos?.col} ${w.message}`) };
}

const play = (tasks: string) => `
- hosts: localhost
  gather_facts: false
  tasks:
${tasks}`;

describe('include:', () => {
  it('imports a file named without a template, warning that 2.16 removes it', async () => {
    const dir = project(play('    - include: more.yml\n'), {
      'more.yml': '- name: from more\n  command: touch DIR/ran\n',
    });
    const r = await run(dir);
    expect(r.exitCode).toBe(0);
    expect(r.results).toEqual([['from more', 'changed']]);
    expect(r.warnings).toEqual([
      "5:7 'include' is deprecated in Ansible (ansible-core 2.14 still runs it and prints a deprecation warning; " +
        '2.16 removes it); it runs here as import_tasks, as 2.14 does',
    ]);
  });

  it('includes at run time when the name holds a template, with its k=v words as variables', async () => {
    const dir = project(play('    - include: "{{ which }}.yml word=hello"\n      vars: {which: more}\n'), {
      'more.yml': '- name: from more\n  shell: echo {{ word }} > DIR/out\n',
    });
    const r = await run(dir);
    expect(r.exitCode).toBe(0);
    expect(r.warnings[0]).toContain('it runs here as include_tasks');
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('hello\n');
  });
});

describe('action forms and free forms', () => {
  it('local_action runs the module named in its value on the controller', async () => {
    const dir = project(play('    - name: on the controller\n      local_action: command touch DIR/local\n'));
    const r = await run(dir);
    expect(r.results).toEqual([['on the controller', 'changed']]);
    expect(readFileSync(join(dir, 'local'), 'utf8')).toBe('');
  });

  it('action: takes the module as a mapping too', async () => {
    const dir = project(
      play('    - name: mapping form\n      action:\n        module: command\n        cmd: touch DIR/act\n'),
    );
    expect((await run(dir)).results).toEqual([['mapping form', 'changed']]);
  });

  it('include_role takes key=value words', async () => {
    const dir = project(play('    - include_role: name=web tasks_from=setup\n'), {
      'roles/web/tasks/setup.yml': '- name: web setup\n  command: "true"\n  changed_when: false\n',
    });
    const r = await run(dir);
    expect(r.exitCode).toBe(0);
    expect(r.results.at(-1)).toEqual(['web : web setup', 'ok']);
  });
});

describe('bare names and tests used as filters', () => {
  it('with_items: name loops over that one string, as 2.14 does, with a warning', async () => {
    const dir = project(
      play(
        '    - name: each\n      shell: echo {{ item }} >> DIR/items\n      with_items: pkgs\n      vars: {pkgs: [a, b]}\n',
      ),
    );
    const r = await run(dir);
    expect(readFileSync(join(dir, 'items'), 'utf8')).toBe('pkgs\n');
    expect(r.warnings).toEqual([
      "7:19 with_items: pkgs loops over the one string 'pkgs', not over a variable: ansible-core 2.14 no longer " +
        'looks bare names up as variables, and neither does lvsplay',
    ]);
  });

  it('x | failed loads with a warning and fails the task only where it is evaluated', async () => {
    const dir = project(
      play(
        '    - name: never evaluated\n      debug: msg=x\n      when: false and (r | failed)\n' +
          '    - name: evaluated\n      debug: msg=x\n      when: r | failed\n      vars: {r: {failed: true}}\n',
      ),
    );
    const r = await run(dir);
    expect(r.warnings.join('\n')).toContain("'failed' is a test used as a filter");
    expect(r.results).toEqual([
      ['never evaluated', 'skipped'],
      ['evaluated', 'failed'],
    ]);
    expect(r.rec.results('localhost')[1]!.result.msg).toContain("'failed' is a test, not a filter");
  });
});
