import { describe, expect, test } from 'vitest';
import { PassThrough } from 'node:stream';
import type { RunEvent, TaskRef, TaskResult } from '../../src/exec/events.js';
import { closeAll, createReporters, emitTo } from '../../src/report/index.js';

const D1 = 'director1';
const D2 = 'director2';
const res = (status: TaskResult['status'], more: Partial<TaskResult> = {}): TaskResult => ({
  status,
  changes: [],
  ms: 40,
  warnings: [],
  ...more,
});
const install: TaskRef = { name: 'keepalived : Install keepalived', role: 'keepalived' };
const sudo: TaskRef = { name: 'Become root' };

/** A terminal stand-in: what a user would see once the cursor movements are applied is in `text`. */
function terminal(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; columns: number; rows: number };
  stream.isTTY = true;
  stream.columns = 100;
  stream.rows = 40;
  let raw = '';
  stream.on('data', (c: Buffer) => (raw += c.toString()));
  return { stream, text: () => raw.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '') };
}

async function draw(events: RunEvent[], secrets: string[] = []): Promise<string> {
  const term = terminal();
  const reporters = createReporters({
    format: 'auto',
    verbosity: 0,
    diff: true,
    check: false,
    stream: term.stream,
    isTTY: true,
    ci: false,
    colour: false,
    secrets,
  });
  expect(reporters.map((r) => r.constructor.name)).toEqual(['TreeReporter']);
  for (const e of events) {
    emitTo(reporters, e);
    // Results arrive over time, as from real hosts.
    await new Promise((r) => setTimeout(r, 2));
  }
  await closeAll(reporters);
  return term.text();
}

/** The last frame drawn for a task: from its final title line to the next blank line. */
function lastFrame(text: string, title: string): string {
  const at = text.lastIndexOf(title);
  expect(at).toBeGreaterThan(-1);
  return text.slice(at).split('\n').slice(0, 3).join('\n');
}

