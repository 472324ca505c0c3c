// `lvsplay verify` on the lab: passes on the converged cluster; each injected fault (drifted
// files, a missing sysctl, a deleted firewall rule, split brain, stopped replication, a crash)
// fails exactly the checks that must see it. Every fault is undone, even when an assertion fails.
import { describe, expect, it, beforeAll } from 'vitest';
import { resolve } from 'node:path';
import { labBoot, labCrash, labExec } from '../../src/lab/index.js';
import type { VerifyReport } from '../../src/verify/index.js';
import { ensureCluster, LAB_INVENTORY } from '../helpers/lab-run.js';
import { runCli } from '../helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CONF = '/etc/keepalived/keepalived.conf';

async function verify(...extra: string[]): Promise<{ code: number; r: VerifyReport }> {
  const run = await runCli(['verify', '--format', 'json', '-i', LAB_INVENTORY, ...extra], ROOT);
  return { code: run.code, r: JSON.parse(run.out) as VerifyReport };
}
const failing = (r: VerifyReport) => r.checks.filter((c) => !c.ok).map((c) => `${c.host ?? '*'} ${c.id}`);

async function must(host: string, script: string): Promise<string> {
  const r = await labExec(host, ['sh', '-c', script]);
  if (r.code !== 0) throw new Error(`${host}: ${script}: ${r.stderr}`);
  return r.stdout;
}

