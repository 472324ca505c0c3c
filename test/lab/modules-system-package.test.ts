// package (apt) from the lab's offline repository on each host kind (a director, lvs2, and a
// systemd host of each release): the versions expected are the candidates the host's own index offers.
import { beforeAll, describe, expect, it } from 'vitest';
import { statuses } from '../helpers/lab-run.js';
import {
  convergeHonestly,
  ensureKindsLab,
  hostKinds,
  onHost,
  play,
  runOnKinds as runPlaybookText,
} from './modules-system-helpers.js';

const snapshotOn = (H: string) => () =>
  onHost(
    H,
    `dpkg-query -W -f='\${Package} \${db:Status-Status} \${Version}\\n' keepalived ipvsadm 2>/dev/null; ls -l --time-style=+%s /var/lib/apt/periodic 2>/dev/null; true`,
  );

beforeAll(async () => {
  await ensureKindsLab();
}, 120_000);

describe.each(hostKinds('lvs2'))('package on $kind ($host)', ({ host: H }) => {
  const snapshot = snapshotOn(H);
  /** The candidate versions of keepalived and ipvsadm in the host's package index. */
  const v = { keepalived: '', ipvsadm: '' };
  beforeAll(async () => {
    await onHost(
      H,
      'pkill -x keepalived; DEBIAN_FRONTEND=noninteractive apt-get purge -y -q keepalived ipvsadm >/dev/null 2>&1; rm -f /var/lib/apt/periodic/update-success-stamp; true',
    );
    for (const p of ['keepalived', 'ipvsadm'] as const)
      v[p] = (await onHost(H, `apt-cache show --no-all-versions ${p} | sed -n 's/^Version: //p'`)).trim();
  }, 120_000);

  it('installs packages with exact versions, predicted by check mode; a rerun changes nothing', async () => {
    const pb = play(
      H,
      `
    - name: director packages
      apt:
        name: [keepalived, ipvsadm]
        state: present
        install_recommends: no
`,
    );
    const { real } = await convergeHonestly(pb, H, snapshot);
    expect(real.rec.results(H)[0]!.result.changes).toEqual([
      expect.objectContaining({
        summary: `install keepalived ${v.keepalived}, ipvsadm ${v.ipvsadm}`,
        diff: expect.objectContaining({
          before: 'keepalived (not installed)\nipvsadm (not installed)\n',
          after: `keepalived ${v.keepalived}\nipvsadm ${v.ipvsadm}\n`,
        }),
      }),
    ]);
    expect(await onHost(H, "dpkg-query -W -f='${Version}' keepalived")).toBe(v.keepalived);
    const latest = await runPlaybookText(
      play(
        H,
        `
    - name: latest
      package: { name: keepalived, state: latest }
`,
      ),
    );
    expect(statuses(latest, H)).toEqual({ latest: 'ok' });
  }, 120_000);

  it('updates the cache only when older than cache_valid_time', async () => {
    await onHost(H, "mkdir -p /var/lib/apt/periodic && touch -d '-2 hours' /var/lib/apt/periodic/update-success-stamp");
    const pb = play(
      H,
      `
    - name: refresh index
      apt: { update_cache: yes, cache_valid_time: 3600 }
`,
    );
    const { real } = await convergeHonestly(pb, H, snapshot);
    expect(real.rec.results(H)[0]!.result.changes[0]!.summary).toMatch(/^update the apt package index/);
    const age = Number(
      await onHost(H, 'echo $(( $(date +%s) - $(stat -c %Y /var/lib/apt/periodic/update-success-stamp) ))'),
    );
    expect(age).toBeLessThan(60);
  }, 60_000);

  it('removes, then purges the configuration files left behind', async () => {
    const remove = play(
      H,
      `
    - name: remove them
      package: { name: [keepalived, ipvsadm], state: absent }
`,
    );
    const { real } = await convergeHonestly(remove, H, snapshot);
    expect(real.rec.results(H)[0]!.result.changes[0]!.summary).toBe(
      `remove keepalived ${v.keepalived}, ipvsadm ${v.ipvsadm}`,
    );
    expect(await onHost(H, `dpkg-query -W -f='\${db:Status-Status}' keepalived`)).toBe('config-files');
    const purge = play(
      H,
      `
    - name: purge
      apt: { name: keepalived, state: absent, purge: yes }
`,
    );
    await convergeHonestly(purge, H, snapshot);
    // Purged: dpkg forgets the package and its conffiles are gone (/etc/default/keepalived is
    // one); /etc/keepalived itself stays when it holds files the package does not own (the
    // cluster role's, when this host was a director before).
    expect(
      (
        await onHost(
          H,
          `dpkg-query -W -f='\${db:Status-Status}' keepalived 2>/dev/null; test -e /etc/default/keepalived && echo conffile-left; true`,
        )
      ).trim(),
    ).toMatch(/^(not-installed)?$/);
  }, 120_000);

  it('fails a package no source offers, in check mode as in a real run', async () => {
    const pb = play(
      H,
      `
    - name: no such package
      apt: { name: lvsplay-no-such-package }
`,
    );
    for (const check of [true, false]) {
      const r = await runPlaybookText(pb, { check });
      expect(r.rec.results(H)[0]).toMatchObject({
        status: 'failed',
        result: { msg: expect.stringMatching(/No package matching 'lvsplay-no-such-package' is available/) },
      });
    }
  });
});
