// The loader: plays, tasks, free form, blocks, imports and includes, roles, with positions.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diagnostics.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import type { Block, Task } from '../../src/playbook/model.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-pb-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

describe('site.yaml', () => {
  it('loads without diagnostics, one play per group with its role', () => {
    const r = loadPlaybook('playbooks/site.yaml', { projectRoot: '.' });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.playbook.plays.map((p) => [p.hosts[0], p.roles.map((x) => x.name)])).toEqual([
      // Databases first, then the real servers, then the directors (the VIP moves last).
      ['dbservers', ['mysql-master']],
      ['realservers', ['realserver']],
      ['directors', ['director']],
    ]);
    const director = r.playbook.plays.find((p) => p.hosts[0] === 'directors')!.roles[0]!;
    const install = director.tasks.find((t): t is Task => t.kind === 'task' && t.action === 'package')!;
    expect(install.args).toMatchObject({ install_recommends: false, state: 'present' });
    expect(director.defaults).toMatchObject({ vrrp_router_id: 51 });
  });
});

describe('tasks', () => {
  it('reads k=v free form, command lines and args:', () => {
    const dir = project({
      'pb.yml': `- hosts: all
  tasks:
    - copy: src=a.txt dest="/tmp/a b" mode=0644
    - command: echo a=b chdir=/tmp
    - shell: cat x
      args:
        chdir: /srv
`,
      'files/a.txt': 'x',
    });
    const r = loadPlaybook(join(dir, 'pb.yml'));
    expect(r.diagnostics).toEqual([]);
    const [copy, cmd, sh] = r.playbook.plays[0]!.tasks as Task[];
    expect(copy!.args).toEqual({ src: 'a.txt', dest: '/tmp/a b', mode: '0644' });
    expect(cmd!.args).toEqual({ cmd: 'echo a=b', chdir: '/tmp' });
    expect(sh!.args).toEqual({ cmd: 'cat x', chdir: '/srv' });
  });

  it('expands import_tasks in place with its keywords, records include_tasks', () => {
    const dir = project({
      'pb.yml': `- hosts: all
  tasks:
    - import_tasks: more.yml
      when: x is defined
      tags: [more]
    - include_tasks: "{{ which }}.yml"
    - block:
        - debug: msg=in
      rescue:
        - debug: msg=out
`,
      'more.yml': '- debug: msg=more\n',
    });
    const r = loadPlaybook(join(dir, 'pb.yml'));
    expect(r.diagnostics).toEqual([]);
    const [imp, inc, blk] = r.playbook.plays[0]!.tasks as [Block, Task, Block];
    expect(imp).toMatchObject({ kind: 'block', origin: 'import_tasks', when: ['x is defined'], tags: ['more'] });
    expect((imp.block[0] as Task).args).toEqual({ msg: 'more' });
    expect(inc.include).toEqual({ kind: 'tasks', target: '{{ which }}.yml' });
    expect(blk.rescue).toHaveLength(1);
  });

  it('reports all problems of a file together, each at its place', () => {
    const dir = project({
      'pb.yml': `- hosts: all
  tasks:
    - debug: msg=a
      whenn: x
    - nosuchmodule: a=b
    - include_tasks: missing.yml
`,
    });
    const r = loadPlaybook(join(dir, 'pb.yml'));
    expect(r.diagnostics.map((d) => `${d.pos?.line}:${d.pos?.col} ${d.message}`)).toEqual([
      "4:7 'whenn' is not a valid task keyword",
      "5:7 unknown module 'nosuchmodule'",
      "6:7 include_tasks: task file 'missing.yml' not found",
    ]);
  });
});

describe('roles', () => {
  it('finds roles on roles_path, loads dependencies and role files', () => {
    const dir = project({
      'pb/pb.yml': '- hosts: all\n  roles:\n    - role: app\n      app_port: 8080\n',
      'shared/app/tasks/main.yaml': '- template: src=app.conf.j2 dest=/etc/app.conf\n',
      'shared/app/templates/app.conf.j2': 'port={{ app_port }}\n',
      'shared/app/meta/main.yml': 'dependencies: [base]\n',
      'shared/base/defaults/main.yml': 'base_dir: /srv\n',
    });
    const r = loadPlaybook(join(dir, 'pb/pb.yml'), { rolesPath: [join(dir, 'shared')] });
    expect(r.diagnostics).toEqual([]);
    const app = r.playbook.plays[0]!.roles[0]!;
    expect(app.params).toEqual({ app_port: 8080 });
    expect(app.dependencies.map((d) => [d.name, d.defaults])).toEqual([['base', { base_dir: '/srv' }]]);
  });
});
