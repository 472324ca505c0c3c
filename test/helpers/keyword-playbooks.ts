// Playbooks that carry given keywords at a given place (play, roles: entry, block, task or
// handler), with a value of the keyword's type, for the tests that walk the keyword table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KeywordScope, KeywordSpec } from '../../src/playbook/keyword-table.js';

const COMMAND = { command: 'true' };

/** A value Ansible 2.14 loads for the keyword (some need a particular word). */
export function sampleValue(k: KeywordSpec, scope: KeywordScope): unknown {
  const named: Record<string, unknown> = {
    connection: 'local',
    become_method: 'sudo',
    become_user: 'root',
    remote_user: 'root',
    become_exe: 'sudo',
    become_flags: '-H',
    debugger: 'never',
    strategy: 'linear',
    order: 'inventory',
    hosts: 'all',
    delegate_to: 'localhost',
    register: 'r',
    role: 'r',
    name: scope === 'handler' ? 'h' : scope === 'role' ? 'r' : 'n',
    notify: ['h'],
    listen: ['t'],
    tags: ['t'],
    collections: ['ansible.builtin'],
    gather_subset: ['all'],
    vars_files: [],
    roles: [],
    handlers: [],
    vars_prompt: [{ name: 'p', prompt: 'P' }],
    serial: 1,
    fact_path: '/tmp',
    loop: [1],
    action: 'ansible.builtin.command true',
    local_action: 'ansible.builtin.command true',
    args: { chdir: '/' },
    vars: { v: 1 },
    max_fail_percentage: 50,
    port: 22,
    async: 10,
    poll: 0,
    retries: 1,
    delay: 0,
    loop_control: { label: 'x' },
  };
  if (k.name in named) return named[k.name];
  switch (k.type) {
    case 'bool':
      return true;
    case 'int':
      return 5;
    case 'list':
      return ['x'];
    case 'mapping':
      return {};
    case 'condition':
      return 'true';
    case 'tasks':
      return [COMMAND];
    default:
      return 'x';
  }
}

/**
 * Writes DIR/play.yml (and a role r) with `keywords` at `scope`; returns the playbook's path.
 * A task that takes action/local_action has no other module; loop_control gets a loop.
 */
export function writeKeywordPlaybook(dir: string, scope: KeywordScope, keywords: KeywordSpec[]): string {
  mkdirSync(join(dir, 'roles/r/tasks'), { recursive: true });
  writeFileSync(join(dir, 'roles/r/tasks/main.yml'), stringify([COMMAND]));
  const kw = Object.fromEntries(keywords.map((k) => [k.name, sampleValue(k, scope)]));
  const names = new Set(keywords.map((k) => k.name));
  const task = (extra: Record<string, unknown>) => ({
    ...(names.has('action') || names.has('local_action') ? {} : COMMAND),
    ...(names.has('loop_control') && !names.has('loop') ? { loop: [1] } : {}),
    ...extra,
  });
  const play: Record<string, unknown> = { hosts: 'all', gather_facts: false };
  const handler = { name: 'h', ...COMMAND };
  if (scope === 'play') Object.assign(play, { tasks: [COMMAND] }, kw);
  else if (scope === 'role') play.roles = [{ role: 'r', ...kw }];
  else if (scope === 'block') play.tasks = [{ block: [COMMAND], ...kw }];
  else if (scope === 'task') Object.assign(play, { tasks: [task(kw)], handlers: [handler] });
  else Object.assign(play, { tasks: [{ ...COMMAND, notify: ['h'] }], handlers: [task({ name: 'h', ...kw })] });
  const file = join(dir, 'play.yml');
  writeFileSync(file, stringify([play]));
  writeFileSync(join(dir, 'inv.ini'), 'localhost ansible_connection=local\n');
  writeFileSync(join(dir, 'ansible.cfg'), '[defaults]\nroles_path = roles\n');
  return file;
}

/** The line and column (1-based) of `key:` in a file, where a located diagnostic must point. */
export function keyPlace(text: string, key: string): { line: number; col: number } {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => new RegExp(`^[\\s-]*${key}:`).test(l));
  const col = lines[line]!.search(new RegExp(`${key}:`)) + 1;
  return { line: line + 1, col };
}
