// `lvsplay run` refuses a cluster that lint finds broken, before any host is touched.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const INV = resolve(ROOT, 'test/fixtures/lint/run-refuses/inv.ini');
const CLOSED = resolve(ROOT, 'test/fixtures/lint/run-refuses/inv-closed-port.ini');
const run = (...extra: string[]) =>
  spawnSync(
    process.execPath,
    [
      resolve(ROOT, 'bin/lvsplay.js'),
      'run',
      'site.yaml',
      '--check',
      '-e',
      'vrrp_auth_pass=x',
      '-e',
      'mysql_replication_password=y',
      ...extra,
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );

describe('run checks the cluster first', () => {
  it('two MASTER directors with one priority: refused with the places to fix, exit 4', () => {
    const r = run('-i', INV);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain('inv.ini:3:31: error[vrrp-priority-distinct]');
    expect(r.stderr).toContain('error[vrrp-single-master]');
    expect(r.stderr).toContain('nothing was run');
    expect(r.stdout).not.toContain('TASK [');
  });

  it('--no-lint goes on to run: here the hosts (a closed loopback port) are unreachable, exit 4', () => {
    const refused = run('-i', CLOSED);
    expect(refused.status).toBe(4);
    const r = run('-i', CLOSED, '--no-lint', '-o', 'plain');
    expect(r.stderr).not.toContain('error[vrrp');
    expect(r.stdout).toMatch(/UNREACHABLE!/);
    expect(r.status).toBe(4);
  });
});

describe('lint --keepalived-version', () => {
  const lint = (...args: string[]) =>
    spawnSync(process.execPath, [resolve(ROOT, 'bin/lvsplay.js'), 'lint', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
  const conf = 'test/fixtures/lint/keepalived-corpus/v23-json-version.conf';

  it('a keyword 2.3 added: exit 1 for 2.2, 0 for 2.3 and by default', () => {
    const old = lint('--keepalived', conf, '--keepalived-version', '2.2');
    expect(old.status).toBe(1);
    expect(old.stdout).toContain("error[keepalived-unknown-keyword]: 'json_version' is not a keepalived 2.2 keyword");
    expect(lint('--keepalived', conf, '--keepalived-version', '2.3').status).toBe(0);
    expect(lint('--keepalived', conf).status).toBe(0);
  });

  it('a version lint does not know is a bad option', () => {
    const r = lint('--keepalived', conf, '--keepalived-version', '1.3');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('Allowed choices are 2.2, 2.3');
  });
});
