// copy, template, file, lineinfile, blockinfile and stat on each host kind (a SysV lab host, web2,
// and a systemd host of each release): converge from a known start, rerun with no change, check
// mode predicting exactly the real run's changes (same tasks, same diffs) without touching the
// host; and on web2 the edge cases a user meets.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { changed, statuses, type PlayRun } from '../helpers/lab-run.js';
import { ensureKindsLab, hostKinds, runOnKinds as runPlaybookText } from './modules-system-helpers.js';
import { labExec } from '../../src/lab/index.js';

const HOST = 'web2';
const APP = 'listen 80\nname app\n';
const DIR = '/tmp/mf';
const HOSTILE_NAME = `${DIR}/we ird $(touch mf-pwned) \`touch mf-pwned2\`; 'q' *`;
const HOSTILE = '$(touch /tmp/mf/pwned3); `touch /tmp/mf/pwned4`; \' " \\ ;\nnext line\n';

const shOn = (host: string) => async (script: string) => {
  const r = await labExec(host, ['sh', '-c', script]);
  return r.stdout;
};
const sh = shOn(HOST);

/** Everything under DIR with type, mode, owner, size, link target and content hash. */
const snapshotOn = (host: string) => () =>
  shOn(host)(`cd ${DIR} && find . -printf '%p %y %m %u:%g %s %l\\n' | sort && find . -type f -exec md5sum {} + | sort`);

async function resetOn(host: string) {
  await shOn(host)(
    `rm -rf ${DIR} && mkdir -p ${DIR}/tree/sub && printf 'a=1\\n# keep\\n' > ${DIR}/li.conf && printf '[x]\\n# keep\\n' > ${DIR}/li2.conf && echo bye > ${DIR}/gone && touch ${DIR}/tree/f ${DIR}/tree/sub/g && echo orig > ${DIR}/hard-src && touch ${DIR}/touched`,
  );
}

const play = (tasks: string, host = HOST) => `
- hosts: ${host}
  gather_facts: false
  tasks:
${tasks}
`;

/** What each changed task reported: summaries and diffs, for check-vs-real comparisons. */
function changeLog(run: PlayRun, host: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of run.rec.results(host)) if (r.status === 'changed') out[r.task] = r.result.changes;
  return out;
}

const convergeOn = (host: string) =>
  play(
    `
    - name: copy content
      copy:
        content: "{{ hostile }}"
        dest: "{{ hostile_name }}"
        mode: "0640"
    - name: copy src
      copy: { src: app.conf, dest: ${DIR}/app.conf, owner: nobody, group: daemon, mode: "u=rw,g=r,o=" }
    - name: copy into a directory
      copy: { src: app.conf, dest: ${DIR}/tree/ }
    - name: template
      template: { src: site.conf.j2, dest: ${DIR}/site.conf, validate: "grep -q 'port 8080' %s" }
    - name: directory
      file: { path: ${DIR}/d/e, state: directory, mode: "0750" }
    - name: recurse
      file: { path: ${DIR}/tree, state: directory, recurse: true, owner: nobody, mode: "0755" }
    - name: symlink
      file: { path: ${DIR}/l, src: li.conf, state: link }
    - name: hard link
      file: { path: ${DIR}/h, src: ${DIR}/hard-src, state: hard }
    - name: absent
      file: { path: ${DIR}/gone, state: absent }
    - name: touch new
      file: { path: ${DIR}/new, state: touch, mode: "0600", access_time: preserve, modification_time: preserve }
    - name: touch kept
      file: { path: ${DIR}/touched, state: touch, mode: "0600", access_time: preserve, modification_time: preserve }
    - name: line replace
      lineinfile: { path: ${DIR}/li.conf, regexp: '^a=', line: 'a=2' }
    - name: line add
      lineinfile: { path: ${DIR}/li2.conf, line: 'b=3', insertbefore: '^# keep' }
    - name: line hostile
      lineinfile: { path: ${DIR}/li3.conf, line: "{{ hostile_line }}", create: true }
    - name: block
      blockinfile: { path: ${DIR}/bi.conf, create: true, block: "x=1\\ny=2", mode: "0600" }
    - name: stat
      stat: { path: ${DIR}/app.conf }
      register: st
`,
    host,
  );
const files = { 'files/app.conf': APP, 'templates/site.conf.j2': 'server {{ inventory_hostname }}\nport {{ port }}\n' };
const extraVars = [
  JSON.stringify({ hostile: HOSTILE, hostile_name: HOSTILE_NAME, hostile_line: "x=$(id) `id` 'q'", port: 8080 }),
];

