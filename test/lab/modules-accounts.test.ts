// group and user on a lab host (web2): converge from a known start (the account and group
// absent), check mode predicting the run, a rerun with no change, then removal.
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureLab, runPlaybookText, changed } from '../helpers/lab-run.js';
import { convergeHonestly, onHost, play } from './modules-system-helpers.js';

const H = 'web2';
const snapshot = () =>
  onHost(
    H,
    `getent group lvsgrp || true; getent passwd lvsusr || true; id -Gn lvsusr 2>/dev/null || true; getent shadow lvsusr | cut -d: -f2 || true`,
  );

beforeAll(async () => {
  await ensureLab();
  await onHost(H, 'userdel -r lvsusr 2>/dev/null; groupdel lvsgrp 2>/dev/null; true');
});

describe('group and user on a lab host', () => {
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
    const r = await runPlaybookText(gone);
    expect(r.exitCode).toBe(0);
    expect(changed(r, H)).toEqual(['user', 'group']);
    expect(await snapshot()).toBe('');
  });
});
