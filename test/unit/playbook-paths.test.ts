// Paths and names found as ansible-playbook 2.14 finds them: vars_files in the playbook's vars/,
// roles of a playbook-adjacent collection, plays on groups made at run time by group_by.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAndPlan } from '../../src/plan/load-and-plan.js';
import { formatListing } from '../../src/plan/listing.js';
import { LvsplayError } from '../../src/diagnostics.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-paths-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const plan = (dir: string) =>
  loadAndPlan({ playbook: join(dir, 'play.yml'), inventory: [join(dir, 'hosts.ini')], cwd: dir });
const HOSTS = '[web]\nw1\nw2\n';

describe('vars_files', () => {
  it("is looked for in the playbook's vars/ first, then beside it", () => {
    const dir = project({
      'hosts.ini': HOSTS,
      'play.yml': '- hosts: web\n  vars_files: [app.yml]\n  tasks:\n    - debug: msg={{ port }}\n',
      'vars/app.yml': 'port: 8080\n',
      'app.yml': 'port: 1\n',
    });
    expect(plan(dir).plays[0]!.play.varsFiles.map((v) => [v.path, v.vars.port])).toEqual([
      [join(dir, 'vars/app.yml'), 8080],
    ]);
  });
});

describe('roles of a collection beside the playbook', () => {
  const files = {
    'hosts.ini': HOSTS,
    'collections/ansible_collections/acme/lvs/roles/check/tasks/main.yml': '- name: check it\n  command: "true"\n',
  };
  it('are found by FQCN and listed by it', () => {
    const dir = project({ ...files, 'play.yml': '- hosts: web\n  roles: [acme.lvs.check]\n' });
    expect(formatListing(plan(dir), { hosts: false, tasks: true, tags: false })).toContain(
      '      acme.lvs.check : check it\tTAGS: []\n',
    );
  });
  it("are found by short name through the play's collections:", () => {
    const dir = project({ ...files, 'play.yml': '- hosts: web\n  collections: [acme.lvs]\n  roles: [check]\n' });
    expect(plan(dir).plays[0]!.compiled.roles.map((r) => r.name)).toEqual(['acme.lvs.check']);
  });
});

describe('a play on a group made at run time', () => {
  const play = (byGroup: string) =>
    `- hosts: all\n  tasks:\n    - ${byGroup}\n- hosts: os_Debian\n  tasks:\n    - debug: msg=hi\n`;
  it('is a warning when the playbook has a group_by task, and its tasks are listed', () => {
    const dir = project({ 'hosts.ini': HOSTS, 'play.yml': play('group_by: key=os_{{ ansible_os_family }}') });
    const p = plan(dir);
    expect(p.warnings.map((w) => w.message)).toContain(
      "host pattern 'os_Debian' matches no hosts in the inventory; a group_by or add_host task of the playbook may create it at run time",
    );
    expect(formatListing(p, { hosts: false, tasks: true, tags: false })).toContain('      debug\tTAGS: []\n');
  });
  it('stays an error without one (a misspelt group)', () => {
    const dir = project({ 'hosts.ini': HOSTS, 'play.yml': play('debug: msg=x') });
    expect(() => plan(dir)).toThrow(LvsplayError);
  });
});
