// Exit codes of runs that reach hosts, differentially: ansible-playbook 2.14 and lvsplay run the
// same playbooks on the same inventory (the controller itself by the local connection, and a
// host on a closed loopback port for an unreachable one) and must exit alike. No traffic leaves
// loopback.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ansiblePlaybook, bounded, lvsplayRun } from '../helpers/compat.js';
import { freePort } from '../transport/sshd.js';

let dir: string;

/** name -> [inventory lines, tasks]; every play runs on all hosts without facts. */
const CASES: Record<string, [string, string]> = {
  'all ok': ['local1', '- command: "true"'],
  'one host fails': ['local1\nlocal2 fail=1', "- command: \"{{ 'false' if fail is defined else 'true' }}\""],
  'a failure ignored': ['local1', '- command: "false"\n      ignore_errors: true'],
  'a host unreachable': ['down', '- command: "true"'],
  'unreachable and another failed': ['down\nlocal1', '- command: "false"'],
  'unreachable, the other fine': ['down\nlocal1', '- command: "true"'],
  'unreachable ignored': ['down', '- command: "true"\n      ignore_unreachable: true'],
  'unreachable ignored, then not': ['down', '- command: "true"\n      ignore_unreachable: true\n    - command: "true"'],
  'failed_when on a changed command': ['local1', '- command: "true"\n      failed_when: true'],
  'a failed host rescued': [
    'local1',
    '- block:\n        - command: "false"\n      rescue:\n        - debug: msg=rescued',
  ],
  'any_errors_fatal stops every host': [
    'local1\nlocal2 fail=1',
    "- command: \"{{ 'false' if fail is defined else 'true' }}\"\n      any_errors_fatal: true",
  ],
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lvsplay-exit-'));
  const closed = await freePort();
  for (const [i, [hosts, tasks]] of Object.values(CASES).entries()) {
    const lines = hosts
      .split('\n')
      .map((l) =>
        l.startsWith('down')
          ? `${l} ansible_host=127.0.0.1 ansible_port=${closed} ansible_user=root`
          : `${l} ansible_connection=local`,
      );
    writeFileSync(join(dir, `hosts${i}.ini`), `[all]\n${lines.join('\n')}\n`);
    writeFileSync(join(dir, `play${i}.yml`), `- hosts: all\n  gather_facts: false\n  tasks:\n    ${tasks}\n`);
  }
  writeFileSync(join(dir, 'ansible.cfg'), '[defaults]\nhost_key_checking = False\n');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('exit codes of runs, as ansible-playbook 2.14', () => {
  it('exits as ansible-playbook on every case', async () => {
    const names = Object.keys(CASES);
    const runs = await bounded(
      names.flatMap((_, i) => [
        () => ansiblePlaybook(['-i', `hosts${i}.ini`, `play${i}.yml`], dir),
        () => lvsplayRun([`play${i}.yml`, '-i', `hosts${i}.ini`, '-o', 'plain'], dir),
      ]),
      2,
    );
    const got = names.map((n, i) => `${n}: ansible ${runs[2 * i]!.code}, lvsplay ${runs[2 * i + 1]!.code}`);
    const want = names.map((n, i) => `${n}: ansible ${runs[2 * i]!.code}, lvsplay ${runs[2 * i]!.code}`);
    expect(got).toEqual(want);
    // the oracle itself is not degenerate: the cases cover success, failure and unreachable
    expect(new Set(runs.filter((_, i) => i % 2 === 0).map((r) => r.code))).toEqual(new Set([0, 2, 4]));
  }, 180_000);
});
