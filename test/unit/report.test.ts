import { describe, expect, test } from 'vitest';
import { PassThrough } from 'node:stream';
import type { HostCounts, RunEvent, TaskRef, TaskResult } from '../../src/exec/events.js';
import { Secret } from '../../src/secret.js';
import {
  CENSORED,
  closeAll,
  createReporters,
  emitTo,
  RecordingReporter,
  redact,
  redactValue,
  resolveFormat,
  isCI,
  unifiedDiff,
  type ReporterOptions,
} from '../../src/report/index.js';
import { wantsColour } from '../../src/report/ansi.js';
import { banner, recapLines } from '../../src/report/recap.js';
import { painter } from '../../src/report/ansi.js';

// A scripted run touching every kind of line a user sees.
const D1 = 'director1';
const LONG = 'a-very-long-host-name-for-alignment.example.com';
const BECOME_PASSWORD = 's3cr3t-Pw';
const res = (status: TaskResult['status'], more: Partial<TaskResult> = {}): TaskResult => ({
  status,
  changes: [],
  ms: 12,
  warnings: [],
  ...more,
});
const task = (name: string, more: Partial<TaskRef> = {}): TaskRef => ({ name, path: 'playbooks/site.yml:7', ...more });
const counts = (c: Partial<HostCounts>): HostCounts => ({
  ok: 0,
  changed: 0,
  unreachable: 0,
  failed: 0,
  skipped: 0,
  rescued: 0,
  ignored: 0,
  ...c,
});

function script(opts: { check?: boolean } = {}): RunEvent[] {
  const hosts = [D1, LONG];
  const ev: RunEvent[] = [
    { type: 'runStart', playbook: 'playbooks/site.yml', check: !!opts.check, diff: true, hosts },
    { type: 'playStart', name: 'Directors', pattern: 'directors', hosts },
  ];
  const t = (ref: TaskRef, results: Array<[string, TaskResult, string?]>): void => {
    ev.push({ type: 'taskStart', task: ref, hosts });
    for (const [host, result, delegatedTo] of results) {
      ev.push(
        delegatedTo
          ? { type: 'taskResult', task: ref, host, result, delegatedTo }
          : { type: 'taskResult', task: ref, host, result },
      );
    }
  };
  t(task('Gather nothing'), [
    [D1, res('ok', { msg: 'all fine' })],
    [LONG, res('ok')],
  ]);
  t(task('keepalived : Write keepalived.conf', { role: 'keepalived' }), [
    [
      D1,
      res('changed', {
        changes: [
          {
            summary: 'content of /etc/keepalived/keepalived.conf',
            diff: {
              before: 'vrrp_instance VI_1 {\n  priority 100\n}\n',
              after: 'vrrp_instance VI_1 {\n  priority 150\n}\n',
              beforeHeader: '/etc/keepalived/keepalived.conf',
              afterHeader: '/etc/keepalived/keepalived.conf',
            },
          },
        ],
        commands: ['mv /etc/keepalived/.keepalived.conf.tmp /etc/keepalived/keepalived.conf'],
      }),
    ],
    [LONG, res('ok')],
  ]);
  t(task('Skip on directors'), [
    [D1, res('skipped')],
    [LONG, res('skipped')],
  ]);
  t(task('Load modules'), [
    [
      D1,
      res('changed', {
        items: [
          { item: 'ip_vs', result: res('changed') },
          { item: { name: 'ip_vs_rr', state: 'present' }, result: res('ok') },
        ],
      }),
    ],
    [LONG, res('skipped', { items: [{ item: 'ip_vs', result: res('skipped') }] })],
  ]);
  t(task('Probe old state'), [
    [D1, res('failed', { ignored: true, rc: 1, msg: 'non-zero return code', stdout: '', stderr: 'no such file' })],
    [LONG, res('ok')],
  ]);
  t(task('Set replication password', { name: 'mysql : Set replication password' }), [
    [
      D1,
      res('changed', { noLog: true, msg: 'password hunter2 set', stdout: 'hunter2', data: { password: 'hunter2' } }),
    ],
    [LONG, res('changed', { noLog: true, items: [{ item: 'hunter2', result: res('changed') }] })],
  ]);
  t(task('Check VIP from the other director'), [
    [D1, res('ok'), LONG],
    [LONG, res('ok'), D1],
  ]);
  ev.push({
    type: 'warning',
    host: D1,
    message: 'sysctl net.ipv4.conf.all.arp_ignore is also set in /etc/sysctl.conf',
  });
  t(task('Become root'), [
    [D1, res('failed', { msg: `sudo: incorrect password ${BECOME_PASSWORD}`, rc: 1 })],
    [LONG, res('unreachable', { msg: 'connect ECONNREFUSED 127.0.0.1:22' })],
  ]);
  ev.push({ type: 'playEnd', name: 'Directors' });
  ev.push({
    type: 'runEnd',
    recap: {
      [D1]: counts({ ok: 5, changed: 3, failed: 1, skipped: 1, ignored: 1 }),
      [LONG]: counts({ ok: 4, changed: 1, unreachable: 1, skipped: 2 }),
    },
    ms: 3723_450,
    exitCode: 3,
    interrupted: false,
  });
  return ev;
}

