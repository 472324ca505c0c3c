// One lvsplay module serves several Ansible names (service/systemd/sysvinit, package/apt/dnf/yum,
// setup/gather_facts...), so its schema takes arguments that Ansible's module of a given name
// refuses ("Unsupported parameters"). Every such pair, found by walking the registry against the
// option lists generated from ansible-core, must be refused by lvsplay at load and by
// ansible-playbook where the task runs, unless beyond-ansible.ts takes it on purpose.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BEYOND_ANSIBLE, beyondAnsible } from '../../src/modules/beyond-ansible.js';
import { argNamesOf } from '../../src/modules/check.js';
import { ansibleModuleOf, ansibleOptionsOf } from '../../src/modules/ansible-names.js';
import { MODULES } from '../../src/modules/registry.js';
import { ansiblePlaybook, lvsplayRun } from '../helpers/compat.js';

interface Pair {
  name: string;
  arg: string;
}

/**
 * Every (module name, argument) lvsplay's schema takes and Ansible's module of that name lacks;
 * one name per Ansible module (`systemd` and `ansible.builtin.systemd` run the same).
 */
function beyondPairs(): { refused: Pair[]; taken: Pair[] } {
  const refused: Pair[] = [];
  const taken: Pair[] = [];
  const seen = new Set<string>();
  for (const m of MODULES)
    for (const name of [m.name, ...(m.aliases ?? [])]) {
      const options = ansibleOptionsOf(name);
      const fqcn = ansibleModuleOf(name);
      if (!options || seen.has(fqcn!)) continue;
      seen.add(fqcn!);
      for (const arg of argNamesOf(m)) {
        if (arg === m.freeForm || options.includes(arg)) continue;
        (beyondAnsible(fqcn).includes(arg) ? taken : refused).push({ name, arg });
      }
    }
  return { refused, taken };
}

/**
 * What lets Ansible's module reach its argument check (any other mistake is reported first): a
 * name where it takes one, `enabled` to meet the service modules' "one of state, enabled", and for yum the backend it runs on an rpm host (it asks the host's
 * package manager first).
 */
function settings(p: Pair): string {
  const has = (k: string) => ansibleOptionsOf(p.name)!.includes(k) && p.arg !== k;
  const named = (has('name') ? ', name: lvsplay-none' : '') + (has('enabled') ? ', enabled: false' : '');
  const yum = ansibleModuleOf(p.name) === 'ansible.builtin.yum' && p.arg !== 'use' ? ', use: yum' : '';
  return named + yum;
}

const play = (pairs: Pair[]) =>
  '- hosts: localhost\n  gather_facts: no\n  tasks:\n' +
  pairs
    .map(
      (p) =>
        `    - name: ${p.name} ${p.arg}\n      ${p.name}: { ${p.arg}: "x"${settings(p)} }\n      ignore_errors: yes\n`,
    )
    .join('');

describe('arguments one lvsplay module takes under a name whose Ansible module lacks them', () => {
  const { refused, taken } = beyondPairs();

  it('the list taken on purpose names only arguments lvsplay takes and Ansible lacks', () => {
    for (const [fqcn, { args }] of Object.entries(BEYOND_ANSIBLE))
      for (const arg of args) expect(taken, `${fqcn} ${arg}`).toContainEqual(expect.objectContaining({ arg }));
    // The walk finds the names of the modules that serve several (systemd's sleep at least).
    expect(refused).toContainEqual({ name: 'systemd', arg: 'sleep' });
  });

  it('ansible-playbook fails each refused pair as unsupported; lvsplay refuses it at its line', async () => {
    console.log(`${refused.length} pairs refused, ${taken.length} taken on purpose`);
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-modargs-'));
    writeFileSync(join(dir, 'play.yml'), play(refused));
    // Every module checks its arguments before it does anything: the tasks only fail, locally.
    const theirs = await ansiblePlaybook(['-i', 'localhost,', '-c', 'local', 'play.yml'], dir, {
      ANSIBLE_STDOUT_CALLBACK: 'json',
    });
    const results = (JSON.parse(theirs.out) as { plays: { tasks: { hosts: { localhost: { msg?: string } } }[] }[] })
      .plays[0]!.tasks;
    expect(results).toHaveLength(refused.length);
    refused.forEach((p, i) =>
      expect(results[i]!.hosts.localhost.msg, `${p.name} ${p.arg}`).toMatch(
        new RegExp(`^Unsupported parameters for \\(.*\\) module: ${p.arg}\\.`),
      ),
    );
    const ours = await lvsplayRun(['--syntax-check', '-i', 'localhost,', 'play.yml'], dir);
    expect(ours.code).toBe(4);
    refused.forEach((p, i) =>
      expect(ours.err, `${p.name} ${p.arg}`).toContain(
        `play.yml:${5 + 3 * i}:${p.name.length + 11}: module '${p.name}' has no argument '${p.arg}'`,
      ),
    );
  }, 180_000);

  it('lvsplay takes the pairs it takes on purpose', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-modargs-'));
    writeFileSync(join(dir, 'play.yml'), play(taken));
    // (other mistakes of these made-up tasks, such as a missing name, do not matter here)
    const ours = await lvsplayRun(['--syntax-check', '-i', 'localhost,', 'play.yml'], dir);
    expect(ours.err).not.toContain('has no argument');
    // the tasks were checked: the made-up values get their own diagnostics
    expect(ours.err).toContain('play.yml:5:');
  });
});
