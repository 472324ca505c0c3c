// A director that runs a hand init script beside keepalived: the script adds the VIP itself and
// programs IPVS with ipvsadm, where keepalived owns the same VIP (vrrp_instance) and virtual
// service (virtual_server). lint (on the script, the director's keepalived.conf and the
// inventory) and verify (on the live host, before any boot) predict the conflict; then the
// script is run on the BACKUP director, as its next boot would run it, and the prediction is
// observed: both directors hold the VIP, and keepalived's IPVS table is wiped and replaced.
// The director is restored at the end, whatever failed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { labExec, labStatus } from '../../src/lab/index.js';
import type { Finding } from '../../src/lint/types.js';
import type { VerifyReport } from '../../src/verify/index.js';
import { runCli } from '../helpers/cli.js';
import { ensureCluster, LAB_INVENTORY } from '../helpers/lab-run.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SCRIPT = join(import.meta.dirname, 'fixtures/boot-conflict/lvs_conflict');
const INSTALLED = '/etc/init.d/lvs_conflict';
const LINK = '/etc/rc2.d/S99lvs_conflict';
const clusterVars = readFileSync(join(ROOT, 'inventory/group_vars/all/cluster.yml'), 'utf8');
const VIP = /^lvs_vip:\s*(\S+)/m.exec(clusterVars)![1]!;
const ALGORITHM = /^lvs_algorithm:\s*(\S+)/m.exec(clusterVars)![1]!;
// lvs1 is the BACKUP (inventory/lab.ini): the VIP is lvs2's until the script runs
const DIRECTOR = 'lvs1';

