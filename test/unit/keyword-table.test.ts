// Walks the keyword table: every keyword that loads is either honoured, with a behaviour test
// named here (found in its file, so a renamed or deleted test fails this one), or refused at
// load with its file:line:col and what to do, at every place Ansible 2.14 accepts it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LvsplayError } from '../../src/diagnostics.js';
import { loadAndPlan } from '../../src/plan/load-and-plan.js';
import { KEYWORD_TABLE } from '../../src/playbook/keyword-table.js';
import { keyPlace, writeKeywordPlaybook } from '../helpers/keyword-playbooks.js';

const UNIT = 'test/unit';
const EXEC = `${UNIT}/exec-keywords.test.ts`;
const SCHED = `${UNIT}/exec-scheduling.test.ts`;
const SSH = 'test/transport/keywords.test.ts';

/** Where the behaviour of each honoured keyword is tested: [file, words of the test's title]. */
const PROVED: Record<string, [string, string]> = {
  any_errors_fatal: [SCHED, 'any_errors_fatal stops every host after the failing task'],
  become: [SSH, 'run as the user become_user names'],
  become_flags: [SSH, 'are given to sudo'],
  become_method: [SSH, 'run as the user become_user names'],
  become_user: [SSH, 'run as the user become_user names'],
  check_mode: [EXEC, 'check_mode: true predicts a change without making it'],
  collections: [`${UNIT}/playbook-paths.test.ts`, "are found by short name through the play's collections:"],
  connection: [EXEC, 'connection: local runs on the controller'],
  diff: [EXEC, 'diff: true returns its diff'],
  environment: [EXEC, 'environment reaches the command'],
  ignore_errors: [EXEC, 'ignore_errors forgives a timed-out task'],
  ignore_unreachable: [EXEC, 'keeps an unreachable host in the play'],
  name: [EXEC, 'name names the result'],
  no_log: [`${UNIT}/secrets.test.ts`, 'no_log hides a task whose templating fails'],
  port: [SSH, 'connect to the port the play names'],
  remote_user: [SSH, "logs in as the play's, then the task's remote_user"],
  run_once: [SCHED, 'run_once runs on the first host only'],
  tags: [`${UNIT}/plan-listing.test.ts`, '--tags selects tagged tasks plus always, inherited from roles and blocks'],
  throttle: [EXEC, 'runs the task on at most that many hosts at once'],
  timeout: [EXEC, "fails the task with Ansible's message once the time is up"],
  vars: [EXEC, 'vars nearest the task win'],
  force_handlers: [EXEC, 'the play keyword runs them on the failed host too'],
  gather_facts: [EXEC, 'gather_facts: false reads no facts'],
  gather_subset: [EXEC, 'keeps the facts of the subsets asked for'],
  gather_timeout: [EXEC, 'gather_timeout bounds the facts read'],
  handlers: [SCHED, 'handlers run once per host, in definition order'],
  hosts: [`${UNIT}/plan-listing.test.ts`, '--limit narrows every play'],
  max_fail_percentage: [SCHED, 'max_fail_percentage stops the run'],
  order: [EXEC, 'order: reverse_inventory takes the hosts from the last'],
  post_tasks: [EXEC, 'pre_tasks, tasks and post_tasks run in that order'],
  pre_tasks: [EXEC, 'pre_tasks, tasks and post_tasks run in that order'],
  roles: [`${UNIT}/plan-listing.test.ts`, 'runs the common role once'],
  role: [`${UNIT}/plan-listing.test.ts`, 'runs the common role once'],
  serial: [SCHED, 'serial: each batch runs the whole play'],
  strategy: [SCHED, 'strategy free: a fast host does not wait for a slow one'],
  tasks: [EXEC, 'pre_tasks, tasks and post_tasks run in that order'],
  vars_files: [`${UNIT}/secrets.test.ts`, 'through vars_files too'],
  delegate_to: [EXEC, 'delegate_to runs the task for one host on another'],
  delegate_facts: [EXEC, 'gives the delegate the facts, not the host the task ran for'],
  when: [`${UNIT}/exec-local.test.ts`, 'skips on when, per loop item'],
  block: [SCHED, 'block/rescue/always: always runs after a rescued failure'],
  rescue: [SCHED, 'block/rescue/always: always runs after a rescued failure'],
  always: [SCHED, 'block/rescue/always: always runs after a rescued failure'],
  notify: [SCHED, 'handlers run once per host, in definition order'],
  listen: [SCHED, 'listen topics work'],
  action: [`${UNIT}/playbook-legacy.test.ts`, 'action: takes the module as a mapping too'],
  local_action: [
    `${UNIT}/playbook-legacy.test.ts`,
    'local_action runs the module named in its value on the controller',
  ],
  args: [`${UNIT}/playbook-load.test.ts`, 'reads k=v free form, command lines and args:'],
  changed_when: [EXEC, 'register, changed_when and failed_when decide and keep the result'],
  failed_when: [EXEC, 'register, changed_when and failed_when decide and keep the result'],
  register: [EXEC, 'register, changed_when and failed_when decide and keep the result'],
  until: [EXEC, 'until retries (retries, delay) until the condition holds'],
  retries: [EXEC, 'until retries (retries, delay) until the condition holds'],
  delay: [EXEC, 'until retries (retries, delay) until the condition holds'],
  loop: [EXEC, 'loop_control names the item and index and labels the result'],
  loop_control: [EXEC, 'loop_control names the item and index and labels the result'],
};

