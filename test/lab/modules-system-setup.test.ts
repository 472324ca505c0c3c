// Facts gathered from lvs2 in one round trip, read by later tasks under Ansible's names.
import { beforeAll, describe, expect, it } from 'vitest';
import { labExec } from '../../src/lab/index.js';
import { ensureLab, runPlaybookText, statuses } from '../helpers/lab-run.js';
import { play } from './modules-system-helpers.js';

const H = 'lvs2';
beforeAll(async () => {
  await ensureLab();
});

describe('setup / gather_facts on a lab host', () => {
  it('gathers OS, addresses, init system, package manager and IPVS for later tasks', async () => {
    // IPVS as the host's kernel has it (a UML director's own kernel does; this machine's may not)
    const ipvs = (await labExec(H, ['test', '-e', '/proc/net/ip_vs'])).code === 0;
    const r = await runPlaybookText(
      play(
        H,
        `
    - name: facts as Ansible names them
      assert:
        that:
          - ansible_distribution == 'Debian'
          - ansible_os_family == 'Debian'
          - ansible_distribution_major_version == '12'
          - ansible_hostname == 'lvs2'
          - ansible_default_ipv4.address == '10.0.7.12'
          - "'10.0.7.12' in ansible_all_ipv4_addresses"
          - "'eth0' in ansible_interfaces"
          - ansible_eth0.ipv4.address == ansible_host
          - ansible_service_mgr == 'sysvinit'
          - ansible_pkg_mgr == 'apt'
          - ansible_facts.lvsplay_ipvs == ${ipvs ? 'true' : 'false'}
          - ansible_processor_vcpus >= 1
          - ansible_memtotal_mb > 0
`,
        true,
      ),
    );
    expect(r.exitCode, JSON.stringify(r.rec.results(H).map((x) => [x.task, x.status, x.result.msg]))).toBe(0);
    expect(statuses(r, H)).toEqual({ 'Gathering Facts': 'ok', 'facts as Ansible names them': 'ok' });
    const gathered = r.rec.results(H)[0]!.result;
    expect(gathered.commands?.length).toBe(1);
  });

  it('runs as a task with a filter, and in check mode too', async () => {
    const pb = play(
      H,
      `
    - name: only distribution facts
      setup:
        filter: ['ansible_distribution*']
      register: f
    - name: read them
      assert:
        that:
          - f.ansible_facts.distribution == 'Debian'
          - f.ansible_facts.hostname is not defined
`,
    );
    for (const check of [false, true]) {
      const r = await runPlaybookText(pb, { check });
      expect(statuses(r, H)).toEqual({ 'only distribution facts': 'ok', 'read them': 'ok' });
    }
  });
});