async function render(events: RunEvent[], opts: Partial<ReporterOptions> = {}): Promise<string> {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  const reporters = createReporters({
    format: 'plain',
    verbosity: 0,
    diff: true,
    check: false,
    stream,
    isTTY: false,
    ci: false,
    secrets: [BECOME_PASSWORD],
    clock: () => new Date('2025-01-02T03:04:05.000Z'),
    ...opts,
  });
  for (const e of events) emitTo(reporters, e);
  await closeAll(reporters);
  return text;
}

const GOLDEN_PLAIN = `
PLAY [Directors] ***************************************************************

TASK [Gather nothing] **********************************************************
ok: [director1]
ok: [a-very-long-host-name-for-alignment.example.com]

TASK [keepalived : Write keepalived.conf] **************************************
--- before: /etc/keepalived/keepalived.conf
+++ after: /etc/keepalived/keepalived.conf
@@ -1,3 +1,3 @@
 vrrp_instance VI_1 {
-  priority 100
+  priority 150
 }

changed: [director1]
ok: [a-very-long-host-name-for-alignment.example.com]

TASK [Skip on directors] *******************************************************
skipping: [director1]
skipping: [a-very-long-host-name-for-alignment.example.com]

TASK [Load modules] ************************************************************
changed: [director1] => (item=ip_vs)
ok: [director1] => (item={'name': 'ip_vs_rr', 'state': 'present'})
skipping: [a-very-long-host-name-for-alignment.example.com] => (item=ip_vs) 
skipping: [a-very-long-host-name-for-alignment.example.com]

TASK [Probe old state] *********************************************************
fatal: [director1]: FAILED! => {"changed": false, "msg": "non-zero return code", "rc": 1, "stderr": "no such file", "stderr_lines": ["no such file"], "stdout": "", "stdout_lines": []}
...ignoring
ok: [a-very-long-host-name-for-alignment.example.com]

TASK [mysql : Set replication password] ****************************************
changed: [director1]
changed: [a-very-long-host-name-for-alignment.example.com] => (item=(censored due to no_log))

TASK [Check VIP from the other director] ***************************************
ok: [director1 -> a-very-long-host-name-for-alignment.example.com]
ok: [a-very-long-host-name-for-alignment.example.com -> director1]
[WARNING]: [director1]: sysctl net.ipv4.conf.all.arp_ignore is also set in
/etc/sysctl.conf

TASK [Become root] *************************************************************
fatal: [director1]: FAILED! => {"changed": false, "msg": "sudo: incorrect password ********", "rc": 1}
fatal: [a-very-long-host-name-for-alignment.example.com]: UNREACHABLE! => {"changed": false, "msg": "connect ECONNREFUSED 127.0.0.1:22", "unreachable": true}

PLAY RECAP *********************************************************************
a-very-long-host-name-for-alignment.example.com : ok=4    changed=1    unreachable=1    failed=0    skipped=2    rescued=0    ignored=0   
director1                  : ok=5    changed=3    unreachable=0    failed=1    skipped=1    rescued=0    ignored=1   

Playbook run took 0 days, 1 hours, 2 minutes, 3.45 seconds
`;