describe('tree reporter (TTY)', () => {
  test('draws plays, tasks and each host with its status and time', async () => {
    const text = await draw([
      { type: 'runStart', playbook: 'site.yml', check: false, diff: true, hosts: [D1, D2] },
      { type: 'playStart', name: 'Directors', pattern: 'directors', hosts: [D1, D2] },
      { type: 'taskStart', task: install, hosts: [D1, D2] },
      { type: 'taskResult', task: install, host: D2, result: res('ok') },
      {
        type: 'taskResult',
        task: install,
        host: D1,
        result: res('changed', {
          ms: 1250,
          changes: [
            {
              summary: 'priority',
              diff: {
                before: 'priority 100\n',
                after: 'priority 150\n',
                beforeHeader: '/etc/keepalived/keepalived.conf',
                afterHeader: '/etc/keepalived/keepalived.conf',
              },
            },
          ],
        }),
      },
      { type: 'playEnd', name: 'Directors' },
      { type: 'runEnd', recap: {}, ms: 2000, exitCode: 0, interrupted: false },
    ]);
    expect(text).toContain('PLAY [Directors] 2 hosts');
    const frame = lastFrame(text, '✔ TASK [keepalived : Install keepalived]');
    expect(frame).toMatch(/✔ TASK \[keepalived : Install keepalived\] \[[0-9.]+s\]/);
    expect(frame).toContain('✔ director1 changed 1.3s');
    expect(frame).toContain('✔ director2 ok 40ms');
    // The diff is printed beneath the finished task and names its host, as Ansible's lines do.
    expect(text).toContain(
      '--- before: /etc/keepalived/keepalived.conf\n+++ after: /etc/keepalived/keepalived.conf\n@@ -1,1 +1,1 @@\n-priority 100\n+priority 150\n\nchanged: [director1]\n',
    );
    // A plain ok has nothing more to say than its row.
    expect(text).not.toContain('ok: [director2]');
    expect(text).toContain('PLAY RECAP ****');
    expect(text).toContain('Playbook run took 0 days, 0 hours, 0 minutes, 2.00 seconds');
  });

  test('failures are marked and their messages printed beneath, secrets masked', async () => {
    const text = await draw(
      [
        { type: 'playStart', name: 'p', pattern: 'all', hosts: [D1, D2] },
        { type: 'taskStart', task: sudo, hosts: [D1, D2] },
        {
          type: 'taskResult',
          task: sudo,
          host: D1,
          result: res('failed', { msg: 'sudo: wrong password Xyzzy-99', rc: 1 }),
        },
        { type: 'taskResult', task: sudo, host: D2, result: res('unreachable', { msg: 'connect ECONNREFUSED' }) },
      ],
      ['Xyzzy-99'],
    );
    const frame = lastFrame(text, 'TASK [Become root]');
    expect(frame).toContain('✖ director1 failed 40ms');
    expect(frame).toContain('✖ director2 unreachable 40ms');
    expect(text).toContain(
      'fatal: [director1]: FAILED! => {"changed": false, "msg": "sudo: wrong password ********", "rc": 1}',
    );
    expect(text).toContain(
      'fatal: [director2]: UNREACHABLE! => {"changed": false, "msg": "connect ECONNREFUSED", "unreachable": true}',
    );
    expect(text).not.toContain('Xyzzy-99');
  });

  test('a host that never reports does not keep the run waiting', async () => {
    const started = Date.now();
    const text = await draw([
      { type: 'playStart', name: 'p', pattern: 'all', hosts: [D1, D2] },
      { type: 'taskStart', task: install, hosts: [D1, D2] },
      { type: 'taskResult', task: install, host: D1, result: res('ok') },
      { type: 'playEnd', name: 'p' },
    ]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(text).toContain('director2: no result');
  });

  test('no_log results show only the status; skipped and ignored are labelled', async () => {
    const text = await draw([
      { type: 'taskStart', task: install, hosts: [D1, D2] },
      {
        type: 'taskResult',
        task: install,
        host: D1,
        result: res('failed', { noLog: true, ignored: true, msg: 'hunter2' }),
      },
      { type: 'taskResult', task: install, host: D2, result: res('skipped') },
    ]);
    expect(text).toContain('director1 failed (ignored)');
    expect(text).toContain('...ignoring');
    expect(text).toContain(
      "the output has been hidden due to the fact that 'no_log: true' was specified for this result",
    );
    expect(text).toContain('director2 skipped');
    expect(text).not.toContain('hunter2');
  });
  test('a task on more hosts than the terminal shows gets one summary row, naming the failed hosts', async () => {
    const hosts = Array.from({ length: 60 }, (_, i) => `web${String(i).padStart(2, '0')}`);
    const failing = new Set(['web07', 'web42']);
    const text = await draw([
      { type: 'runStart', playbook: 'site.yml', check: false, diff: true, hosts },
      { type: 'playStart', name: 'Web', pattern: 'all', hosts },
      { type: 'taskStart', task: sudo, hosts },
      ...hosts.map((host): RunEvent => ({
        type: 'taskResult',
        task: sudo,
        host,
        result: failing.has(host) ? res('failed', { msg: 'boom' }) : res(host < 'web10' ? 'changed' : 'ok'),
      })),
      { type: 'playEnd', name: 'Web' },
    ]);
    expect(lastFrame(text, '60 hosts: 49 ok, 9 changed, 2 failed')).toContain('2 failed (web07, web42)');
    expect(text).toMatch(/60 hosts: .*running/);
    // No row per host: the hosts appear only in the failures printed beneath.
    expect(text).not.toMatch(/^\s+\S+ web1\d ok/m);
    expect(text).toContain('fatal: [web42]');
  });
  test('a task on few hosts keeps a row per host', async () => {
    const hosts = ['a', 'b', 'c'];
    const text = await draw([
      { type: 'playStart', name: 'Few', pattern: 'all', hosts },
      { type: 'taskStart', task: sudo, hosts },
      ...hosts.map((host): RunEvent => ({ type: 'taskResult', task: sudo, host, result: res('ok') })),
      { type: 'playEnd', name: 'Web' },
    ]);
    expect(text).not.toContain('3 hosts:');
    for (const h of hosts) expect(text).toMatch(new RegExp(`${h} ok`));
  });
});
