// apt_key against ansible-playbook 2.14, offline: a key made here (gpg, ed25519, in a temporary
// GNUPGHOME) added from data and from a file into a keyring under a temporary directory (never
// the machine's own), then removed by id; check mode, a run and a rerun under both tools must
// register the same values and change the same tasks.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeGpgKey } from '../helpers/gpg-key.js';
import { ansiblePlaybook, lvsplayRun } from '../helpers/compat.js';

const work = mkdtempSync(join(tmpdir(), 'lvsplay-aptkey-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PLAYBOOK = `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: from data
      apt_key: { data: "{{ lookup('file', 'key.asc') }}", keyring: "{{ playbook_dir }}/ring.gpg" }
      register: fromdata
    - name: from a file, already there
      apt_key: { file: "{{ playbook_dir }}/key.gpg", keyring: "{{ playbook_dir }}/ring.gpg" }
      register: fromfile
    - name: by a short id
      apt_key: { id: "{{ short }}", file: "{{ playbook_dir }}/key.gpg", keyring: "{{ playbook_dir }}/ring2.gpg" }
      register: byshort
    - name: removed by id
      apt_key: { id: "0x{{ long }}", keyring: "{{ playbook_dir }}/ring2.gpg", state: absent }
      register: removed
    - name: an invalid id
      apt_key: { id: "12345", keyring: "{{ playbook_dir }}/ring.gpg" }
      register: invalid
      ignore_errors: true
    - name: what was registered
      when: not ansible_check_mode
      copy:
        dest: "{{ playbook_dir }}/reg.txt"
        content: |
          {% for r in [fromdata, fromfile, byshort, removed] %}
          {{ r.changed }} {{ r.id }} {{ r.short_id }} {{ r.fp }} {{ r.key_id }} {{ r.before }}
          {% endfor %}
          {{ invalid.failed }} {{ invalid.msg }}
`;

const statuses = (out: string) =>
  [...out.matchAll(/^(ok|changed|skipping|fatal|failed|unknown): \[localhost\]/gm)].map((m) => m[1]!);

describe('apt_key gives what ansible-playbook 2.14 gives', () => {
  it('adds from data and a file, removes by id: check, run, rerun', async () => {
    const seed = join(work, 'seed');
    mkdirSync(seed);
    const key = makeGpgKey(work);
    writeFileSync(join(seed, 'key.asc'), key.armored);
    writeFileSync(join(seed, 'key.gpg'), key.binary);
    const long = key.long;
    writeFileSync(join(seed, 'play.yml'), PLAYBOOK);
    writeFileSync(
      join(seed, 'inv'),
      'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n',
    );
    const dirs = { ansible: join(work, 'ansible'), lvsplay: join(work, 'lvsplay') };
    cpSync(seed, dirs.ansible, { recursive: true });
    cpSync(seed, dirs.lvsplay, { recursive: true });
    const vars = ['-e', `long=${long}`, '-e', `short=${long.slice(-8)}`];
    const both = async (extra: string[] = []) => {
      const a = await ansiblePlaybook(['-i', 'inv', 'play.yml', ...vars, ...extra], dirs.ansible);
      const l = await lvsplayRun(['-i', 'inv', 'play.yml', ...vars, ...extra], dirs.lvsplay);
      expect(a.code, a.out + a.err).toBe(0);
      expect(l.code, l.out + l.err).toBe(0);
      return { a: a.out, l: l.out };
    };
    // Check mode cannot know that the second and fourth tasks depend on the first and third: both
    // tools predict them alike, from the keyrings as they are.
    const check = await both(['--check']);
    expect(statuses(check.l).slice(0, 4)).toEqual(statuses(check.a).slice(0, 4));
    const run = await both();
    expect(statuses(run.l)).toEqual(statuses(run.a));
    expect(statuses(run.l).slice(0, 4)).toEqual(['changed', 'ok', 'changed', 'changed']);
    expect(readFileSync(join(dirs.lvsplay, 'reg.txt'), 'utf8')).toBe(
      readFileSync(join(dirs.ansible, 'reg.txt'), 'utf8'),
    );
    const rerun = await both();
    expect(statuses(rerun.l)).toEqual(statuses(rerun.a));
    expect(readFileSync(join(dirs.lvsplay, 'reg.txt'), 'utf8')).toBe(
      readFileSync(join(dirs.ansible, 'reg.txt'), 'utf8'),
    );
  }, 300_000);
});
