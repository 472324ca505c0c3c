// A task's effects as a value: computed from its result by the executor without touching the
// run's state, then applied by the driver in one place, in Ansible's order.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyEffects, intendNotifications } from '../../src/exec/apply-effects.js';
import type { ConnectionPool } from '../../src/exec/connections.js';
import { hostState, newGroups, type PlayPosition, type RunContext } from '../../src/exec/context.js';
import { addResultEffects, countsOf, noEffects } from '../../src/exec/effects.js';
import type { TaskResult } from '../../src/exec/events.js';
import { HandlerJournal } from '../../src/exec/journal.js';
import { runTask } from '../../src/exec/task.js';
import { loadAndPlan } from '../../src/plan/load-and-plan.js';
import { sh } from '../../src/transport/quote.js';
import { createTemplar } from '../../src/vars/templar.js';

function setup(tasks: string) {
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-effects-'));
  writeFileSync(join(dir, 'inv.ini'), '[g]\nh1 ansible_connection=local\nh2 ansible_connection=local\n');
  writeFileSync(
    join(dir, 'play.yml'),
    `- hosts: g
  gather_facts: false
  tasks:
${tasks}
  handlers:
    - name: restart web
      debug: msg=restarting
`,
  );
  const plan = loadAndPlan({ playbook: join(dir, 'play.yml'), inventory: [join(dir, 'inv.ini')], cwd: dir });
  const run: RunContext = {
    plan,
    templar: createTemplar({ searchPath: [dir] }),
    // No task here connects anywhere: set_fact, add_host and debug run on the controller.
    pool: undefined as unknown as ConnectionPool,
    hosts: new Map(),
    emit: () => {},
    interrupted: false,
    journal: new HandlerJournal(join(dir, 'play.yml'), join(dir, '.state')),
    secrets: new Set(),
    groups: newGroups(plan),
  };
  for (const h of ['h1', 'h2']) hostState(run, h);
  const pp = plan.plays[0]!;
  const at: PlayPosition = { pp, batch: pp.hosts };
  const planned = (name: string) => pp.compiled.tasks.find((p) => p.task.name === name)!;
  return { run, at, planned };
}

const result = (status: TaskResult['status'], extra: Partial<TaskResult> = {}): TaskResult => ({
  status,
  changes: [],
  ms: 1,
  warnings: [],
  ...extra,
});

const snapshot = (run: RunContext) =>
  JSON.stringify(
    [...run.hosts.values()].map((s) => ({ ...s, notified: [...s.notified], predictedFiles: [...s.predictedFiles] })),
  );

