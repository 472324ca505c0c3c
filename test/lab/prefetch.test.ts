// Reading ahead (LVSPLAY_PREFETCH=1) gives the same results as reading task by task, and what a
// task changes on the host is never hidden from the tasks after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLab, runPlaybookText, type PlayRun } from '../helpers/lab-run.js';
import { labExec } from '../../src/lab/index.js';

const DIR = '/tmp/lvsplay-prefetch';
const pb = `
- hosts: web1
  gather_facts: false
  tasks:
    - name: base
      copy: { dest: ${DIR}/a.conf, content: "a=1\\n" }
    - name: look first
      stat: { path: ${DIR}/a.conf }
    - name: sneaky edit that says it changed nothing
      shell: echo "b=2" >> ${DIR}/a.conf
      changed_when: false
    - name: line b
      lineinfile: { path: ${DIR}/a.conf, line: b=2 }
    - name: sysctl
      sysctl: { name: net.ipv4.tcp_keepalive_intvl, value: "33", sysctl_file: ${DIR}/sysctl.conf }
    - name: stat it
      stat: { path: ${DIR}/a.conf }
      register: st
    - name: sizes agree
      assert: { that: [ "st.stat.size == 8" ] }
`;

const outcome = (r: PlayRun) => r.rec.results('web1').map((x) => [x.task, x.status]);

beforeAll(async () => {
  await ensureLab();
});
afterAll(() => {
  delete process.env.LVSPLAY_PREFETCH;
});

describe('reading ahead', () => {
  it('converges and reruns exactly as task-by-task reading does', async () => {
    const runs: Record<string, PlayRun[]> = {};
    for (const mode of ['0', '1']) {
      process.env.LVSPLAY_PREFETCH = mode;
      await labExec('web1', ['sh', '-c', `rm -rf ${DIR} && mkdir -p ${DIR}`]);
      runs[mode] = [await runPlaybookText(pb), await runPlaybookText(pb)];
    }
    expect(runs['1']!.map(outcome)).toEqual(runs['0']!.map(outcome));
    // "look first" reads ahead for the tasks after it; the shell task then appends b=2 behind
    // their back: line b must see it (and change nothing) instead of a stale read-ahead.
    expect(outcome(runs['1']![0]!)).toEqual([
      ['base', 'changed'],
      ['look first', 'ok'],
      ['sneaky edit that says it changed nothing', 'ok'],
      ['line b', 'ok'],
      ['sysctl', 'changed'],
      ['stat it', 'ok'],
      ['sizes agree', 'ok'],
    ]);
    expect(runs['1']!.every((r) => r.exitCode === 0)).toBe(true);
  });
});
