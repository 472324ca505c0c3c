// wait_for (polling on the target) and ping on each host kind (db1, SysV init, and a systemd host
// of each release), and the controller modules in real runs on db1.
import { beforeAll, describe, expect, it } from 'vitest';
import { runPlaybookText, statuses, changed } from '../helpers/lab-run.js';
import { ensureKindsLab, hostKinds, runOnKinds } from './modules-system-helpers.js';
import { labExec } from '../../src/lab/index.js';

beforeAll(async () => {
  await ensureKindsLab();
});

const play = (tasks: string, host = 'db1') => `
- hosts: ${host}
  gather_facts: false
  tasks:
${tasks}
`;

describe.each(hostKinds('db1'))('wait_for on $kind ($host)', ({ host }) => {
  beforeAll(() => labExec(host, ['rm', '-rf', '/tmp/misc-wait']));

  it('sees sshd listening, a closed port stopped, a file appear with its text', async () => {
    // A writer that makes the file after the wait has begun.
    await labExec(host, [
      'sh',
      '-c',
      'mkdir -p /tmp/misc-wait; (sleep 1; echo "server ready" > /tmp/misc-wait/log) >/dev/null 2>&1 &',
    ]);
    const pb = play(
      `
    - {name: sshd up, wait_for: {port: 22, timeout: 5}}
    - {name: nothing on 1, wait_for: {port: 1, state: stopped, timeout: 5}}
    - {name: log says ready, wait_for: {path: /tmp/misc-wait/log, search_regex: 'ready$', timeout: 10}, register: w}
    - {name: waited, assert: {that: ['w.elapsed >= 0']}}
`,
      host,
    );
    const t0 = Date.now();
    const r = await runOnKinds(pb);
    expect(r.exitCode).toBe(0);
    expect(statuses(r, host)).toEqual({ 'sshd up': 'ok', 'nothing on 1': 'ok', 'log says ready': 'ok', waited: 'ok' });
    expect(Date.now() - t0).toBeLessThan(8000);
    const check = await runOnKinds(pb, { check: true });
    expect(changed(check, host)).toEqual([]);
  });

  it("gives up at its timeout with Ansible's message, never later", async () => {
    const t0 = Date.now();
    const r = await runOnKinds(play(`    - {name: never, wait_for: {port: 4999, timeout: 2}}`, host));
    const ms = Date.now() - t0;
    expect(r.exitCode).toBe(2);
    expect(r.rec.results(host)[0]!.result.msg).toBe('Timeout when waiting for 127.0.0.1:4999');
    expect(ms).toBeGreaterThanOrEqual(2000);
    expect(ms).toBeLessThan(6000);
  });
});

describe('controller modules in a run', () => {
  it('set_fact, include_vars, debug, assert and fail work together', async () => {
    const pb = play(`
    - {name: facts, set_fact: {port: "{{ 3300 + 6 }}", cacheable: true}}
    - {name: vars, include_vars: {file: db.yml, name: db}}
    - {name: show, debug: {msg: "{{ db.engine }} on {{ port }}"}}
    - {name: check, assert: {that: ["port | int == 3306", "db.engine == 'mariadb'"], quiet: true}}
    - {name: stop, fail: {msg: "stopped at {{ port }}"}, when: port | int != 3306}
`);
    const r = await runPlaybookText(pb, { files: { 'vars/db.yml': 'engine: mariadb\n' } });
    expect(r.exitCode).toBe(0);
    expect(statuses(r, 'db1')).toEqual({ facts: 'ok', vars: 'ok', show: 'ok', check: 'ok', stop: 'skipped' });
    expect(r.rec.results('db1')[2]!.result.msg).toBe('mariadb on 3306');
    const failing = await runPlaybookText(play(`    - {name: stop, fail: {msg: nope}}`));
    expect(failing.exitCode).toBe(2);
    expect(failing.rec.results('db1')[0]!.result).toMatchObject({ status: 'failed', msg: 'nope' });
  });
});

describe.each(hostKinds('db1'))('ping on $kind ($host)', ({ host }) => {
  it('answers pong over the host login (in check mode too), and fails on data=crash as Ansible does', async () => {
    const pb = play(
      `
    - {name: ping, ping: {}, register: p}
    - {name: custom data, ping: {data: hello}, register: q}
    - {name: pong, assert: {that: ["p.ping == 'pong'", "q.ping == 'hello'"]}}
`,
      host,
    );
    for (const check of [false, true]) {
      const r = await runOnKinds(pb, { check });
      expect(r.exitCode).toBe(0);
      expect(statuses(r, host)).toEqual({ ping: 'ok', 'custom data': 'ok', pong: 'ok' });
    }
    const crash = await runOnKinds(play(`    - {name: crash, ping: {data: crash}}`, host));
    expect(crash.exitCode).toBe(2);
    expect(crash.rec.results(host)[0]).toMatchObject({ status: 'failed', result: { msg: 'boom' } });
  });
});