describe('task effects', () => {
  it('counts a result as the recap does, an ignored failure that changed the host as ok, changed and ignored', () => {
    expect(countsOf(result('changed'))).toEqual({ changed: 1, ok: 1 });
    expect(countsOf(result('skipped'))).toEqual({ skipped: 1 });
    expect(countsOf(result('unknown'))).toEqual({});
    expect(countsOf(result('failed', { ignored: true, data: { changed: true } }))).toEqual({
      ok: 1,
      ignored: 1,
      changed: 1,
    });
  });

  it('a changed result registers, notifies its handler and makes the host read again; an ok one does not', () => {
    const { at, planned } = setup(`
    - name: conf
      copy: {dest: /tmp/x, content: x}
      register: r
      notify: restart web`);
    const changed = noEffects();
    addResultEffects(changed, at, planned('conf'), result('changed', { data: { dest: '/tmp/x' } }));
    expect(changed.register).toEqual({ name: 'r', value: expect.objectContaining({ changed: true, dest: '/tmp/x' }) });
    expect(changed.notified).toEqual(['restart web']);
    expect(changed.readAheadStale).toBe('host');
    expect(changed.fatal).toBeUndefined();
    const ok = noEffects();
    addResultEffects(ok, at, planned('conf'), result('ok'));
    expect(ok.notified).toEqual([]);
    expect(ok.readAheadStale).toBe('none');
    expect(ok.register?.value).toEqual(expect.objectContaining({ changed: false }));
  });

  it('a notify naming no handler is fatal with its place; a delegated change makes every host read again', () => {
    const { at, planned } = setup(`
    - name: typo
      copy: {dest: /tmp/x, content: x}
      notify: restart wbe
    - name: elsewhere
      copy: {dest: /tmp/x, content: x}
      delegate_to: h2`);
    const typo = noEffects();
    addResultEffects(typo, at, planned('typo'), result('changed'));
    expect(typo.notified).toEqual([]);
    expect(typo.fatal?.message).toContain(`'restart wbe' is not a handler of this play`);
    expect(typo.fatal?.pos?.line).toBe(7);
    const elsewhere = noEffects();
    addResultEffects(elsewhere, at, planned('elsewhere'), result('failed'));
    expect(elsewhere.readAheadStale).toBe('all');
    addResultEffects(elsewhere, at, planned('elsewhere'), result('unreachable'));
    expect(elsewhere.unreachable).toBe(true);
  });

  it('applies set_fact before register (a task doing both keeps its registered result), facts on their host', () => {
    const { run, at } = setup('    - debug: msg=x');
    const e = noEffects();
    e.facts.push(
      { host: 'h1', setFacts: { r: 'from set_fact', a: 1 } },
      { host: 'h2', facts: { distribution: 'Debian' } },
    );
    e.register = { name: 'r', value: { changed: false } };
    e.counts = { ok: 1 };
    applyEffects(run, at, 'h1', e);
    applyEffects(run, at, 'h1', { ...noEffects(), counts: { changed: 1, ok: 1 } });
    expect(run.hosts.get('h1')!.setFacts).toEqual({ r: { changed: false }, a: 1 });
    expect(run.hosts.get('h2')!.facts).toEqual({ distribution: 'Debian' });
    expect(run.hosts.get('h1')!.facts).toEqual({});
    expect(run.hosts.get('h1')!.counts).toMatchObject({ ok: 2, changed: 1, failed: 0 });
  });

  it('journals a notification as it is applied, and takes back what was intended when the task changed nothing', () => {
    const { run, at, planned } = setup(`
    - name: conf
      copy: {dest: /tmp/x, content: x}
      notify: restart web`);
    const intended = intendNotifications(run, at, planned('conf'), 'h1');
    expect(intended).toEqual(['restart web']);
    expect(run.journal.maybe(at.pp.play.name, 'h1', 'restart web')).toBe(true);
    applyEffects(run, at, 'h1', { ...noEffects(), withdrawIntended: true }, intended);
    expect(run.journal.pending(at.pp.play.name, 'h1')).toEqual([]);
    intendNotifications(run, at, planned('conf'), 'h2');
    applyEffects(run, at, 'h2', { ...noEffects(), notified: ['restart web'] });
    expect(run.hosts.get('h2')!.notified).toEqual(new Set(['restart web']));
    expect(run.journal.pending(at.pp.play.name, 'h2')).toEqual(['restart web']);
    expect(run.journal.maybe(at.pp.play.name, 'h2', 'restart web')).toBe(false);
  });

  it("writes a task's notifications on all its hosts in one go: on disk when hold returns, not before", () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const file = join(dir, 'pending-handlers.json');
    const journal = new HandlerJournal(join(dir, 'play.yml'), dir);
    const onDisk = () => (existsSync(file) ? (readFileSync(file, 'utf8').match(/"host"/g)?.length ?? 0) : 0);
    journal.hold(() => {
      journal.intend('p', 'h1', ['restart web']);
      journal.intend('p', 'h2', ['restart web']);
      expect(onDisk()).toBe(0);
    });
    expect(onDisk()).toBe(2);
    journal.hold(() => {
      journal.withdraw('p', 'h1', ['restart web']);
      journal.notified('p', 'h2', 'restart web');
      expect(onDisk()).toBe(2);
    });
    expect(onDisk()).toBe(1);
    expect(new HandlerJournal(join(dir, 'play.yml'), dir).maybe('p', 'h2', 'restart web')).toBe(false);
    // Outside a hold each change is written at once.
    journal.ran('p', 'h2', 'restart web');
    expect(onDisk()).toBe(0);
  });

  it('forgets what was read ahead on the host, or on every host, as the effects say', () => {
    const { run, at } = setup('    - debug: msg=x');
    const probe = sh`cat /etc/hostname`;
    const fill = () =>
      ['h1', 'h2'].forEach((h) => run.hosts.get(h)!.probes.put(probe, { code: 0, stdout: h, stderr: '', ms: 1 }));
    fill();
    applyEffects(run, at, 'h1', { ...noEffects(), readAheadStale: 'host' });
    expect([run.hosts.get('h1')!.probes.has(probe), run.hosts.get('h2')!.probes.has(probe)]).toEqual([false, true]);
    fill();
    applyEffects(run, at, 'h1', { ...noEffects(), readAheadStale: 'all' });
    expect([run.hosts.get('h1')!.probes.has(probe), run.hosts.get('h2')!.probes.has(probe)]).toEqual([false, false]);
  });
});

describe('the executor returns effects and writes no state', () => {
  it('a looped add_host: items changed, ok, changed as in Ansible, counted once', async () => {
    const { run, at, planned } = setup(`
    - name: add
      add_host: {name: "{{ item }}", groups: g2}
      loop: [a1, a1, a2]`);
    const r = await runTask(run, at, planned('add'), 'h1');
    expect(r.result.items!.map((i) => i.result.status)).toEqual(['changed', 'ok', 'changed']);
    expect(r.effects.counts).toEqual({ changed: 1, ok: 1 });
    expect(r.effects.forgetRenderedArgs).toBe(true);
    expect(run.hosts.get('h1')!.counts.changed).toBe(0);
  });

  it('delegate_facts: each item’s set_fact goes to the delegate, in order; register is seen by changed_when', async () => {
    const { run, at, planned } = setup(`
    - name: facts
      set_fact: {y: "{{ item }}"}
      delegate_to: h2
      delegate_facts: true
      loop: [1, 2]
    - name: seen
      set_fact: {z: 1}
      register: r
      changed_when: r.failed == false`);
    const before = snapshot(run);
    const facts = await runTask(run, at, planned('facts'), 'h1');
    const seen = await runTask(run, at, planned('seen'), 'h1');
    expect(snapshot(run)).toBe(before);
    expect(facts.effects.facts).toEqual([
      { host: 'h2', setFacts: { y: 1 } },
      { host: 'h2', setFacts: { y: 2 } },
    ]);
    expect(seen.result.status).toBe('changed');
    applyEffects(run, at, 'h1', facts.effects);
    applyEffects(run, at, 'h1', seen.effects);
    expect(run.hosts.get('h2')!.setFacts).toEqual({ y: 2 });
    expect(run.hosts.get('h1')!.setFacts).toMatchObject({ z: 1, r: expect.objectContaining({ changed: true }) });
  });

  it('a notify of a handler the play lacks comes back as a fatal effect, not as run state', async () => {
    const { run, at, planned } = setup(`
    - name: typo
      set_fact: {x: 1}
      changed_when: true
      notify: restart wbe`);
    const r = await runTask(run, at, planned('typo'), 'h1');
    expect(run.fatal).toBeUndefined();
    expect(r.effects.fatal?.message).toContain('restart wbe');
    applyEffects(run, at, 'h1', r.effects);
    expect(run.fatal?.message).toContain('restart wbe');
    expect(run.hosts.get('h1')!.notified.size).toBe(0);
  });
});