beforeAll(async () => {
  await ensureKindsLab();
}, 120_000);

describe.each(hostKinds(HOST))('file modules converge honestly on $kind ($host)', ({ host }) => {
  const [sh, snapshot, converge] = [shOn(host), snapshotOn(host), convergeOn(host)];
  beforeAll(() => resetOn(host), 120_000);

  it('check predicts, run makes exactly that, rerun is all ok', async () => {
    const start = await snapshot();
    const check = await runPlaybookText(converge, { check: true, diff: true, files, extraVars });
    expect(
      check.rec
        .results(host)
        .filter((r) => r.status !== 'ok' && r.status !== 'changed')
        .map((r) => `${r.task}: ${r.result.msg}`),
    ).toEqual([]);
    expect(check.exitCode).toBe(0);
    expect(await snapshot()).toBe(start); // check mode touched nothing
    const predicted = changed(check, host);
    expect(predicted.sort()).toEqual(
      [
        'copy content',
        'copy src',
        'copy into a directory',
        'template',
        'directory',
        'recurse',
        'symlink',
        'hard link',
        'absent',
        'touch new',
        'touch kept',
        'line replace',
        'line add',
        'line hostile',
        'block',
      ].sort(),
    );

    const real = await runPlaybookText(converge, { diff: true, files, extraVars });
    expect(real.exitCode).toBe(0);
    expect(changed(real, host).sort()).toEqual(predicted.sort());
    expect(changeLog(real, host)).toEqual(changeLog(check, host));
    expect(statuses(real, host)).toMatchObject({ stat: 'ok' });

    const again = await runPlaybookText(converge, { files, extraVars });
    expect(again.exitCode).toBe(0);
    expect(changed(again, host)).toEqual([]);
    const recheck = await runPlaybookText(converge, { check: true, files, extraVars });
    expect(changed(recheck, host)).toEqual([]);

    // the host holds what was asked, hostile text literally, and nothing was executed
    expect(await labExec(host, ['cat', HOSTILE_NAME]).then((r) => r.stdout)).toBe(HOSTILE);
    expect(await sh(`ls ${DIR}/pwned* ${DIR}/mf-pwned* ~/mf-pwned* /mf-pwned* 2>/dev/null | wc -l`)).toBe('0\n');
    expect(
      await sh(`stat -c '%a %U:%G' ${DIR}/app.conf "${DIR}/tree/app.conf" ${DIR}/d/e ${DIR}/new ${DIR}/bi.conf`),
    ).toBe('640 nobody:daemon\n755 nobody:root\n750 root:root\n600 root:root\n600 root:root\n');
    expect(
      await sh(
        `cat ${DIR}/site.conf; readlink ${DIR}/l; [ ${DIR}/h -ef ${DIR}/hard-src ] && echo same; [ -e ${DIR}/gone ] || echo gone`,
      ),
    ).toBe(`server ${host}\nport 8080\nli.conf\nsame\ngone\n`);
    expect(await sh(`cat ${DIR}/li.conf ${DIR}/li2.conf ${DIR}/li3.conf`)).toBe(
      "a=2\n# keep\n[x]\nb=3\n# keep\nx=$(id) `id` 'q'\n",
    );
    expect(await sh(`cat ${DIR}/bi.conf`)).toBe(
      '# BEGIN ANSIBLE MANAGED BLOCK\nx=1\ny=2\n# END ANSIBLE MANAGED BLOCK\n',
    );
    expect(await sh(`find ${DIR}/tree ! -user nobody | wc -l; find ${DIR}/tree ! -perm 0755 | wc -l`)).toBe('0\n0\n');
    expect(await sh(`ls -a ${DIR} | grep -c '^\\.lvsplay' || true`)).toBe('0\n'); // no temp file left
  }, 120_000);

  it('detects and fixes a mode or owner change alone, predicting it in check mode', async () => {
    await sh(`chmod 0666 ${DIR}/app.conf; chmod 0644 ${DIR}/bi.conf`);
    const check = await runPlaybookText(converge, { check: true, diff: true, files, extraVars });
    expect(changed(check, host).sort()).toEqual(['block', 'copy src']);
    const real = await runPlaybookText(converge, { diff: true, files, extraVars });
    expect(changeLog(real, host)).toEqual(changeLog(check, host));
    expect((changeLog(real, host)['copy src'] as { summary: string }[])[0]!.summary).toBe(
      `${DIR}/app.conf: mode: 0666 -> 0640`,
    );
    expect(await sh(`stat -c '%a %U' ${DIR}/app.conf`)).toBe('640 nobody\n');
    const again = await runPlaybookText(converge, { files, extraVars });
    expect(changed(again, host)).toEqual([]);
  }, 120_000);
});