describe('lvsplay verify on the lab', () => {
  beforeAll(async () => {
    // Earlier lab tests may have wiped or changed the hosts: deploy the cluster first.
    await ensureCluster();
  }, 120_000);

  it('passes on the converged cluster, with figures', async () => {
    const { code, r } = await verify();
    expect(failing(r)).toEqual([]);
    expect(code).toBe(0);
    const ids = new Set(r.checks.map((c) => c.id));
    for (const id of [
      'vip-holder',
      'keepalived-running',
      'keepalived-drift',
      'vip-on-lo',
      'arp-sysctls',
      'service-listening',
      'replication',
      'server-ids',
      'drift',
      'http',
      'arp-silence',
    ])
      expect(ids).toContain(id);
    expect(r.checks.find((c) => c.id === 'arp-silence')?.detail).toBe('answered by lvs2');
    expect(
      r.checks.filter((c) => c.id === 'http').map((c) => `${c.host} ${c.detail.replace(/\d+ ms/, 'N ms')}`),
    ).toEqual(['web1 HTTP 200 in N ms', 'web2 HTTP 200 in N ms']);
    expect(r.checks.filter((c) => c.id === 'drift').map((c) => c.host)).toEqual([
      'lvs1',
      'lvs2',
      'web1',
      'web2',
      'db1',
      'db2',
    ]);
    expect(r.checks.find((c) => c.id === 'vip-holder')?.detail).toBe('held by lvs2');
    expect(r.checks.find((c) => c.id === 'replication' && c.host === 'db1')?.detail).toMatch(
      /IO Yes, SQL Yes, from 10\.0\.7\.42, \d+s behind/,
    );
    expect(
      r.checks.filter((c) => c.id === 'replication-probe').map((c) => `${c.host} ${c.detail.replace(/\d+/, 'N')}`),
    ).toEqual(['db2 after N ms', 'db1 after N ms']);
    // The probe deletes its rows again, on both masters (the table stays, see replication-probe.ts).
    for (const db of ['db1', 'db2'])
      expect(await must(db, "mysql --batch --skip-column-names -e 'SELECT COUNT(*) FROM lvsplay_probe.rows'")).toBe(
        '0\n',
      );
  }, 120_000);

  it('a drifted keepalived.conf fails the drift check with a diff', async () => {
    const before = await must('lvs1', `cat ${CONF}`);
    try {
      await must('lvs1', `echo '# edited by hand' >> ${CONF}`);
      const { code, r } = await verify();
      expect(code).toBe(2);
      // The file check shows the diff; the check-mode run names the task that would fix it.
      expect(failing(r)).toEqual(['lvs1 keepalived-drift', 'lvs1 drift']);
      expect(r.checks.find((c) => c.id === 'drift' && c.host === 'lvs1')?.detail).toBe(
        '1 task(s) would change: director : Write keepalived.conf (checked by keepalived -t before it replaces the old one)',
      );
      const drift = r.checks.find((c) => c.id === 'keepalived-drift' && c.host === 'lvs1');
      expect(drift?.diff).toContain(`--- before: lvs1:${CONF}`);
      expect(drift?.diff).toContain('-# edited by hand');
      const text = await runCli(['verify', '-i', LAB_INVENTORY], ROOT);
      expect(text.out).toMatch(
        /FAIL {2}lvs1: \/etc\/keepalived\/keepalived.conf matches the inventory: 1 line\(s\) differ/,
      );
    } finally {
      await labExec('lvs1', ['sh', '-c', `cat > ${CONF}`], { input: before });
    }
    expect(await must('lvs1', `cat ${CONF}`)).toBe(before);
  }, 180_000);

  it('arp_ignore=0 on web1 fails the ARP sysctl check', async () => {
    const key = '/proc/sys/net/ipv4/conf/all/arp_ignore';
    const before = (await must('web1', `cat ${key}`)).trim();
    try {
      await must('web1', `echo 0 > ${key}`);
      const { code, r } = await verify();
      expect(code).toBe(2);
      // web1 now answers ARP for the VIP it holds on lo: seen from the controller too.
      expect(failing(r)).toEqual(['web1 arp-sysctls', '* arp-silence', 'web1 drift']);
      expect(r.checks.find((c) => c.id === 'arp-silence')?.detail).toMatch(
        /^answered by (lvs2, web1|web1, lvs2) \(not the holder: web1\)$/,
      );
      expect(r.checks.find((c) => c.id === 'drift' && c.host === 'web1')?.diff).toMatch(
        /net\.ipv4\.conf\.all\.arp_ignore/,
      );
      expect(r.checks.find((c) => c.id === 'arp-sysctls' && c.host === 'web1')?.detail).toBe(
        'net.ipv4.conf.all.arp_ignore=0 (want 1)',
      );
    } finally {
      await labExec('web1', ['sh', '-c', `echo ${before} > ${key}`]);
    }
    expect((await must('web1', `cat ${key}`)).trim()).toBe('1');
  }, 180_000);

  it('a drifted init script, a lost persisted sysctl and a deleted firewall rule fail the drift check, naming their tasks', async () => {
    const script = await must('web2', 'cat /etc/init.d/realserver');
    const sysctlFile = await must('web2', 'cat /etc/sysctl.d/60-lvs-realserver.conf');
    try {
      await must(
        'web2',
        "sed -i 's/^# Provides:.*/# Provides: realserver-by-hand/' /etc/init.d/realserver && rm /etc/sysctl.d/60-lvs-realserver.conf && iptables -D INPUT -p tcp -m tcp --dport 80 -j ACCEPT",
      );
      const { code, r } = await verify();
      expect(code).toBe(2);
      // The runtime sysctls and the VIP are still right, but without its rule port 80 falls to
      // the firewall's final DROP: HTTP from the controller fails, and the drift check names all three.
      expect(failing(r)).toEqual(['web2 http', 'web2 drift']);
      const drift = r.checks.find((c) => c.id === 'drift' && c.host === 'web2')!;
      // The realserver role adds the rule back (its handler, which saves the rules, is no drift
      // of its own).
      expect(drift.detail).toBe(
        '3 task(s) would change: realserver : Accept web clients, realserver : Do not answer ARP for the VIP, now and at boot, realserver : Install /etc/init.d/realserver (the VIP on lo)',
      );
      expect(drift.diff).toContain('-# Provides: realserver-by-hand');
      expect(drift.diff).toContain('/etc/sysctl.d/60-lvs-realserver.conf');
    } finally {
      await labExec('web2', ['sh', '-c', 'cat > /etc/init.d/realserver'], { input: script });
      await labExec('web2', ['sh', '-c', 'cat > /etc/sysctl.d/60-lvs-realserver.conf'], { input: sysctlFile });
      await labExec('web2', [
        'sh',
        '-c',
        'iptables -C INPUT -p tcp -m tcp --dport 80 -j ACCEPT 2>/dev/null || iptables -I INPUT -p tcp -m tcp --dport 80 -j ACCEPT',
      ]);
    }
    expect(failing((await verify()).r)).toEqual([]);
  }, 180_000);

  it('--limit verifies only the hosts it names, and leaves out the checks that need the others', async () => {
    const { code, r } = await verify('--limit', 'realservers');
    expect(code).toBe(0);
    expect([...new Set(r.checks.map((c) => c.host ?? '*'))]).toEqual(['web1', 'web2']);
    expect(r.checks.filter((c) => c.id === 'drift').map((c) => c.host)).toEqual(['web1', 'web2']);
    const none = await runCli(['verify', '-i', LAB_INVENTORY, '--limit', 'nosuchhost'], ROOT);
    expect(none.code).toBe(5);
    expect(none.err).toMatch(/--limit 'nosuchhost' leaves no hosts/);
    const fo = await runCli(['verify', '--failover', '-i', LAB_INVENTORY, '--limit', 'lvs1'], ROOT);
    expect(fo.code).toBe(5);
    expect(fo.err).toMatch(/--limit leaves out lvs2/);
  }, 180_000);

  it('the VIP on both directors (split brain) fails the VIP check', async () => {
    // lvs1 is the BACKUP: give it the VIP by hand, as a lost advert would.
    try {
      await must('lvs1', 'ip addr add 10.0.7.247/24 dev eth0');
      const { code, r } = await verify();
      expect(code).toBe(2);
      // Both directors now answer ARP for the VIP, as the controller sees.
      expect(failing(r)).toEqual(['* vip-holder', '* arp-silence']);
      expect(r.checks.find((c) => c.id === 'vip-holder')?.detail).toMatch(/lvs1.*lvs2|lvs2.*lvs1/);
    } finally {
      await labExec('lvs1', ['ip', 'addr', 'del', '10.0.7.247/24', 'dev', 'eth0']);
    }
  }, 180_000);

  it('stopped replication on one master fails its replication check', async () => {
    try {
      await must('db1', "mysql -e 'STOP SLAVE'");
      const { code, r } = await verify();
      expect(code).toBe(2);
      // The thread check sees it, and so does the probe: db2's row never reaches db1.
      // The check-mode run sees it too: the role would start the replica again.
      expect(failing(r)).toEqual(['db1 replication', 'db1 drift', 'db1 replication-probe']);
      expect(r.checks.find((c) => c.id === 'replication-probe' && c.host === 'db2')?.ok).toBe(true);
    } finally {
      await labExec('db1', ['mysql', '-e', 'START SLAVE']);
    }
    // Back to healthy before the next test (the IO thread reconnects within a second or two).
    const t0 = Date.now();
    while (failing((await verify()).r).length && Date.now() - t0 < 20_000)
      await new Promise((res) => setTimeout(res, 500));
    expect(failing((await verify()).r)).toEqual([]);
  }, 180_000);

  it('a crashed director fails verification, and passes again once it is back', async () => {
    try {
      await labCrash('lvs1');
      const { code, r } = await verify();
      expect(code).toBe(2);
      expect(failing(r).some((f) => f.startsWith('lvs1 '))).toBe(true);
      expect(r.checks.find((c) => c.id === 'vip-holder')?.detail).toBe('held by lvs2');
    } finally {
      await labBoot('lvs1');
    }
    const t0 = Date.now();
    while (failing((await verify()).r).length && Date.now() - t0 < 30_000)
      await new Promise((res) => setTimeout(res, 500));
    expect(failing((await verify()).r)).toEqual([]);
  }, 240_000);

  it('--failover is refused unless every director is marked safe to disrupt', async () => {
    const r = await runCli(
      ['verify', '--failover', '-i', LAB_INVENTORY, '-i', resolve(ROOT, 'test/fixtures/verify/no-disrupt.ini')],
      ROOT,
    );
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/lvs1, lvs2 are not marked as safe to disrupt; set lvsplay_disruptive_ok: true/);
  });

  it('--failover moves the VIP when keepalived stops on its holder, and back when it starts', async () => {
    const run = await runCli(['verify', '--failover', '--format', 'json', '-i', LAB_INVENTORY], ROOT);
    const r = JSON.parse(run.out) as VerifyReport;
    const fo = r.checks.filter((c) => c.id === 'failover' || c.id === 'failback');
    expect(fo.map((c) => [c.id, c.host, c.ok])).toEqual([
      ['failover', 'lvs2', true],
      ['failback', 'lvs2', true],
    ]);
    expect(fo[0]!.detail).toMatch(/^held by lvs1 after \d+ ms$/);
    expect(fo[1]!.detail).toMatch(/^back after \d+ ms$/);
    expect(run.code).toBe(0);
    // Nothing is left changed: the VIP is on lvs2 alone, keepalived runs on both.
    expect(failing((await verify()).r)).toEqual([]);
  }, 120_000);
});
