// What the transport notes on connecting (a host key recorded on first contact, a key accepted
// unchecked under StrictHostKeyChecking=no) reaches the operator from a real `lvsplay run`, once
// per host as ssh says it once per connection, in every output mode. A loopback sshd is the host;
// HOME, known_hosts and the handler journal are temp files, so nothing else on this machine is touched.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type Sshd } from './sshd.js';

const BIN = resolve(import.meta.dirname, '../../bin/lvsplay.js');
let sshd: Sshd;
let dir: string;

beforeAll(async () => {
  sshd = await startSshd();
  dir = mkdtempSync(join(tmpdir(), 'lvsplay-notes-'));
  // Two tasks on one connection: the note is told once.
  writeFileSync(
    join(dir, 'play.yml'),
    `- hosts: target
  gather_facts: false
  tasks:
    - command: 'true'
    - command: 'true'
`,
  );
});

afterAll(async () => {
  await sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs play.yml on the sshd as host h1 with `strict` host key checking and `known` as known_hosts. */
function run(output: string, strict: string, known: string) {
  writeFileSync(
    join(dir, 'hosts.ini'),
    `[target]
h1 ansible_host=127.0.0.1 ansible_port=${sshd.port} ansible_user=root ansible_ssh_private_key_file=${sshd.clientKey} lvsplay_run_lock=false ansible_ssh_common_args='-o UserKnownHostsFile=${known} -o StrictHostKeyChecking=${strict}'
`,
  );
  const r = spawnSync(process.execPath, [BIN, 'run', 'play.yml', '-i', 'hosts.ini', '-o', output], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, HOME: dir, LVSPLAY_STATE_DIR: join(dir, 'state') },
  });
  return {
    code: r.status,
    stdout: r.stdout, // plain wraps a warning at 80 columns, at spaces
    all: `${r.stdout}\n${r.stderr}`.replace(/\s+/g, ' '),
  };
}

const added = (known: string) =>
  new RegExp(
    `Permanently added \\[127\\.0\\.0\\.1\\]:${sshd.port} \\(ssh-ed25519 key SHA256:[^)]+\\) to ${known}`,
    'g',
  );
const unchecked = new RegExp(
  `host key for \\[127\\.0\\.0\\.1\\]:\\d+ \\(ssh-ed25519 key SHA256:[^)]+\\) accepted without checking \\(StrictHostKeyChecking=no\\)`,
  'g',
);

describe('transport notes in a run', () => {
  for (const output of ['plain', 'json', 'jsonl']) {
    it(`-o ${output}: a host key recorded on first contact is told once, naming the host and the file; the next run says nothing`, () => {
      const known = join(dir, `known_${output}`);
      const first = run(output, 'accept-new', known);
      expect(first.code, first.all).toBe(0);
      expect(existsSync(known)).toBe(true);
      // (hashed or not, as the system's ssh_config says: ssh-keygen -F finds it either way)
      expect(spawnSync('ssh-keygen', ['-F', `[127.0.0.1]:${sshd.port}`, '-f', known]).status).toBe(0);
      expect(first.all.match(added(known)), first.all).toHaveLength(1);
      expect(first.all).toContain('h1');
      const second = run(output, 'accept-new', known);
      expect(second.code, second.all).toBe(0);
      expect(second.all).not.toMatch(/Permanently added/);
    });

    it(`-o ${output}: a key accepted unchecked (StrictHostKeyChecking=no) is told once`, () => {
      const known = join(dir, `none_${output}`);
      const r = run(output, 'no', known);
      expect(r.code, r.all).toBe(0);
      expect(r.all.match(unchecked), r.all).toHaveLength(1);
    });
  }

  it('-o json puts the note among the run warnings with its host', () => {
    const known = join(dir, 'known_json_doc');
    const first = run('json', 'accept-new', known);
    const doc = JSON.parse(first.stdout) as {
      warnings: { host?: string; message: string }[];
    };
    const notes = doc.warnings.filter((w) => w.message.startsWith('Permanently added'));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.host).toBe('h1');
  });
});
