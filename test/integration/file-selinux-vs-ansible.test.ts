// file's SELinux context arguments against ansible-playbook 2.14 on the controller itself
// (ansible_connection=local, files only under a temporary directory; this machine has no SELinux):
// both tools ignore setype/seuser/serole/selevel there, so the same tasks leave the same files
// with the same modes, report the same changes, and change nothing on a rerun.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ansiblePlaybook, lvsplayRun } from '../helpers/compat.js';

const work = mkdtempSync(join(tmpdir(), 'lvsplay-selinux-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PLAYBOOK = `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: a directory with a context
      file: { path: "{{ playbook_dir }}/out/www", state: directory, mode: "0750", setype: httpd_sys_content_t }
      register: d
    - name: a file touched with every context argument
      file:
        path: "{{ playbook_dir }}/out/www/index.html"
        state: touch
        mode: "0640"
        seuser: system_u
        serole: object_r
        setype: httpd_sys_content_t
        selevel: s0
        modification_time: preserve
        access_time: preserve
    - name: an existing file, mode only
      file: { path: "{{ playbook_dir }}/out/www/index.html", mode: "0600", setype: _default }
      register: f
    - name: what was registered
      copy:
        dest: "{{ playbook_dir }}/out/registered.txt"
        content: |
          {{ d.changed }}|{{ d.state }}|{{ d.path | basename }}
          {{ f.changed }}|{{ f.state }}|{{ f.path | basename }}
`;

const changedCount = (out: string) => Number(/localhost\s+:\s+ok=\d+\s+changed=(\d+)/.exec(out)?.[1]);

function result(dir: string) {
  const mode = (p: string) => (statSync(join(dir, p)).mode & 0o7777).toString(8);
  return {
    www: mode('out/www'),
    index: existsSync(join(dir, 'out/www/index.html')) ? mode('out/www/index.html') : 'absent',
    registered: readFileSync(join(dir, 'out/registered.txt'), 'utf8'),
  };
}

describe('file with SELinux context arguments where SELinux is off, as ansible-playbook 2.14', () => {
  it('ignores them both ways: same files, same changes, a quiet rerun', async () => {
    expect(existsSync('/sys/fs/selinux/enforce')).toBe(false);
    const seed = join(work, 'seed');
    mkdirSync(seed, { recursive: true });
    writeFileSync(join(seed, 'play.yml'), PLAYBOOK);
    writeFileSync(
      join(seed, 'inv'),
      'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n',
    );
    const a = join(work, 'ansible');
    const l = join(work, 'lvsplay');
    cpSync(seed, a, { recursive: true });
    cpSync(seed, l, { recursive: true });
    const ra = await ansiblePlaybook(['-i', 'inv', 'play.yml'], a);
    const rl = await lvsplayRun(['-i', 'inv', 'play.yml'], l);
    expect(ra.code, ra.out + ra.err).toBe(0);
    expect(rl.code, rl.out + rl.err).toBe(0);
    expect(result(l)).toEqual(result(a));
    expect(result(a)).toEqual({ www: '750', index: '600', registered: 'True|directory|www\nTrue|file|index.html\n' });
    expect(changedCount(rl.out)).toBe(changedCount(ra.out));
    expect(changedCount(ra.out)).toBe(4);
    const again = [await ansiblePlaybook(['-i', 'inv', 'play.yml'], a), await lvsplayRun(['-i', 'inv', 'play.yml'], l)];
    expect(again.map((r) => r.code)).toEqual([0, 0]);
    // The touch with both times preserved and the registered copy stay; the rest is quiet.
    expect(changedCount(again[1]!.out)).toBe(changedCount(again[0]!.out));
    expect(result(l)).toEqual(result(a));
  });
});