describe('file module edge cases on web2', () => {
  it('stat reports what the file is, and never changes', async () => {
    const r = await runPlaybookText(
      play(`
    - name: stat
      stat: { path: ${DIR}/app.conf }
      register: st
    - name: stat link
      stat: { path: ${DIR}/l }
      register: sl
    - name: stat missing
      stat: { path: ${DIR}/missing }
      register: sm
    - name: stat says
      assert:
        that: [st.stat.exists, st.stat.isreg, "st.stat.mode == '0640'", "st.stat.pw_name == 'nobody'", "st.stat.checksum == '${createHash('sha1').update(APP).digest('hex')}'"]
    - name: link and missing
      assert: { that: [sl.stat.islnk, "sl.stat.lnk_target == 'li.conf'", "sl.stat.lnk_source == '${DIR}/li.conf'", not sm.stat.exists] }
`),
    );
    expect(statuses(r, HOST)).toEqual({
      stat: 'ok',
      'stat link': 'ok',
      'stat missing': 'ok',
      'stat says': 'ok',
      'link and missing': 'ok',
    });
  }, 60_000);

  it('a failing validate keeps the old file and leaves no temp file', async () => {
    await sh(`printf 'old\\n' > ${DIR}/v.conf`);
    const r = await runPlaybookText(
      play(`
    - name: bad
      copy: { content: "new\\n", dest: ${DIR}/v.conf, validate: "grep -q nothere %s" }
`),
    );
    expect(r.exitCode).toBe(2);
    expect(statuses(r, HOST)).toEqual({ bad: 'failed' });
    expect(r.rec.results(HOST)[0]!.result.msg).toMatch(/validat/);
    expect(await sh(`cat ${DIR}/v.conf; ls -a ${DIR} | grep -c '^\\.lvsplay' || true`)).toBe('old\n0\n');
  }, 60_000);

  it('backup leaves a copy of the old content and reports backup_file', async () => {
    await sh(`printf 'one\\n' > ${DIR}/b.conf`);
    const r = await runPlaybookText(
      play(`
    - name: with backup
      lineinfile: { path: ${DIR}/b.conf, line: two, backup: true }
      register: out
    - name: backup named
      assert: { that: ["out.backup_file is defined", "out.backup_file.startswith('${DIR}/b.conf.')"] }
`),
    );
    expect(r.exitCode).toBe(0);
    expect(await sh(`cat ${DIR}/b.conf; cat ${DIR}/b.conf.*~`)).toBe('one\ntwo\none\n');
  }, 60_000);

  it('force=no leaves an existing file; a template error names the template line', async () => {
    await sh(`printf 'mine\\n' > ${DIR}/keep.conf`);
    const r = await runPlaybookText(
      play(`
    - name: keep
      copy: { content: "theirs\\n", dest: ${DIR}/keep.conf, force: false }
    - name: broken
      template: { src: broken.j2, dest: ${DIR}/broken.conf }
`),
      { files: { 'templates/broken.j2': 'line one\n{{ nope_not_defined }}\n' } },
    );
    expect(statuses(r, HOST)).toEqual({ keep: 'ok', broken: 'failed' });
    expect(r.rec.results(HOST)[1]!.result.msg).toMatch(/broken\.j2:2/);
    expect(await sh(`cat ${DIR}/keep.conf; [ -e ${DIR}/broken.conf ] || echo none`)).toBe('mine\nnone\n');
  }, 60_000);

  it('copy with remote_src copies a host file; lineinfile absent removes lines', async () => {
    const pb = play(`
    - name: remote
      copy: { src: ${DIR}/li3.conf, dest: ${DIR}/li.copy, remote_src: true, mode: "0600" }
    - name: drop
      lineinfile: { path: ${DIR}/li.copy, regexp: '^x=', state: absent }
`);
    const r = await runPlaybookText(pb);
    expect(changed(r, HOST)).toEqual(['remote', 'drop']);
    const again = await runPlaybookText(pb);
    // copy puts li3.conf back, lineinfile drops the line again: both change, as in Ansible
    expect(changed(again, HOST)).toEqual(['remote', 'drop']);
    expect(await sh(`stat -c %a ${DIR}/li.copy; wc -c < ${DIR}/li.copy`)).toBe('600\n0\n');
  }, 60_000);
});