async function must(host: string, script: string): Promise<string> {
  const r = await labExec(host, ['sh', '-c', script]);
  if (r.code !== 0) throw new Error(`${host}: ${script}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** The director's IPVS service for the VIP: scheduler and `real server weight` lines. */
async function ipvsTable(host: string): Promise<{ scheduler: string; reals: string[] } | undefined> {
  const out = await must(host, `ipvsadm -Ln -t ${VIP}:80 2>/dev/null || true`);
  const service = new RegExp(`^TCP\\s+${VIP.replace(/\./g, '\\.')}:80 (\\w+)`, 'm').exec(out);
  if (!service) return undefined;
  const reals = [...out.matchAll(/^\s+->\s+(\d+\.\d+\.\d+\.\d+):80\s+\w+\s+(\d+)/gm)].map((m) => `${m[1]} ${m[2]}`);
  return { scheduler: service[1]!, reals: reals.sort() };
}

/** The script in /etc/init.d, started at boot (an S link in rc2.d), as an operator installs it. */
async function install(): Promise<void> {
  const r = await labExec(
    DIRECTOR,
    ['sh', '-c', `cat > ${INSTALLED} && chmod 755 ${INSTALLED} && ln -sf ../init.d/lvs_conflict ${LINK}`],
    { input: readFileSync(SCRIPT, 'utf8') },
  );
  if (r.code !== 0) throw new Error(`${DIRECTOR}: installing ${INSTALLED}: ${r.stderr}`);
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const t0 = Date.now();
  let v = await read();
  while (!ok(v) && Date.now() - t0 < ms) {
    await new Promise((r) => setTimeout(r, 500));
    v = await read();
  }
  return v;
}

describe('a director script that fights keepalived, predicted then observed', () => {
  let keepalivedTable: Awaited<ReturnType<typeof ipvsTable>>;

  beforeAll(async () => {
    // the converged cluster, whatever ran before
    await ensureCluster();
    keepalivedTable = await until(
      () => ipvsTable(DIRECTOR),
      (t) => t?.reals.length === 2,
      30_000,
    );
  }, 240_000);

  afterAll(async () => {
    // the director as the roles left it: the script stopped and gone, keepalived's table back
    await labExec(DIRECTOR, ['sh', '-c', `[ -x ${INSTALLED} ] && ${INSTALLED} stop; rm -f ${INSTALLED} ${LINK}`]);
    // stop, wait for the old daemon to exit, start (as the role's handlers do: a restart that
    // starts before the old keepalived is gone leaves none running)
    await must(
      DIRECTOR,
      '/etc/init.d/keepalived stop >/dev/null; i=0; while pidof keepalived >/dev/null && [ $i -lt 60 ]; do sleep 0.5; i=$((i + 1)); done; /etc/init.d/keepalived start >/dev/null',
    );
    const holders = await until(
      async () => (await labStatus()).vipHolders,
      (h) => h.length === 1,
      60_000,
    );
    expect(holders).toEqual(['lvs2']);
    expect(
      await until(
        () => ipvsTable(DIRECTOR),
        (t) => t?.scheduler === ALGORITHM && t.reals.length === 2,
        60_000,
      ),
    ).toEqual(keepalivedTable);
  }, 120_000);

  it('keepalived owns the VIP on one director and fills the IPVS table', async () => {
    expect((await labStatus()).vipHolders).toEqual(['lvs2']);
    expect(keepalivedTable?.scheduler).toBe(ALGORITHM);
    expect(keepalivedTable?.reals).toHaveLength(2);
  });

  it('lint, on the script, the live keepalived.conf and the inventory, predicts the conflict', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-boot-conflict-'));
    // the include holds auth_pass only, and names a file on the host
    const conf = (await must(DIRECTOR, 'cat /etc/keepalived/keepalived.conf')).replace(/^(\s*include\b.*)$/gm, '#$1');
    writeFileSync(join(dir, 'keepalived.conf'), conf);
    const r = await runCli(
      [
        'lint',
        '-i',
        LAB_INVENTORY,
        '--keepalived',
        join(dir, 'keepalived.conf'),
        '--script',
        SCRIPT,
        '--no-shellcheck',
        '--format',
        'json',
      ],
      ROOT,
    );
    expect(r.code).toBe(1);
    const findings = (JSON.parse(r.out) as { findings: Finding[] }).findings.filter((f) =>
      ['script-vip-vrrp', 'script-ipvs-keepalived'].includes(f.rule),
    );
    const at = (rule: string) =>
      [...new Set(findings.filter((f) => f.rule === rule).map((f) => `${f.severity}@${f.pos?.line}`))].sort();
    // line 19 adds the VIP; line 20 clears the table, 21 and 23 program the service keepalived has
    expect(at('script-vip-vrrp')).toEqual(['error@19']);
    expect(at('script-ipvs-keepalived')).toEqual(['error@20', 'error@21', 'error@23']);
    expect(findings.find((f) => f.rule === 'script-vip-vrrp')?.message).toContain(
      `adds ${VIP} on eth0 (ip), which VRRP instance`,
    );
  });

  it('verify, on the live director with the script installed to start at boot, says what the next boot will do', async () => {
    await install();
    const run = await runCli(['verify', '--format', 'json', '-i', LAB_INVENTORY], ROOT);
    const r = JSON.parse(run.out) as VerifyReport;
    expect(run.code).toBe(2);
    const boot = r.checks.filter((c) => c.id === 'boot-scripts');
    expect(boot.filter((c) => !c.ok).map((c) => c.host)).toEqual([DIRECTOR]);
    const said = boot.find((c) => c.host === DIRECTOR)!.detail;
    expect(said).toContain(
      `lvs_conflict will add VIP ${VIP} to eth0 and program IPVS at boot, which keepalived also owns: lvs1 will hold the VIP whatever VRRP elects, so with lvs2 as MASTER both directors will hold it; its ipvsadm -C wipes the IPVS table keepalived filled`,
    );
    expect(said).toContain(
      `${INSTALLED} at boot: adds ${VIP}/32 on eth0:0, clears the IPVS table, adds IPVS service ${VIP}:80 (rr)`,
    );
    // nothing else fails: the script is the only thing wrong, and it has not run yet
    expect(r.checks.filter((c) => !c.ok).map((c) => `${c.host} ${c.id}`)).toEqual([`${DIRECTOR} boot-scripts`]);
    // the real servers' own init script is read too, and agrees
    expect(boot.find((c) => c.host === 'web1')?.detail).toMatch(
      /^\/etc\/init\.d\/realserver at boot: sets net\.ipv4\.conf\.lo\.arp_ignore=1, /,
    );
    expect(boot.find((c) => c.host === 'web1')?.detail).toContain(`adds ${VIP}/32 on lo:vip`);
  }, 120_000);

  it("run as a boot runs it, the script puts the VIP on both directors and replaces keepalived's IPVS table", async () => {
    await install();
    await must(DIRECTOR, `${INSTALLED} start`);
    expect((await labStatus()).vipHolders.sort()).toEqual(['lvs1', 'lvs2']);
    const table = await ipvsTable(DIRECTOR);
    expect(table).toEqual({ scheduler: 'rr', reals: ['10.0.7.211 1', '10.0.7.29 1'] });
    expect(table).not.toEqual(keepalivedTable);
    // and verify sees it now, not only at the next boot
    const run = await runCli(['verify', '--format', 'json', '-i', LAB_INVENTORY], ROOT);
    const r = JSON.parse(run.out) as VerifyReport;
    expect(r.checks.find((c) => c.id === 'vip-holder')?.detail).toBe('held by lvs1, lvs2');
  }, 120_000);
});