describe('plain reporter', () => {
  test('prints the lines ansible-playbook prints for the same run', async () => {
    expect(await render(script())).toBe(GOLDEN_PLAIN);
  });

  test('recap columns match a real ansible-playbook 2.14 run, long host names included', () => {
    // Copied byte for byte from `ansible-playbook -c local` output (trailing spaces included).
    const lines = recapLines(
      {
        localhost: counts({ ok: 7, changed: 4, failed: 1, skipped: 1, ignored: 1 }),
        [LONG]: counts({ ok: 8, changed: 5, skipped: 2, ignored: 1 }),
      },
      painter(false),
    );
    expect(lines).toEqual([
      'a-very-long-host-name-for-alignment.example.com : ok=8    changed=5    unreachable=0    failed=0    skipped=2    rescued=0    ignored=1   ',
      'localhost                  : ok=7    changed=4    unreachable=0    failed=1    skipped=1    rescued=0    ignored=1   ',
    ]);
  });

  test('banners fill 80 columns like Ansible, and keep 3 stars for long titles', () => {
    expect(banner('TASK [ok task]')).toBe(
      'TASK [ok task] *****************************************************************',
    );
    expect(banner('TASK [ok task]')).toHaveLength(80);
    const long = `TASK [${'x'.repeat(90)}]`;
    expect(banner(long)).toBe(`${long} ***`);
  });

  test('no colour codes when the output is not a terminal, colours on a terminal', async () => {
    const plain = await render(script(), { isTTY: false });
    expect(plain).not.toMatch(/\u001b\[/);
    const tty = await render(script(), { isTTY: true, format: 'plain' });
    expect(tty).toContain('\u001b[0;33mchanged: [director1]\u001b[0m');
    expect(tty).toContain('\u001b[0;31m-  priority 100\u001b[0m');
    expect(tty).toContain('\u001b[0;32m+  priority 150\u001b[0m');
    // The recap still lines up: the host column is padded by its printed width.
    const recapLine = tty.split('\n').find((l) => l.includes('ok=5'))!;
    expect(recapLine.replace(/\u001b\[[0-9;]*m/g, '')).toBe(
      'director1                  : ok=5    changed=3    unreachable=0    failed=1    skipped=1    rescued=0    ignored=1   ',
    );
    expect(wantsColour(true, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColour(false, {})).toBe(false);
  });

  test('-v shows module results; -vv also the commands and the task path', async () => {
    const v1 = await render(script(), { verbosity: 1 });
    expect(v1).toContain('ok: [director1] => {"changed": false, "msg": "all fine"}');
    expect(v1).toContain(
      'changed: [director1] => {"changed": true, "changes": ["content of /etc/keepalived/keepalived.conf"]}',
    );
    expect(v1).not.toContain('EXEC');
    const v2 = await render(script(), { verbosity: 2 });
    expect(v2).toContain('<director1> EXEC mv /etc/keepalived/.keepalived.conf.tmp /etc/keepalived/keepalived.conf');
    expect(v2).toContain('task path: playbooks/site.yml:7');
    expect(v2.split('\n')[1]).toBe(banner('PLAYBOOK: site.yml'));
    const v3 = await render(script(), { verbosity: 3 });
    expect(v3).toContain('ok: [director1] => {\n    "changed": false,\n    "msg": "all fine"\n}');
  });

  test('no_log hides every value at any verbosity, and secrets are masked in errors', async () => {
    for (const verbosity of [0, 1, 2, 3]) {
      const out = await render(script(), { verbosity });
      expect(out).not.toContain('hunter2');
      expect(out).not.toContain(BECOME_PASSWORD);
    }
    const v1 = await render(script(), { verbosity: 1 });
    expect(v1).toContain(`changed: [director1] => {"censored": "${CENSORED}", "changed": true}`);
    expect(v1).toContain('sudo: incorrect password ********');
  });

  test('diffs appear only with --diff', async () => {
    const out = await render(script(), { diff: false });
    expect(out).not.toContain('--- before');
    expect(out).not.toContain('priority 150');
  });

  test('debug output shows at the default verbosity, as Ansible shows debug', async () => {
    const ref = task('Show VIP');
    const out = await render([
      { type: 'playStart', name: 'p', pattern: 'all', hosts: [D1] },
      { type: 'taskStart', task: ref, hosts: [D1] },
      {
        type: 'taskResult',
        task: ref,
        host: D1,
        result: res('ok', { msg: 'VIP is 10.0.7.100', verboseAlways: 'data' }),
      },
    ]);
    expect(out).toContain('ok: [director1] => {\n    "msg": "VIP is 10.0.7.100"\n}\n');
  });

  test('check mode: markers as ansible-playbook with check_mode_markers, unknown shown honestly', async () => {
    const events = script({ check: true });
    const shell = task('Reload ipvsadm rules');
    const end = events.pop()!;
    events.push(
      { type: 'taskStart', task: shell, hosts: [D1] },
      { type: 'taskResult', task: shell, host: D1, result: res('unknown') },
      end,
    );
    const out = await render(events, { check: true });
    expect(out.startsWith(`\n${banner('DRY RUN')}\n\n${banner('PLAY [Directors] [CHECK MODE]')}\n`)).toBe(true);
    expect(out).toContain(banner('TASK [Gather nothing] [CHECK MODE]'));
    expect(out).toContain('unknown: [director1] (check mode cannot predict this command)\n');
    // The extra column appears only when something was unpredictable.
    expect(out).toContain(
      'director1                  : ok=5    changed=3    unreachable=0    failed=1    skipped=1    rescued=0    ignored=1    unknown=1   ',
    );
    expect(out).toContain(`\n\n${banner('DRY RUN')}\nPlaybook run took`);
  });

  test('an interrupted run says so and still prints the recap', async () => {
    const events = script();
    const end = events.pop() as Extract<RunEvent, { type: 'runEnd' }>;
    events.push({ ...end, interrupted: true, exitCode: 99 });
    const out = await render(events);
    expect(out).toContain('[ERROR]: User interrupted execution\n\nPLAY RECAP');
    expect(out).toContain('director1                  : ok=5');
  });

  test('results of interleaved tasks (free strategy) are re-headed by their task', async () => {
    const a = task('Install keepalived');
    const b = task('Install ipvsadm');
    const out = await render([
      { type: 'taskStart', task: a, hosts: [D1, LONG] },
      { type: 'taskStart', task: b, hosts: [D1] },
      { type: 'taskResult', task: b, host: D1, result: res('changed') },
      { type: 'taskResult', task: a, host: LONG, result: res('ok') },
    ]);
    expect(out).toBe(
      `\n${banner('TASK [Install keepalived]')}\n\n${banner('TASK [Install ipvsadm]')}\nchanged: [director1]\n\n${banner('TASK [Install keepalived]')}\nok: [${LONG}]\n`,
    );
  });
});

describe('diffs', () => {
  test('headers, no-newline markers, and nothing for equal text', () => {
    expect(unifiedDiff({ before: 'x', after: 'y' })).toBe(
      '--- before\n+++ after\n@@ -1,1 +1,1 @@\n-x\n\\ No newline at end of file\n+y\n\\ No newline at end of file\n',
    );
    expect(unifiedDiff({ before: 'same\n', after: 'same\n', beforeHeader: 'f' })).toBe('');
    expect(
      unifiedDiff({
        before: '',
        after: '1\n',
        beforeHeader: 'net.ipv4.ip_forward',
        afterHeader: 'net.ipv4.ip_forward',
      }),
    ).toBe('--- before: net.ipv4.ip_forward\n+++ after: net.ipv4.ip_forward\n@@ -0,0 +1,1 @@\n+1\n');
  });
});

describe('json reporters', () => {
  test('--output json writes one well-formed document: plays -> tasks -> hosts, stats', async () => {
    const text = await render(script(), { format: 'json' });
    const doc = JSON.parse(text);
    expect(doc.playbook).toBe('playbooks/site.yml');
    expect(doc.plays).toHaveLength(1);
    const play = doc.plays[0];
    expect(play.play).toMatchObject({ name: 'Directors', pattern: 'directors' });
    expect(play.tasks.map((t: { task: { name: string } }) => t.task.name)).toEqual([
      'Gather nothing',
      'keepalived : Write keepalived.conf',
      'Skip on directors',
      'Load modules',
      'Probe old state',
      'mysql : Set replication password',
      'Check VIP from the other director',
      'Become root',
    ]);
    const conf = play.tasks[1].hosts[D1];
    expect(conf).toMatchObject({ status: 'changed', changed: true });
    expect(conf.changes[0].diff).toEqual({
      before: 'vrrp_instance VI_1 {\n  priority 100\n}\n',
      after: 'vrrp_instance VI_1 {\n  priority 150\n}\n',
      before_header: '/etc/keepalived/keepalived.conf',
      after_header: '/etc/keepalived/keepalived.conf',
    });
    expect(play.tasks[3].hosts[D1].results[1]).toMatchObject({ item: { name: 'ip_vs_rr' }, status: 'ok' });
    expect(play.tasks[4].hosts[D1]).toMatchObject({ failed: true, ignored: true, rc: 1 });
    expect(play.tasks[6].hosts[D1].delegated_to).toBe(LONG);
    expect(play.tasks[7].hosts[LONG]).toMatchObject({ unreachable: true, status: 'unreachable' });
    expect(doc.stats[D1]).toEqual({
      ok: 5,
      changed: 3,
      unreachable: 0,
      failures: 1,
      skipped: 1,
      rescued: 0,
      ignored: 1,
    });
    expect(doc.warnings).toEqual([
      { host: D1, message: 'sysctl net.ipv4.conf.all.arp_ignore is also set in /etc/sysctl.conf' },
    ]);
    expect(doc).toMatchObject({ exit_code: 3, interrupted: false, duration_ms: 3723450 });
  });

  test('no_log results carry only the status and the censored notice; secrets are masked', async () => {
    const text = await render(script(), { format: 'json' });
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(BECOME_PASSWORD);
    const doc = JSON.parse(text);
    const hidden = doc.plays[0].tasks[5].hosts;
    expect(hidden[D1]).toEqual({ status: 'changed', censored: CENSORED, changed: true, duration_ms: 12 });
    expect(hidden[LONG].results).toEqual([{ status: 'changed', censored: CENSORED, changed: true }]);
  });

  test('without --diff the document carries change summaries but no file contents', async () => {
    const doc = JSON.parse(await render(script(), { format: 'json', diff: false }));
    expect(doc.plays[0].tasks[1].hosts[D1].changes).toEqual([
      { summary: 'content of /etc/keepalived/keepalived.conf' },
    ]);
  });

  test('--output jsonl writes one parseable object per event, as it happens', async () => {
    const events = script();
    const text = await render(events, { format: 'jsonl' });
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(events.map((e) => e.type));
    expect(lines.every((l) => l.time === '2025-01-02T03:04:05.000Z')).toBe(true);
    const fatal = lines.find((l) => l.type === 'taskResult' && l.task.name === 'Become root' && l.host === D1);
    expect(fatal.result.msg).toBe('sudo: incorrect password ********');
    expect(text).not.toContain('hunter2');
  });

  test('a run that never ended still leaves a parseable document', async () => {
    const doc = JSON.parse(await render(script().slice(0, 5), { format: 'json' }));
    expect(doc.interrupted).toBe(true);
    expect(doc.plays[0].tasks[0].hosts[D1].status).toBe('ok');
  });
});

describe('redaction', () => {
  test('masks raw, JSON-escaped and line-by-line forms of a secret', () => {
    const pw = 'pa"ss\nword-line';
    expect(redact('login with pa"ss\nword-line now', [pw])).toBe('login with ******** now');
    expect(redact(JSON.stringify({ p: pw }), [pw])).toBe('{"p":"********"}');
    expect(redact('second line: word-line', [pw])).toBe('second line: ********');
    expect(redact('nothing here', ['', 'absent'])).toBe('nothing here');
  });

  test('masks the longer secret whole when one secret contains another', () => {
    expect(redact('token abc123xyz', ['abc', 'abc123xyz'])).toBe('token ********');
  });

  test('Secret objects and live secret lists', () => {
    const live = new Set<string>();
    const value = { user: 'repl', password: new Secret('t0p'), note: 'uses t0p' };
    expect(redactValue(value, live)).toEqual({ user: 'repl', password: '********', note: 'uses t0p' });
    live.add('t0p');
    expect(redactValue(value, live).note).toBe('uses ********');
    expect(redact('vault says t0p', [new Secret('t0p')])).toBe('vault says ********');
  });

  test('a secret string added during the run is scrubbed from later output', async () => {
    const secrets = new Set<string>();
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c: Buffer) => (text += c.toString()));
    const [plain] = createReporters({
      format: 'plain',
      verbosity: 1,
      diff: false,
      check: false,
      stream,
      isTTY: false,
      secrets,
    });
    const ref = task('Read vault');
    secrets.add('vault-value-42');
    plain!.onEvent({ type: 'taskResult', task: ref, host: D1, result: res('ok', { stdout: 'got vault-value-42' }) });
    expect(text).toContain('"stdout": "got ********"');
  });
});

describe('recording reporter', () => {
  test('answers what a test asks about a run', () => {
    const rec = new RecordingReporter([BECOME_PASSWORD]);
    for (const e of script()) rec.onEvent(e);
    expect(rec.changedTasks(D1)).toEqual([
      'keepalived : Write keepalived.conf',
      'Load modules',
      'mysql : Set replication password',
    ]);
    expect(rec.statusOf('Become root', LONG)).toBe('unreachable');
    expect(rec.resultsFor(LONG).map((r) => r.status)).toEqual([
      'ok',
      'ok',
      'skipped',
      'skipped',
      'ok',
      'changed',
      'ok',
      'unreachable',
    ]);
    expect(rec.taskNames()).toHaveLength(8);
    expect(rec.warnings()).toHaveLength(1);
    expect(rec.recap()?.[D1]?.failed).toBe(1);
    const serialized = rec.serialize();
    expect(serialized.split('\n')).toHaveLength(script().length);
    expect(serialized).not.toContain('hunter2');
    expect(serialized).not.toContain(BECOME_PASSWORD);
  });
});

describe('choosing reporters', () => {
  test('auto: a tree on a terminal, plain lines in CI or on a pipe', () => {
    expect(resolveFormat('auto', true, false)).toBe('tree');
    expect(resolveFormat('auto', true, true)).toBe('plain');
    expect(resolveFormat('auto', false, false)).toBe('plain');
    expect(resolveFormat('tree', false, false)).toBe('plain');
    expect(resolveFormat('json', true, false)).toBe('json');
    expect(isCI({ CI: 'true' })).toBe(true);
    expect(isCI({ CI: 'false' })).toBe(false);
    expect(isCI({})).toBe(false);
    const kinds = (o: Partial<ReporterOptions>) =>
      createReporters({ format: 'auto', verbosity: 0, diff: false, check: false, stream: new PassThrough(), ...o }).map(
        (r) => r.constructor.name,
      );
    expect(kinds({ isTTY: true, ci: false })).toEqual(['TreeReporter']);
    expect(kinds({ isTTY: true, ci: true })).toEqual(['PlainReporter']);
    expect(kinds({ isTTY: false })).toEqual(['PlainReporter']);
  });
});
