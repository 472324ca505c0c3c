// What `lvsplay run --list-*` shows: ansible-playbook's layout, tags as Ansible selects them,
// roles deduplicated, serial batches, --limit.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAndPlan } from '../../src/plan/load-and-plan.js';
import { runCli } from '../helpers/cli.js';

const dir = join(import.meta.dirname, '../fixtures/playbooks/listing');
const pb = join(dir, 'site.yml');
const inv = join(dir, 'hosts.ini');

const cli = (args: string[]) => runCli(args);
afterEach(() => {
  process.exitCode = undefined;
});

const taskNames = (tags: string[] = [], skip: string[] = []) =>
  loadAndPlan({ playbook: pb, inventory: [inv], tags, skipTags: skip }).plays[0]!.compiled.tasks.map(
    (t) => t.task.name ?? t.task.action,
  );

describe('done when', () => {
  it('lists the director role tasks and none of the database role for --limit directors', async () => {
    const r = await cli([
      'run',
      'playbooks/site.yaml',
      '-i',
      'inventory/lab.ini',
      '--list-tasks',
      '--limit',
      'directors',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {6}director : .*keepalived.*\tTAGS: \[/m);
    expect(r.out).not.toContain('mysql-master :');
    expect(r.out).not.toMatch(/mariadb/i);
  });
});

describe('listing layout', () => {
  it('prints hosts and tasks as ansible-playbook does', async () => {
    const r = await cli(['run', pb, '-i', inv, '--list-hosts', '--list-tasks']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        '',
        `playbook: ${pb}`,
        '',
        '  play #1 (directors): Load balancers\tTAGS: [lb]',
        "    pattern: ['directors']",
        '    hosts (2):',
        '      lvs1',
        '      lvs2',
        '    tasks:',
        '      Always check\tTAGS: [always, lb]',
        '      common : Set the time zone\tTAGS: [lb, time]',
        '      lb : Install keepalived\tTAGS: [lb]',
        // ansible-playbook 2.14 lists common's task a second time here (as lb's dependency; it is
        // skipped when run); lvsplay lists a role that will not run again only once.
        '      Inside the block\tTAGS: [blk, lb]',
        // Rescue and always tasks are not listed by ansible-playbook 2.14.
        '      Extra step\tTAGS: [extra, lb]',
        '      include_tasks\tTAGS: [lb]',
        '',
        '  play #2 (realservers): realservers\tTAGS: []',
        "    pattern: ['realservers']",
        '    hosts (5):',
        '      web1',
        '      web2',
        '      web3',
        '      web4',
        '      web5',
        '    tasks:',
        '      debug\tTAGS: []',
        '',
      ].join('\n'),
    );
  });

  it('lists every tag with --list-tags, including those only selected by name', async () => {
    const r = await cli(['run', pb, '-i', inv, '--list-tags']);
    expect(r.out).toContain('      TASK TAGS: [always, blk, extra, lb, time]\n');
  });

  it('--syntax-check prints the playbook and exits 0', async () => {
    const r = await cli(['run', pb, '-i', inv, '--syntax-check']);
    expect(r).toMatchObject({ code: 0, out: `\nplaybook: ${pb}\n` });
  });
});

describe('tags', () => {
  it('runs the common role once although lb depends on it and the play lists it too', () => {
    expect(taskNames().filter((n) => n === 'Set the time zone')).toHaveLength(1);
  });
  it('--tags selects tagged tasks plus always, inherited from roles and blocks', () => {
    expect(taskNames(['time'])).toEqual(['Always check', 'Set the time zone']);
    expect(taskNames(['blk'])).toEqual(['Always check', 'Inside the block', 'Rescue step']);
  });
  it('never-tagged tasks run only when named', () => {
    expect(taskNames()).not.toContain('Debug only when asked');
    expect(taskNames(['debug'])).toContain('Debug only when asked');
  });
  it('--skip-tags drops tasks, and skipping all keeps only always', () => {
    expect(taskNames([], ['extra'])).not.toContain('Extra step');
    expect(taskNames([], ['all'])).toEqual(['Always check']);
  });
});

describe('hosts and batches', () => {
  it('cuts serial batches as Ansible does (list, percentages of all hosts)', () => {
    const plan = loadAndPlan({ playbook: pb, inventory: [inv] });
    expect(plan.plays[0]!.batches).toEqual([['lvs1'], ['lvs2']]);
    expect(plan.plays[1]!.batches).toEqual([['web1', 'web2'], ['web3', 'web4'], ['web5']]);
  });
  it('--limit narrows every play; a play left without hosts lists no tasks', async () => {
    const plan = loadAndPlan({ playbook: pb, inventory: [inv], limit: 'web2:web4' });
    expect(plan.plays.map((p) => p.hosts)).toEqual([[], ['web2', 'web4']]);
    const r = await cli(['run', pb, '-i', inv, '--list-tasks', '--limit', 'web2']);
    expect(r.out).not.toContain('Install keepalived');
    expect(r.out).toContain('      debug\tTAGS: []');
  });
  it('finds playbooks/NAME from the project root', async () => {
    const r = await cli(['run', 'site.yaml', '-i', 'inventory/lab.ini', '--list-hosts', '--limit', 'lvs1']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('playbook: playbooks/site.yaml');
    expect(r.out).toContain('    hosts (1):\n      lvs1\n');
  });
});

describe('ansible.cfg', () => {
  it('takes the inventory, roles_path and forks from ansible.cfg in the current directory', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const d = mkdtempSync(join(tmpdir(), 'lvsplay-cfg-'));
    writeFileSync(join(d, 'ansible.cfg'), '[defaults]\ninventory = hosts.ini\nroles_path = shared\nforks = 7\n');
    writeFileSync(join(d, 'hosts.ini'), '[directors]\nlvs1\n');
    mkdirSync(join(d, 'shared/lb/tasks'), { recursive: true });
    writeFileSync(join(d, 'shared/lb/tasks/main.yml'), '- name: from shared\n  debug: msg=hi\n');
    writeFileSync(join(d, 'pb.yml'), '- hosts: directors\n  roles: [lb]\n');
    const plan = loadAndPlan({ playbook: 'pb.yml', cwd: d });
    expect(plan.forks).toBe(7);
    expect(plan.plays[0]!.hosts).toEqual(['lvs1']);
    expect(plan.plays[0]!.compiled.tasks.map((t) => t.task.name)).toEqual(['from shared']);
  });
});
