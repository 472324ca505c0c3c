// group and user on each host kind (a SysV lab host, web2, and a systemd host of each release):
// converge from a known start (the account and group
// absent), check mode predicting the run, a rerun with no change, then removal.
import { beforeAll, describe, expect, it } from 'vitest';
import { changed } from '../helpers/lab-run.js';
import { convergeHonestly, ensureKindsLab, hostKinds, onHost, play, runOnKinds } from './modules-system-helpers.js';

const snapshotOn = (H: string) =>
  onHost(
    H,
    `getent group lvsgrp || true; getent passwd lvsusr || true; id -Gn lvsusr 2>/dev/null || true; getent shadow lvsusr | cut -d: -f2 || true`,
  );

beforeAll(async () => {
  await ensureKindsLab();
});

describe.each(hostKinds('web2'))('group and user on $kind ($host)', ({ host: H }) => {
  const snapshot = () => snapshotOn(H);
  beforeAll(() => onHost(H, 'userdel -r lvsusr 2>/dev/null; groupdel lvsgrp 2>/dev/null; true'));

  it('creates them, reruns with no change, and removes them', async () => {
    const pb = play(
      H,
      `
    - name: group
      group: { name: lvsgrp, gid: 2345 }
    - name: user
      user:
        name: lvsusr
        uid: 2346
        group: lvsgrp
        groups: [adm]
        shell: /bin/sh
        comment: LVS test
        password: '$6$lvsplay$2sT5bYz1i8a3oSRZyMqQ1G2c9p5l1x7c6vK0o8lWc4mJ8o2n5Ztq0Q3rX1u9v7w5y3z1A0B2C4D6E8F0G2H4I6'
`,
    );
    await convergeHonestly(pb, H, snapshot);
    expect(await onHost(H, 'getent passwd lvsusr; id -Gn lvsusr')).toBe(
      'lvsusr:x:2346:2345:LVS test:/home/lvsusr:/bin/sh\nlvsgrp adm\n',
    );
    const gone = play(
      H,
      `
    - name: user
      user: { name: lvsusr, state: absent, remove: true }
    - name: group
      group: { name: lvsgrp, state: absent }
`,
    );
    const r = await runOnKinds(gone);
    expect(r.exitCode).toBe(0);
    expect(changed(r, H)).toEqual(['user', 'group']);
    expect(await snapshot()).toBe('');
  });
});
