// Facts gathered in one round trip, read by later tasks under Ansible's names, on each host kind
// (a UML or SysV director, lvs2, and a systemd host of each release).
import { beforeAll, describe, expect, it } from 'vitest';
import { labExec } from '../../src/lab/index.js';
import { statuses } from '../helpers/lab-run.js';
import { ensureKindsLab, hostKinds, play, runOnKinds as runPlaybookText } from './modules-system-helpers.js';

beforeAll(async () => {
  await ensureKindsLab();
});

describe.each(hostKinds('lvs2'))('setup / gather_facts on $kind ($host)', ({ host: H, init, release }) => {
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
          - ansible_distribution_major_version == '${release === 'trixie' ? 13 : 12}'
          - ansible_distribution_release == '${release}'
          - ansible_hostname == '${H}'
          - ansible_default_ipv4.address == ansible_host
          - ansible_host in ansible_all_ipv4_addresses
          - "'eth0' in ansible_interfaces"
          - ansible_eth0.ipv4.address == ansible_host
          - ansible_service_mgr == '${init === 'sysv' ? 'sysvinit' : 'systemd'}'
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
