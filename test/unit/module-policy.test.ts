// What lvsplay does with a module or argument that Ansible has and lvsplay lacks: the playbook
// loads with a warning at the task's place, and only a host the task runs on fails. A name no
// installed collection has stays a load error with "did you mean".
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAndPlan } from '../../src/plan/load-and-plan.js';
import { executePlan } from '../../src/exec/scheduler.js';
import { RecordingReporter } from '../../src/report/recording.js';
import { createTemplar } from '../../src/vars/templar.js';
import { LvsplayError } from '../../src/diagnostics.js';
import { ansibleModuleOf, ansibleOptionsOf } from '../../src/modules/ansible-names.js';

function write(text: string): { dir: string; playbook: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-policy-'));
  writeFileSync(join(dir, 'play.yml'), text);
  return { dir, playbook: join(dir, 'play.yml') };
}

const plan = (text: string) => {
  const { dir, playbook } = write(text);
  return loadAndPlan({ playbook, inventory: ['localhost,'], cwd: dir });
};

function loadErrors(text: string): string[] {
  try {
    plan(text);
  } catch (e) {
    if (e instanceof LvsplayError)
      return e.diagnostics.map((d) => `${d.pos?.line}:${d.pos?.col} ${d.message}; ${d.hint}`);
    throw e;
  }
  return [];
}

async function run(text: string) {
  const p = plan(text);
  const rec = new RecordingReporter();
  const r = await executePlan(p, {
    templar: createTemplar({ searchPath: [] }),
    emit: (e) => rec.onEvent(e),
    journalDir: mkdtempSync(join(tmpdir(), 'lvsplay-policy-state-')),
  });
  return { ...r, rec, warnings: p.warnings };
}

describe('the names Ansible resolves', () => {
  it('come from ansible-core and the collections installed with it', () => {
    expect(ansibleModuleOf('pacman')).toBe('community.general.pacman');
    expect(ansibleModuleOf('community.general.modprobe')).toBe('community.general.modprobe');
    expect(ansibleModuleOf('ansible.posix.seboolean')).toBe('ansible.posix.seboolean');
    expect(ansibleModuleOf('ansible.legacy.uri')).toBe('ansible.builtin.uri');
    expect(ansibleModuleOf('community.mysql.mysql_query')).toBe('community.mysql.mysql_query');
    expect(ansibleModuleOf('pacmna')).toBeUndefined();
    expect(ansibleModuleOf('toString')).toBeUndefined();
    // Options include those of the documentation fragments a module extends.
    expect(ansibleOptionsOf('file')).toEqual(expect.arrayContaining(['setype', 'seuser', 'mode', 'owner']));
    expect(ansibleOptionsOf('apt')).toContain('policy_rc_d');
  });
});

describe('a module Ansible has and lvsplay does not', () => {
  const play = `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Arch only
      community.general.pacman:
        name: mariadb
      when: ansible_os_family | default('Debian') == 'Archlinux'
    - name: after it
      command: "true"
      changed_when: false
`;
  it('loads with one warning naming its place', () => {
    const p = plan(play);
    const w = p.warnings.filter((d) => d.message.includes('pacman'));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ severity: 'warning', pos: { file: 'play.yml', line: 6, col: 7 } });
    expect(w[0]!.message).toContain("module 'community.general.pacman' is not implemented by lvsplay");
  });

  it('is skipped like any task where it does not run, and the host carries on', async () => {
    const r = await run(play);
    expect(r.exitCode).toBe(0);
    expect(r.rec.results('localhost').map((x) => [x.task, x.status])).toEqual([
      ['Arch only', 'skipped'],
      ['after it', 'ok'],
    ]);
  });

  it('fails the host it runs on, with a clear message', async () => {
    const r = await run(play.replace("default('Debian')", "default('Archlinux')"));
    expect(r.exitCode).toBe(2);
    const res = r.rec.results('localhost');
    expect(res.map((x) => [x.task, x.status])).toEqual([['Arch only', 'failed']]);
    expect(res[0]!.result.msg).toBe(
      "module 'community.general.pacman' is not implemented by lvsplay: this host cannot run the task",
    );
  });

  it('short names Ansible redirects are known too', () => {
    expect(plan(play.replace('community.general.pacman', 'pacman')).warnings[0]!.message).toContain(
      "module 'pacman' (community.general.pacman) is not implemented",
    );
  });
});

describe('a name no collection has', () => {
  it('is a load error with "did you mean", over lvsplay and Ansible names', () => {
    const errs = loadErrors(`
- hosts: localhost
  gather_facts: false
  tasks:
    - pacmna: name=x
    - comand: ls
`);
    expect(errs).toEqual([
      "5:7 unknown module 'pacmna'; did you mean 'pacman'?",
      "6:7 unknown module 'comand'; did you mean 'command'?",
    ]);
  });
});

describe('an argument Ansible has and lvsplay does not', () => {
  const play = (value: string) => `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: db dir
      file:
        path: /tmp
        state: directory
        attributes: ${value}
`;
  it('loads with a warning at the argument', () => {
    const w = plan(play('+i')).warnings;
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ pos: { line: 9, col: 9 } });
    expect(w[0]!.message).toContain("argument 'attributes' of module 'file' (ansible.builtin.file) is not implemented");
  });

  it('fails the host when given, and is no obstacle when omitted', async () => {
    const given = await run(play('+i'));
    expect(given.exitCode).toBe(2);
    expect(given.rec.results('localhost')[0]!.result.msg).toContain("argument 'attributes' of module 'file'");
    const omitted = await run(play('"{{ omit }}"'));
    expect(omitted.exitCode).toBe(0);
    expect(omitted.rec.results('localhost')[0]!.status).toBe('ok');
  });

  it('a misspelt argument stays a load error', () => {
    expect(loadErrors(play('x').replace('attributes:', 'atributes:'))).toEqual([
      "9:9 module 'file' has no argument 'atributes'; did you mean 'attributes'?",
    ]);
  });
});
