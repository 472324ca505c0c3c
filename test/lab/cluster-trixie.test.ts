// The cluster on Debian 13 with systemd (inventory/lab-trixie.ini): site.yaml converges, a rerun
// changes nothing, check mode then predicts nothing, and `lvsplay verify` passes
// (VIP, real servers, replication). On a machine whose kernel has no IPVS the directors are UML
// guests on Debian 12; every other host is a systemd host (systemd 257, MariaDB 11.8, OpenSSH 10).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { labExec, labStatus } from '../../src/lab/index.js';
import { changed, ensureLab, runPlaybookFile } from '../helpers/lab-run.js';

const ROOT = resolve(import.meta.dirname, '../..');
const INVENTORY = join(ROOT, 'inventory/lab-trixie.ini');
const SITE = join(ROOT, 'playbooks/site.yaml');
const HOSTS = ['lvs1', 'lvs2', 'web1', 'web2', 'db1', 'db2'];
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

  it('passes lvsplay verify, and the bundled init scripts run as enabled systemd services', async () => {
    const v = spawnSync(process.execPath, [join(ROOT, 'bin/lvsplay.js'), 'verify', '-i', INVENTORY], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect((await labExec('db1', ['mariadb', '--version'])).stdout).toMatch(/11\.8\./);
    for (const h of ['web1', 'web2']) {
      const r = await labExec(h, ['sh', '-c', 'systemctl is-active realserver; systemctl is-enabled realserver']);
      expect(r.stdout.split('\n').slice(0, 2), h).toEqual(['active', 'enabled']);
    }
  }, 300_000);
});
