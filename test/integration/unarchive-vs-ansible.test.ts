// unarchive against ansible-playbook 2.14: one playbook run by both tools on the controller
// itself (ansible_connection=local, files only under a temporary directory), in check mode,
// then for real, then again after a file was touched and a mode changed; the unpacked trees
// (bytes, types, modes), what the tasks registered and the changed flags must be the same.
// Archives are built here with tar and zip from a small tree (no third-party material).
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  chmodSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ansiblePlaybook, lvsplayRun } from '../helpers/compat.js';

const work = mkdtempSync(join(tmpdir(), 'lvsplay-unarchive-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const DESTS = ['t', 'b', 'x', 'z', 'r', 'm', 'n', 'o'];

const PLAYBOOK = `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: tgz from the controller
      unarchive: { src: a.tgz, dest: "{{ playbook_dir }}/out/t", list_files: true }
      register: t
    - name: tar.bz2
      unarchive: { src: a.tar.bz2, dest: "{{ playbook_dir }}/out/b" }
      register: b
    - name: tar.xz with exclude
      unarchive: { src: a.tar.xz, dest: "{{ playbook_dir }}/out/x", exclude: [top/sub] }
      register: x
    - name: zip from the controller
      unarchive: { src: a.zip, dest: "{{ playbook_dir }}/out/z", list_files: true }
      register: z
    - name: tgz already on the host, with a mode
      unarchive: { src: "{{ playbook_dir }}/files/a.tgz", dest: "{{ playbook_dir }}/out/r", remote_src: true, mode: "0750" }
      register: r
    - name: zip with a symbolic mode and an exclude
      unarchive: { src: a.zip, dest: "{{ playbook_dir }}/out/m", mode: "u=rwX,g=rX,o=", exclude: [top/sub/b] }
      register: m
    - name: one member of a tgz
      unarchive: { src: a.tgz, dest: "{{ playbook_dir }}/out/n", include: [top/a.txt] }
      register: inc
    - name: extra_opts strip the top folder
      unarchive: { src: a.tgz, dest: "{{ playbook_dir }}/out/o", extra_opts: [--strip-components=1], list_files: true }
      register: o
    - name: dest missing
      unarchive: { src: a.tgz, dest: "{{ playbook_dir }}/out/none" }
      register: e
      ignore_errors: true
    - name: remote src missing
      unarchive: { src: "{{ playbook_dir }}/nothing.tgz", dest: "{{ playbook_dir }}/out/t", remote_src: true }
      register: missing
      ignore_errors: true
    - name: creates
      unarchive: { src: a.tgz, dest: "{{ playbook_dir }}/out/t", creates: "{{ playbook_dir }}/files/a.zip" }
      register: c
    - name: what was registered
      when: not ansible_check_mode
      copy:
        dest: "{{ playbook_dir }}/reg.txt"
        content: |
          {{ t.files | sort }} {{ t.handler }} {{ t.changed }} {{ t.state }} {{ t.dest == playbook_dir ~ '/out/t' }}
          {{ z.files | sort }} {{ z.handler }} {{ z.changed }}
          {{ b.handler }} {{ x.handler }} {{ r.src == playbook_dir ~ '/files/a.tgz' }}
          {{ o.files | sort }}
          {{ b.changed }} {{ x.changed }} {{ r.changed }} {{ m.changed }} {{ inc.changed }} {{ o.changed }}
          {{ e.msg | replace(playbook_dir, '') }}|{{ missing.msg | replace(playbook_dir, '') }}
          {{ c.changed }} {{ c.skipped | default('') }}
`;

/** Every path under dir/out with its type, mode and bytes (or link target). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = lstatSync(p);
      const key = relative(dir, p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[key] = `link -> ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[key] = `dir ${mode}`;
        walk(p);
      } else out[key] = `file ${mode} ${readFileSync(p, 'utf8')}`;
    }
  };
  walk(join(dir, 'out'));
  return out;
}

/** The status word of each task named in `names`, in order, from the plain output. */
function statuses(out: string): string[] {
  return [...out.matchAll(/^(ok|changed|skipping|fatal|failed|unknown): \[localhost\]/gm)].map((m) => m[1]!);
}

const changedCount = (out: string) => Number(/localhost\s+:\s+ok=\d+\s+changed=(\d+)/.exec(out)?.[1]);

function seed(): string {
  const s = join(work, 'seed');
  mkdirSync(join(s, 'src/top/sub'), { recursive: true });
  mkdirSync(join(s, 'files'));
  writeFileSync(join(s, 'src/top/a.txt'), 'hello\n');
  writeFileSync(join(s, 'src/top/sub/b'), 'bee\n');
  chmodSync(join(s, 'src/top/sub/b'), 0o600);
  execFileSync('ln', ['-s', 'a.txt', join(s, 'src/top/l')]);
  const src = join(s, 'src');
  execFileSync('tar', ['czf', join(s, 'files/a.tgz'), '-C', src, 'top']);
  execFileSync('tar', ['cjf', join(s, 'files/a.tar.bz2'), '-C', src, 'top']);
  execFileSync('tar', ['cJf', join(s, 'files/a.tar.xz'), '-C', src, 'top']);
  execFileSync('zip', ['-qry', join(s, 'files/a.zip'), 'top'], { cwd: src });
  for (const d of DESTS) mkdirSync(join(s, 'out', d), { recursive: true });
  writeFileSync(join(s, 'play.yml'), PLAYBOOK);
  writeFileSync(join(s, 'inv'), 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
  return s;
}

describe('unarchive gives what ansible-playbook 2.14 gives', () => {
  it('check, run, rerun and a run after the tree drifted', async () => {
    const s = seed();
    const dirs = { ansible: join(work, 'ansible'), lvsplay: join(work, 'lvsplay') };
    cpSync(s, dirs.ansible, { recursive: true });
    cpSync(s, dirs.lvsplay, { recursive: true });
    const both = async (extra: string[] = []) => {
      const a = await ansiblePlaybook(['-i', 'inv', 'play.yml', ...extra], dirs.ansible);
      const l = await lvsplayRun(['-i', 'inv', 'play.yml', ...extra], dirs.lvsplay);
      expect(a.code, a.out + a.err).toBe(0);
      expect(l.code, l.out + l.err).toBe(0);
      return { a: a.out, l: l.out };
    };

    // Check mode: 2.14 skips a tar archive there ("does not support check mode when using gtar");
    // lvsplay predicts it. Zip archives and creates are predicted by both alike; a failure after
    // changes check mode did not make is \`unknown\` in lvsplay (it may depend on them).
    const check = await both(['--check']);
    const [ca, cl] = [statuses(check.a), statuses(check.l)];
    const unarchives = 11;
    const tar = [0, 1, 2, 4, 6, 7];
    for (let i = 0; i < unarchives; i++) {
      if (tar.includes(i)) {
        expect(ca[i], `task ${i}`).toBe('skipping');
        expect(cl[i], `task ${i}`).toBe('changed');
      } else if (ca[i] === 'fatal') expect(cl[i], `task ${i}`).toBe('unknown');
      else expect(cl[i], `task ${i}`).toBe(ca[i]);
    }
    expect(tree(dirs.lvsplay)).toEqual(tree(dirs.ansible));

    const run = await both();
    expect(statuses(run.l).slice(0, unarchives)).toEqual(statuses(run.a).slice(0, unarchives));
    // What check mode predicted is what the run did.
    expect(statuses(run.l).slice(0, 8)).toEqual(cl.slice(0, 8));
    expect(tree(dirs.lvsplay)).toEqual(tree(dirs.ansible));
    expect(Object.keys(tree(dirs.ansible)).length).toBeGreaterThan(20);
    expect(readFileSync(join(dirs.lvsplay, 'reg.txt'), 'utf8')).toBe(
      readFileSync(join(dirs.ansible, 'reg.txt'), 'utf8'),
    );

    const rerun = await both();
    expect(statuses(rerun.l)).toEqual(statuses(rerun.a));
    // Only the copy of what was registered changes (the first run said changed=True).
    expect(changedCount(rerun.l)).toBe(1);
    expect(changedCount(rerun.a)).toBe(1);

    // Drift: a member's mode changed, another's content and time, a zip member removed.
    for (const d of Object.values(dirs)) {
      chmodSync(join(d, 'out/t/top/a.txt'), 0o600);
      writeFileSync(join(d, 'out/b/top/sub/b'), 'changed\n');
      rmSync(join(d, 'out/z/top/sub/b'));
      chmodSync(join(d, 'out/r/top/a.txt'), 0o644);
    }
    const drift = await both();
    expect(statuses(drift.l)).toEqual(statuses(drift.a));
    expect(tree(dirs.lvsplay)).toEqual(tree(dirs.ansible));
    expect(readFileSync(join(dirs.lvsplay, 'reg.txt'), 'utf8')).toBe(
      readFileSync(join(dirs.ansible, 'reg.txt'), 'utf8'),
    );
  }, 300_000);
});