function load(dir: string, file: string): LvsplayError | undefined {
  try {
    loadAndPlan({ playbook: file, inventory: [join(dir, 'inv.ini')], cwd: dir });
    return undefined;
  } catch (e) {
    if (e instanceof LvsplayError) return e;
    throw e;
  }
}

describe('the keyword table', () => {
  for (const k of KEYWORD_TABLE) {
    for (const scope of k.scopes) {
      if (k.refused)
        it(`${k.name} on a ${scope}: refused at its place, saying what to do`, () => {
          const dir = mkdtempSync(join(tmpdir(), 'lvsplay-kwt-'));
          const file = writeKeywordPlaybook(dir, scope, [k]);
          const err = load(dir, file);
          const d = err?.diagnostics.find((x) => x.message.includes(`'${k.name}'`));
          expect(d, err?.message).toBeDefined();
          expect(d!.message).toMatch(/is not supported by lvsplay/);
          expect(d!.hint).toBe(k.refused);
          const place = keyPlace(readFileSync(file, 'utf8'), k.name);
          expect(d!.pos).toMatchObject({ line: place.line, col: place.col });
          expect(err!.diagnostics.filter((x) => x.severity !== 'warning')).toHaveLength(1);
        });
      else
        it(`${k.name} on a ${scope}: loads`, () => {
          const dir = mkdtempSync(join(tmpdir(), 'lvsplay-kwt-'));
          const err = load(dir, writeKeywordPlaybook(dir, scope, [k]));
          expect(err?.message).toBeUndefined();
        });
    }
    if (!k.refused)
      it(`${k.name}: honoured, with a behaviour test`, () => {
        const proof = PROVED[k.name];
        expect(proof, `no behaviour test named for ${k.name}`).toBeDefined();
        const [file, title] = proof!;
        const text = readFileSync(join(import.meta.dirname, '../..', file), 'utf8');
        expect(text).toMatch(new RegExp(`it\\(\\s*['"\`][^'"\`]*${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      });
  }

  it('refuses loop_control.break_when as ansible-core 2.14 does (it came in 2.18)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-kwt-'));
    const file = writeKeywordPlaybook(dir, 'task', []);
    writeFileSync(
      file,
      '- hosts: all\n  tasks:\n    - command: "true"\n      loop: [1]\n      loop_control:\n        break_when: item == 1\n',
    );
    const d = load(dir, file)?.diagnostics;
    expect(d?.map((x) => [x.message, x.pos?.line, x.pos?.col])).toEqual([
      ["'break_when' is not a loop_control setting", 6, 9],
    ]);
  });
});
