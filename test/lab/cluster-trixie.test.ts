// The cluster on Debian 13 with systemd (inventory/lab-trixie.ini): site.yaml converges, a rerun
// changes nothing, check mode then predicts nothing, and `lvsplay verify` passes
// (VIP, real servers, replication); every host rebooted comes back by itself. On a machine whose kernel has no IPVS the directors are UML
// guests on Debian 12; every other host is a systemd host (systemd 257, MariaDB 11.8, OpenSSH 10).
// Its hosts are hardened: runs log in as the admin user and become root with sudo and the
// vault's password; sshd refuses root.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { labExec, labPaths, labStatus } from '../../src/lab/index.js';
import { readAdminPolicies } from '../../src/lab/admin.js';
import { changed, ensureLab, runPlaybookFile } from '../helpers/lab-run.js';
import { rebootInBatches, replicatesBothWays } from '../helpers/reboot.js';

const ROOT = resolve(import.meta.dirname, '../..');
const INVENTORY = join(ROOT, 'inventory/lab-trixie.ini');
const SITE = join(ROOT, 'playbooks/site.yaml');
const HOSTS = ['lvs1', 'lvs2', 'web1', 'web2', 'db1', 'db2'];
const lvsplay = (args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'bin/lvsplay.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
const site = (check = false) => runPlaybookFile(SITE, { inventory: [INVENTORY], cwd: ROOT, check, diff: check });

beforeAll(async () => {
  await ensureLab({ inventory: INVENTORY });
}, 300_000);

describe('the cluster on Debian 13 with systemd', () => {
  it('runs its hosts as systemd hosts on trixie (directors: UML guests where this kernel has no IPVS)', async () => {
    const s = await labStatus();
    for (const h of s.hosts.filter((x) => !x.groups.includes('directors')))
      expect(`${h.name} ${h.kind} ${h.release} ${h.state}`).toBe(`${h.name} systemd trixie running`);
  });

  // (check mode cannot run first on fresh hosts: reading a database server's replication state
  // needs the mysql client the run installs)
  it('converges; a rerun changes nothing, and check mode then predicts nothing', async () => {
    const real = await site();
    expect(real.exitCode).toBe(0);
    const again = await site();
    expect(again.exitCode).toBe(0);
    const check = await site(true);
    expect(check.exitCode).toBe(0);
    for (const h of HOSTS) expect([h, ...changed(again, h), ...changed(check, h)]).toEqual([h]);
  }, 900_000);

  it('logs in as admin and becomes root with sudo and the vault password, which no output shows', async () => {
    const password = readAdminPolicies([INVENTORY], ROOT).get('web1')?.password?.reveal() ?? '';
    expect(password.length).toBeGreaterThanOrEqual(12);
    // sudo asks admin for a password on the Debian 13 hosts (no NOPASSWD rule)
    const n = await labExec('web1', ['runuser', '-u', 'admin', '--', 'sudo', '-n', 'true']);
    expect(n.code, n.stdout + n.stderr).not.toBe(0);
    expect(n.stderr).toMatch(/password is required/);
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-become-'));
    writeFileSync(
      join(dir, 'play.yml'),
      [
        '- hosts: web1:db1:lvs1',
        '  gather_facts: no',
        '  tasks:',
        // sudo says who called it: the login user
        '    - { name: who, shell: \'echo "$(id -un) ${SUDO_USER:-}"\', changed_when: false }',
        '    - name: a file only root may write, changed on every run (a diff)',
        '      copy: { dest: /root/lvsplay-become-probe, content: "{{ 1000000 | random }}\\n", mode: "0600" }',
        '    - { name: the password, debug: { msg: "{{ ansible_become_password }}" } }',
        '',
      ].join('\n'),
    );
    const play = join(dir, 'play.yml');
    const text = lvsplay(['run', play, '-i', INVENTORY, '-vvv', '--diff']);
    const json = lvsplay(['run', play, '-i', INVENTORY, '--diff', '--output', 'json']);
    for (const r of [text, json]) {
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(password);
    }
    const doc = JSON.parse(json.stdout) as {
      plays: { tasks: { task: { name: string }; hosts: Record<string, { stdout?: string }> }[] }[];
    };
    const tasks = doc.plays[0]!.tasks;
    const out = (name: string) => tasks.find((t) => t.task.name === name)!.hosts;
    for (const h of ['web1', 'db1', 'lvs1']) expect(`${h} ${out('who')[h]?.stdout}`).toBe(`${h} root admin`);
  }, 300_000);

  it('lets ansible in through the same inventory: as admin, root through sudo with the vault password', () => {
    const password = readAdminPolicies([INVENTORY], ROOT).get('web1')?.password?.reveal() ?? '';
    const env: NodeJS.ProcessEnv = { ...process.env, ANSIBLE_NOCOLOR: '1' };
    delete env.ANSIBLE_CONFIG;
    // raw: no python needed on the hosts; -o one line per host (escaped, after sudo's prompt line on a
    // host that asked for the password)
    const r = spawnSync(
      'ansible',
      ['web1:lvs1', '-i', INVENTORY, '-m', 'raw', '-a', 'echo "$(id -un) ${SUDO_USER:-}"', '-o', '-vvv'],
      { cwd: ROOT, env, encoding: 'utf8', timeout: 180_000 },
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    for (const h of ['web1', 'lvs1'])
      expect(r.stdout).toMatch(
        new RegExp(`^${h} \\| CHANGED \\| rc=0 \\| \\(stdout\\) (\\\\r\\\\n)*root admin\\b`, 'm'),
      );
    expect(r.stdout + r.stderr).not.toContain(password);
  }, 300_000);

  it("refuses root logins in the Debian 13 hosts' sshd; the lab's ssh_config logs in as admin", () => {
    const ssh = (...login: string[]) =>
      spawnSync('ssh', ['-F', labPaths().sshConfig, '-o', 'BatchMode=yes', ...login, 'web1', 'id -un'], {
        encoding: 'utf8',
        timeout: 60_000,
      });
    const byDefault = ssh();
    expect(byDefault.status, byDefault.stderr).toBe(0);
    expect(byDefault.stdout.trim()).toBe('admin');
    const root = ssh('-l', 'root');
    expect(root.status).toBe(255);
    expect(root.stderr).toMatch(/Permission denied/);
  });

  it('passes lvsplay verify, and the bundled init scripts run as enabled systemd services', async () => {
    const v = lvsplay(['verify', '-i', INVENTORY]);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect((await labExec('db1', ['mariadb', '--version'])).stdout).toMatch(/11\.8\./);
    for (const h of ['web1', 'web2']) {
      const r = await labExec(h, ['sh', '-c', 'systemctl is-active realserver; systemctl is-enabled realserver']);
      expect(r.stdout.split('\n').slice(0, 2), h).toEqual(['active', 'enabled']);
    }
  }, 300_000);

  // UML directors (no IPVS in this kernel) are the SysV guests cluster.test.ts reboots already:
  // here only the systemd hosts reboot, which keeps this short
  it('every systemd host rebooted, a real server and a database (and a director) at a time, comes back by itself with its enabled units; site.yaml then changes nothing', async () => {
    expect((await site()).exitCode).toBe(0);
    const s = await labStatus();
    const systemd = (names: string[]) => names.filter((n) => s.hosts.find((h) => h.name === n)?.kind === 'systemd');
    const t0 = Date.now();
    const batches = await rebootInBatches(
      [systemd(['lvs1', 'web1', 'db1']), systemd(['lvs2', 'web2', 'db2'])],
      180_000,
    );
    await replicatesBothWays(['db1', 'db2']);
    console.log(`reboots: ${JSON.stringify(batches)}; all back in ${Date.now() - t0} ms`);
    const again = await site();
    expect(again.exitCode).toBe(0);
    for (const h of HOSTS) expect([h, ...changed(again, h)]).toEqual([h]);
  }, 900_000);
});
