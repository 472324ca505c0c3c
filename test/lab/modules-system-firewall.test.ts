// firewall (Ansible's iptables arguments) on each host kind (db2, SysV init, and a systemd host of
// each release): iptables-nft, saved rules, boot loading (under systemd: the unit that
// systemd-sysv-generator makes of the boot script).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statuses } from '../helpers/lab-run.js';
import {
  convergeHonestly,
  ensureKindsLab,
  hostKinds,
  onHost,
  play,
  runOnKinds as runPlaybookText,
} from './modules-system-helpers.js';

beforeAll(async () => {
  await ensureKindsLab();
});

describe.each(hostKinds('db2'))('on $kind ($host)', ({ host: H, init }) => {
  const reset = () =>
    onHost(
      H,
      'iptables -w -F INPUT 2>/dev/null; rm -rf /etc/iptables; update-rc.d -f lvsplay-firewall remove >/dev/null 2>&1; rm -f /etc/init.d/lvsplay-firewall; true',
    );
  const snapshot = () =>
    onHost(
      H,
      'iptables -w -S INPUT 2>/dev/null; cat /etc/iptables/rules.v4 2>/dev/null | grep -v "^#"; ls /etc/init.d/lvsplay-firewall /etc/rc*.d/*lvsplay-firewall 2>/dev/null; true',
    );
  const has = async (rule: string) =>
    (await onHost(H, `iptables -w -C ${rule} 2>/dev/null && echo yes || echo no`)).trim() === 'yes';

  const VRRP = `
    - name: vrrp from peers
      firewall:
        chain: INPUT
        protocol: vrrp
        source: 10.0.7.0/24
        jump: ACCEPT
        comment: "vrrp; from 'peers'"
`;

  const MYSQL = `
    - name: mysql from db1 first
      firewall:
        chain: INPUT
        action: insert
        protocol: tcp
        source: 10.0.7.41
        destination_port: "3306"
        jump: ACCEPT
`;

  beforeAll(async () => {
    // iptables is not installed by default on Debian 13 (nftables is): as a role would, install it.
    await onHost(
      H,
      'command -v iptables >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q iptables >/dev/null',
    );
    await reset();
  });
  afterAll(reset);

  describe('firewall on a lab host', () => {
    it('adds rules, saves them and installs the boot loader, as check mode predicted; a rerun changes nothing', async () => {
      const pb = play(H, `${VRRP}${MYSQL}`);
      const { real } = await convergeHonestly(pb, H, snapshot);
      expect(statuses(real, H)).toEqual({ 'vrrp from peers': 'changed', 'mysql from db1 first': 'changed' });
      expect(real.rec.results(H)[0]!.result.changes.map((c) => c.summary)).toEqual([
        `add rule filter: -A INPUT -p 112 -s 10.0.7.0/24 -m comment --comment "vrrp; from 'peers'" -j ACCEPT`,
        'save the running iptables rules to /etc/iptables/rules.v4, loaded at boot by /etc/init.d/lvsplay-firewall',
      ]);
      // iptables prints ' as \'; protocol 112 by its name up to 1.8.9 (Debian 12), by its number
      // from 1.8.10 on (Debian 13), which resolves only a few protocols' names
      const rules = await onHost(H, 'iptables -w -S INPUT');
      const version = (await onHost(H, 'iptables -V')).match(/v1\.8\.(\d+)/)?.[1];
      const vrrp = Number(version) >= 10 ? '112' : 'vrrp';
      expect(rules.split('\n').slice(1, 3)).toEqual([
        '-A INPUT -s 10.0.7.41/32 -p tcp -m tcp --dport 3306 -j ACCEPT',
        `-A INPUT -s 10.0.7.0/24 -p ${vrrp} -m comment --comment "vrrp; from \\'peers\\'" -j ACCEPT`,
      ]);
      expect(await onHost(H, 'cat /etc/iptables/rules.v4')).toContain('--dport 3306');
      // iptables is iptables-nft here: the same rules are in the kernel's nftables.
      expect(await onHost(H, 'nft list chain ip filter INPUT')).toContain('3306');
    }, 60_000);

    it('knows protocol 112 and vrrp as the same rule', async () => {
      const r = await runPlaybookText(play(H, VRRP.replace('protocol: vrrp', 'protocol: 112')));
      expect(statuses(r, H)).toEqual({ 'vrrp from peers': 'ok' });
    });

    it('restores the saved rules at boot: flush them, run the boot script', async () => {
      await onHost(H, 'iptables -w -F INPUT');
      expect(await has('INPUT -p 112 -s 10.0.7.0/24 -m comment --comment "vrrp; from \'peers\'" -j ACCEPT')).toBe(
        false,
      );
      expect(await onHost(H, 'ls /etc/rc2.d /etc/rcS.d | grep lvsplay-firewall')).toMatch(/S\d\dlvsplay-firewall/);
      if (init === 'systemd') {
        // what boot does: the generator makes a unit of the script, enabled by its rc links
        expect(await onHost(H, 'systemctl daemon-reload; systemctl is-enabled lvsplay-firewall; true')).toMatch(
          /^(generated|enabled)$/m,
        );
        await onHost(H, 'systemctl restart lvsplay-firewall');
      } else await onHost(H, '/etc/init.d/lvsplay-firewall start');
      expect(await has('INPUT -p 112 -s 10.0.7.0/24 -m comment --comment "vrrp; from \'peers\'" -j ACCEPT')).toBe(true);
      expect(await has('INPUT -p tcp -s 10.0.7.41 --dport 3306 -j ACCEPT')).toBe(true);
    });

    it('saves rules added by hand when the file no longer matches', async () => {
      await onHost(H, 'iptables -w -A INPUT -p tcp --dport 9 -s 10.0.7.250 -j DROP');
      const r = await runPlaybookText(play(H, VRRP), { diff: true });
      const change = r.rec.results(H)[0]!.result.changes[0]!;
      expect(change.summary).toMatch(/^save the running iptables rules/);
      expect(change.diff?.after).toContain('--dport 9');
      await onHost(H, 'iptables -w -D INPUT -p tcp --dport 9 -s 10.0.7.250 -j DROP');
    });

    it('a stale rules file is saved once, by the first rule task, in check mode as in the run', async () => {
      await onHost(H, 'iptables -w -A INPUT -p tcp --dport 7 -s 10.0.7.250 -j DROP');
      try {
        const pb = play(H, `${VRRP}${MYSQL}`);
        const { check } = await convergeHonestly(pb, H, snapshot);
        // The second task finds the file saved by the first: in the run for real, in check mode as predicted.
        expect(statuses(check, H)).toEqual({ 'vrrp from peers': 'changed', 'mysql from db1 first': 'ok' });
      } finally {
        await onHost(
          H,
          'iptables -w -D INPUT -p tcp --dport 7 -s 10.0.7.250 -j DROP; iptables-save > /etc/iptables/rules.v4',
        );
      }
    }, 60_000);

    it('deletes a rule with state absent and saves that', async () => {
      const pb = play(H, VRRP.replace('jump: ACCEPT', 'jump: ACCEPT\n        state: absent'));
      await convergeHonestly(pb, H, snapshot);
      expect(await has('INPUT -p 112 -s 10.0.7.0/24 -m comment --comment "vrrp; from \'peers\'" -j ACCEPT')).toBe(
        false,
      );
      expect(await onHost(H, 'cat /etc/iptables/rules.v4')).not.toContain('vrrp');
    });

    it('fails clearly on a chain that does not exist', async () => {
      const r = await runPlaybookText(
        play(
          H,
          `
    - name: bad chain
      firewall: { chain: NOSUCH, protocol: tcp, destination_port: "80", jump: ACCEPT }
`,
        ),
      );
      expect(r.rec.results(H)[0]).toMatchObject({
        status: 'failed',
        result: {
          msg: 'chain NOSUCH does not exist in the filter table; use a built-in chain (INPUT, FORWARD, OUTPUT...) or create it first',
        },
      });
    });
  });

  describe('ansible.builtin.iptables and community.general.iptables_state on a lab host', () => {
    const WEB = `
    - name: web from the client
      ansible.builtin.iptables:
        chain: INPUT
        protocol: tcp
        source: 10.0.7.100
        destination_ports: ["80", "443"]
        ctstate: NEW
        jump: ACCEPT
        comment: web
    - name: forward dropped
      ansible.builtin.iptables: { chain: FORWARD, policy: DROP }
    - name: saved where asked
      community.general.iptables_state: { state: saved, path: /var/tmp/lvsplay-fw/rules.v4 }
`;
    it('changes the running rules only, as Ansible: nothing saved, no boot script; check predicted it; a rerun changes nothing', async () => {
      await reset();
      await onHost(H, 'iptables -w -P FORWARD ACCEPT; rm -rf /var/tmp/lvsplay-fw');
      try {
        const { real } = await convergeHonestly(
          play(H, WEB),
          H,
          async () =>
            `${await snapshot()}${await onHost(H, 'iptables -w -S FORWARD | head -1; cat /var/tmp/lvsplay-fw/rules.v4 2>/dev/null; true')}`,
        );
        expect(statuses(real, H)).toEqual({
          'web from the client': 'changed',
          'forward dropped': 'changed',
          'saved where asked': 'changed',
        });
        expect(await onHost(H, 'cat /var/tmp/lvsplay-fw/rules.v4')).toMatch(
          /^-A INPUT -s 10\.0\.7\.100\/32 .*--dports 80,443/m,
        );
        expect(
          await has(
            'INPUT -s 10.0.7.100 -p tcp -m multiport --dports 80,443 -m conntrack --ctstate NEW -m comment --comment web -j ACCEPT',
          ),
        ).toBe(true);
        expect(await onHost(H, 'iptables -w -S FORWARD | head -1')).toBe('-P FORWARD DROP\n');
        expect(await onHost(H, 'ls /etc/iptables /etc/init.d/lvsplay-firewall 2>&1; true')).toMatch(/No such file/);
      } finally {
        await onHost(H, 'iptables -w -P FORWARD ACCEPT; rm -rf /var/tmp/lvsplay-fw');
        await reset();
      }
    }, 60_000);
  });
});
