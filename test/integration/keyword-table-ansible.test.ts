// The keyword table against ansible-core 2.14 itself: its places are exactly the field
// attributes of Ansible's Play, RoleInclude, Block, Task and Handler classes, a playbook carrying
// every keyword of a place passes ansible-playbook --syntax-check, and lvsplay loads that same
// playbook refusing exactly the keywords the table marks refused, each at its line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEYWORD_TABLE, type KeywordScope } from '../../src/playbook/keyword-table.js';
import { ansiblePlaybook, lvsplayRun } from '../helpers/compat.js';
import { writeKeywordPlaybook } from '../helpers/keyword-playbooks.js';

const CLASSES: Record<KeywordScope, string> = {
  play: 'ansible.playbook.play:Play',
  role: 'ansible.playbook.role.include:RoleInclude',
  block: 'ansible.playbook.block:Block',
  task: 'ansible.playbook.task:Task',
  handler: 'ansible.playbook.handler:Handler',
};
/** Attributes Ansible sets itself (async_val is async:, loop_with is with_<lookup>:). */
const INTERNAL = new Set(['async_val', 'loop_with']);
/** Keys Ansible's task argument parser takes that are no attribute. */
const PARSER_KEYS: Partial<Record<KeywordScope, string[]>> = { task: ['local_action'], handler: ['local_action'] };
const SCOPES = Object.keys(CLASSES) as KeywordScope[];

function ansibleAttributes(): Record<KeywordScope, string[]> {
  const script = `
import importlib, json
out = {}
for scope, spec in ${JSON.stringify(CLASSES)}.items():
    mod, cls = spec.split(':')
    out[scope] = sorted(getattr(importlib.import_module(mod), cls).fattributes)
print(json.dumps(out))`;
  // The Debian python that ansible-playbook runs with, whatever python3 the PATH offers first.
  const python = execFileSync('sh', ['-c', 'head -1 "$(command -v ansible-playbook)" | sed "s/^#! *//"'], {
    encoding: 'utf8',
  }).trim();
  return JSON.parse(execFileSync(python.split(' ')[0]!, ['-c', script], { encoding: 'utf8' })) as Record<
    KeywordScope,
    string[]
  >;
}

describe('the keyword table matches ansible-core 2.14', () => {
  it('has each keyword exactly where Ansible accepts it', () => {
    const attrs = ansibleAttributes();
    for (const scope of SCOPES) {
      const ansible = [...attrs[scope].filter((a) => !INTERNAL.has(a)), ...(PARSER_KEYS[scope] ?? [])].sort();
      const ours = [...new Set(KEYWORD_TABLE.filter((k) => k.scopes.includes(scope)).map((k) => k.name))].sort();
      expect(ours, scope).toEqual(ansible);
    }
  });

  for (const scope of SCOPES)
    it(`a ${scope} with every keyword: ansible-playbook loads it, lvsplay refuses exactly the refused ones`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lvsplay-kwa-'));
      // local_action and action name the module twice; local_action is checked on its own.
      const all = KEYWORD_TABLE.filter((k) => k.scopes.includes(scope) && k.name !== 'local_action');
      const file = writeKeywordPlaybook(dir, scope, all);
      const args = ['-i', 'inv.ini', '--syntax-check', file];
      const [ansible, ours] = await Promise.all([ansiblePlaybook(args, dir), lvsplayRun(args, dir)]);
      expect(ansible.code, ansible.err).toBe(0);
      const refused = all.filter((k) => k.refused).map((k) => k.name);
      const named = [...ours.err.matchAll(/'(\w+)' is not supported by lvsplay/g)].map((m) => m[1]);
      expect(named.sort()).toEqual(refused.sort());
      expect(ours.code).toBe(refused.length ? 4 : 0);
      if (PARSER_KEYS[scope]) {
        const single = writeKeywordPlaybook(
          dir,
          scope,
          KEYWORD_TABLE.filter((k) => k.name === 'local_action'),
        );
        const [a, o] = await Promise.all([
          ansiblePlaybook(['-i', 'inv.ini', '--syntax-check', single], dir),
          lvsplayRun(['-i', 'inv.ini', '--syntax-check', single], dir),
        ]);
        expect([a.code, o.code]).toEqual([0, 0]);
      }
    });

  it('loop_control.break_when (Ansible 2.18) is refused by both, with the same exit code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-kwa-'));
    writeKeywordPlaybook(dir, 'task', []);
    writeFileSync(
      join(dir, 'play.yml'),
      '- hosts: all\n  tasks:\n    - command: "true"\n      loop: [1]\n      loop_control:\n        break_when: item == 1\n',
    );
    const args = ['-i', 'inv.ini', '--syntax-check', 'play.yml'];
    const [ansible, ours] = await Promise.all([ansiblePlaybook(args, dir), lvsplayRun(args, dir)]);
    expect(ansible.err).toMatch(/'break_when' is not a valid attribute for a LoopControl/);
    expect(ours.err).toMatch(/play\.yml:6:9: .*'break_when' is not a loop_control setting/);
    expect(ours.code).toBe(ansible.code);
  });
});
