// Real lab hosts: brought up through the API (the base is built on first use), reached over
// real OpenSSH through the controller namespace, isolated from each other.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { labExec, labPaths, labStatus, labUp } from '../../src/lab/index.js';
import { GUEST_MEM_MB } from '../../src/lab/host-uml.js';
import { pidsInPidns, pssKb, rssKb } from '../../src/lab/procs.js';
import { hostVarsOf, loadInventory } from '../../src/inventory/index.js';

const ssh = (args: string[]) => spawnSync('ssh', args, { encoding: 'utf8', timeout: 20_000 });

async function sh(host: string, script: string): Promise<string> {
  const r = await labExec(host, ['sh', '-c', script]);
  expect(r.code, `${host}: ${script}: ${r.stderr}`).toBe(0);
  return r.stdout.trim();
}

beforeAll(async () => {
  await labUp({ progress: 'plain' });
});

describe('lab hosts', () => {
  it('are the six cluster hosts and the client, running, each answering with its own name', async () => {
    const s = await labStatus();
    expect(s.up).toBe(true);
    expect(s.hosts.map((h) => `${h.name}:${h.state}`)).toEqual(
      ['lvs1', 'lvs2', 'web1', 'web2', 'db1', 'db2', 'client'].map((n) => `${n}:running`),
    );
    for (const h of ['lvs1', 'db2']) expect(await sh(h, 'hostname')).toBe(h);
  });

  it('have their own files: a file written in web1 is absent in web2', async () => {
    const mark = `mark-${process.pid}-${Date.now()}`;
    await sh('web1', `echo ${mark} > /root/isolation-mark`);
    expect(await sh('web1', 'cat /root/isolation-mark')).toBe(mark);
    const r = await labExec('web2', ['cat', '/root/isolation-mark']);
    expect(r.code).not.toBe(0);
    await sh('web1', 'rm -f /root/isolation-mark');
  });

  it('have their own net.* sysctls: setting one on lvs1 does not change lvs2', async () => {
    await sh('lvs1', 'sysctl -qw net.ipv4.ip_nonlocal_bind=1');
    expect(await sh('lvs1', 'cat /proc/sys/net/ipv4/ip_nonlocal_bind')).toBe('1');
    expect(await sh('lvs2', 'cat /proc/sys/net/ipv4/ip_nonlocal_bind')).toBe('0');
    await sh('lvs1', 'sysctl -qw net.ipv4.ip_nonlocal_bind=0');
  });

  it('cannot change machine-wide kernel settings', async () => {
    const r = await labExec('web1', ['sh', '-c', 'echo 1 > /proc/sys/kernel/panic']);
    expect(r.code).not.toBe(0);
  });

  it('have their own processes: pid 1 is the host init', async () => {
    expect(await sh('db1', 'cat /proc/1/cmdline | tr "\\0" " "')).toMatch(/tini .*lvsplay-init/);
    expect(await sh('db1', 'ps -e -o comm=')).not.toMatch(/node|vitest/);
  });

  it('pass the exit code and stdin of a command through', async () => {
    expect((await labExec('web2', ['sh', '-c', 'exit 7'])).code).toBe(7);
    expect((await labExec('web2', ['cat'], { input: 'over stdin' })).stdout).toBe('over stdin');
  });

  it('take ssh by key with strict host-key checking, through the lab ssh_config', () => {
    const p = labPaths();
    const r = ssh(['-F', p.sshConfig, '-o', 'BatchMode=yes', 'web1', 'hostname; id -un']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('web1\nroot\n');
  });

  it("take ssh with the inventory's own connection settings (as ansible-playbook uses them)", () => {
    const { inventory } = loadInventory(['inventory/lab.ini']);
    const v = hostVarsOf(inventory, 'db2');
    // ansible-playbook splits ansible_ssh_common_args as a shell would
    const cmd = `ssh -o BatchMode=yes ${String(v.ansible_ssh_common_args)} -i ${String(v.ansible_ssh_private_key_file)} ${String(v.ansible_user)}@${String(v.ansible_host)} hostname`;
    const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stdout.trim()).toBe('db2');
    expect(r.status).toBe(0);
  });

  it('refuse a host key that does not match (strict checking is real)', () => {
    const p = labPaths();
    const wrong = join(mkdtempSync(join(tmpdir(), 'lvsplay-kh-')), 'known_hosts');
    const lines = readFileSync(p.knownHosts, 'utf8').split('\n');
    const lvs1Key = lines
      .find((l) => l.startsWith('lvs1,'))!
      .split(' ')
      .slice(1)
      .join(' ');
    writeFileSync(wrong, lines.map((l) => (l.startsWith('web1,') ? `web1,10.0.7.211 ${lvs1Key}` : l)).join('\n'));
    const r = ssh(['-F', p.sshConfig, '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${wrong}`, 'web1', 'true']);
    expect(r.status).toBe(255);
    expect(r.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('install packages offline from the lab repository (apt-get install -y keepalived)', async () => {
    const r = await labExec('lvs2', [
      'sh',
      '-c',
      'DEBIAN_FRONTEND=noninteractive apt-get install -y -q keepalived ipvsadm && keepalived --version 2>&1 | head -1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Keepalived v2\./);
    expect(await sh('lvs2', 'grep -h ^deb /etc/apt/sources.list')).toBe('deb [trusted=yes] file:/srv/lvsplay-repo ./');
    // leave the host as the cluster roles expect to find it
    await sh(
      'lvs2',
      'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q keepalived ipvsadm >/dev/null && apt-get autoremove -y -q --purge >/dev/null',
    );
  }, 120_000);

  it("see their kernel's IPVS as it is: a namespace host has /proc/net/ip_vs only when the machine has it, a UML guest from its own kernel", async () => {
    const s = await labStatus();
    for (const h of s.hosts.filter((x) => x.state === 'running' && ['web1', 'lvs1'].includes(x.name))) {
      const r = await labExec(h.name, ['test', '-e', '/proc/net/ip_vs']);
      if (h.kind === 'uml') {
        expect(r.code, `${h.name} (UML guest)`).toBe(0);
        continue;
      }
      expect(r.code === 0, h.name).toBe(s.ipvs === 'loaded');
      expect(r.code === 0, h.name).toBe(existsSync('/proc/net/ip_vs'));
    }
  });

  it('are left as they are by a repeated up, which is quick', async () => {
    const before = await labStatus();
    const r = await labUp({ progress: 'silent' });
    const after = await labStatus();
    expect(r.builtBase).toBe(false);
    expect(r.ms).toBeLessThan(5_000);
    expect(after.hosts.map((h) => h.pid)).toEqual(before.hosts.map((h) => h.pid));
  });

  it("use little memory when idle: the lab's own processes of a host (init, sshd, syslogd) stay under 5 MB", async () => {
    // Services a test installed (keepalived, mariadb...) are the host's workload, not the lab's
    // cost: count only what every lab host runs from boot.
    const base = new Set(['tini', 'lvsplay-init', 'sshd', 'syslogd', 'sleep']);
    const s = await labStatus();
    for (const h of s.hosts.filter((x) => x.state === 'running')) {
      if (h.kind === 'uml') {
        // A UML guest's cost is its RAM (mem=, only touched pages count; whatever ran in it
        // before, e.g. dpkg, may have touched all of it as page cache) plus its kernel's own
        // text and helpers, counted once: the bound the lab sets, whatever the guest did.
        expect(h.pssKb, `${h.name} (UML guest)`).toBeLessThan((GUEST_MEM_MB + 16) * 1024);
        // Every page of the guest is in its kernel's address space (the guest's processes map
        // pages of that same RAM): the figure cannot pass the kernel's resident size, plus the
        // few pages of each process's own stub. A kernel helper counted twice would.
        const kernelRss = rssKb([h.pid!]);
        expect(h.pssKb, `${h.name}: kernel RSS ${kernelRss} kB`).toBeLessThan(kernelRss + h.processes * 64 + 4096);
        continue;
      }
      const pids = pidsInPidns(h.pid!).filter((p) => base.has(readFileSync(`/proc/${p}/comm`, 'utf8').trim()));
      expect(pids.length, `${h.name} runs its init and sshd`).toBeGreaterThanOrEqual(2);
      expect(pssKb(pids), h.name).toBeLessThan(5 * 1024);
    }
  });
});
