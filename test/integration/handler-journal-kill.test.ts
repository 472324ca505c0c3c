// A controller killed (SIGKILL) after a task changed the host but before its result came back
// must not lose the task's handler: the rerun finds the change in place (the task is ok or
// skipped, so it notifies nothing) and still runs the handler, from the journal. A task that
// surely changed nothing leaves nothing journaled. Real `lvsplay run` processes on the implicit
// localhost; every file is in a temp dir.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../bin/lvsplay.js');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvsplay-journal-kill-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ ...process.env, LVSPLAY_STATE_DIR: join(dir, 'state'), NO_COLOR: '1' });
const pending = () => {
  const f = join(dir, 'state', 'pending-handlers.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as { pending: { handler: string }[] }).pending : [];
};

function play(name: string, task: string): string {
  const f = join(dir, `${name}.yml`);
  writeFileSync(
    f,
    `- hosts: localhost
  gather_facts: false
  tasks:
${task}
  handlers:
    - name: reload
      shell: echo ran >> ${join(dir, `${name}.reloaded`)}
`,
  );
  return f;
}

const run = (book: string) =>
  spawnSync(process.execPath, [BIN, 'run', book, '-i', 'localhost,', '-o', 'plain'], {
    cwd: dir,
    encoding: 'utf8',
    env: env(),
  });

describe('the handler journal and a killed controller', () => {
  it('a task cut off after it changed the host: the rerun runs its handler, once, and says why', async () => {
    const conf = join(dir, 'conf');
    // The change lands, then the task outlives the controller (its sleep ends by itself): its
    // result never comes back.
    const book = play(
      'cut',
      `    - name: write the config
      shell: echo new > ${conf} && sleep 20
      args:
        creates: ${conf}
      notify: reload
`,
    );
    const child = spawn(process.execPath, [BIN, 'run', book, '-i', 'localhost,', '-o', 'plain'], {
      cwd: dir,
      env: env(),
      stdio: 'ignore',
    });
    const done = new Promise((r) => child.once('close', r));
    const t0 = Date.now();
    while (!existsSync(conf)) {
      if (Date.now() - t0 > 30_000) throw new Error('the task did not start within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await done;
    expect(pending().map((p) => p.handler)).toEqual(['reload']);

    const rerun = run(book);
    expect(rerun.status, rerun.stdout + rerun.stderr).toBe(0);
    const out = (rerun.stdout + rerun.stderr).replace(/\s+/g, ' ');
    expect(out).toMatch(/TASK \[write the config\] \*+ ok: \[localhost\]/);
    expect(out).toContain(
      "handler 'reload' may have been notified by an earlier run that ended during a task notifying it",
    );
    expect(readFileSync(join(dir, 'cut.reloaded'), 'utf8')).toBe('ran\n');
    expect(pending()).toEqual([]);

    expect(run(book).status).toBe(0);
    expect(readFileSync(join(dir, 'cut.reloaded'), 'utf8')).toBe('ran\n');
  });

  it('a notifying task that changed nothing, or failed, leaves nothing journaled', () => {
    const book = play(
      'ok',
      `    - command: 'true'
      changed_when: false
      notify: reload
    - command: 'false'
      ignore_errors: true
      notify: reload
`,
    );
    const r = run(book);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(pending()).toEqual([]);
    expect(existsSync(join(dir, 'ok.reloaded'))).toBe(false);
  });

  it('check mode journals nothing before a task', () => {
    const book = play(
      'check',
      `    - command: 'true'
      notify: reload
`,
    );
    const r = spawnSync(process.execPath, [BIN, 'run', book, '-i', 'localhost,', '--check', '-o', 'plain'], {
      cwd: dir,
      encoding: 'utf8',
      env: env(),
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(pending()).toEqual([]);
  });
});
