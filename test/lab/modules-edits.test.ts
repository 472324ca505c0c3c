// replace and ini_file on a lab host (web2): converge from a known start, check mode predicting
// exactly what the real run changes without touching the host, and a rerun with no change.
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureLab, statuses } from '../helpers/lab-run.js';
import { convergeHonestly, onHost, play } from './modules-system-helpers.js';

const H = 'web2';
const DIR = '/tmp/me';
const snapshot = () => onHost(H, `cd ${DIR} && for f in *; do echo "== $f"; cat "$f"; done`);

beforeAll(async () => {
  await ensureLab();
});

describe('replace on a lab host', () => {
  it('replaces every match, between before/after, and reruns with no change', async () => {
    await onHost(
      H,
      `rm -rf ${DIR} && mkdir -p ${DIR} && printf 'PermitRootLogin yes\\nPort 22\\n<m>\\nport 1\\nport 2\\n</m>\\nport 3\\n' > ${DIR}/r.conf`,
    );
    const pb = play(
      H,
      `
    - name: comment out
      replace: { path: ${DIR}/r.conf, regexp: '^(PermitRootLogin .*)$', replace: '# \\1' }
    - name: between markers
      ansible.builtin.replace: { path: ${DIR}/r.conf, regexp: '^port (\\d)$', replace: 'port 1\\1', after: '<m>', before: '</m>' }
`,
    );
    const { real } = await convergeHonestly(pb, H, snapshot);
    expect(statuses(real, H)).toEqual({ 'comment out': 'changed', 'between markers': 'changed' });
    expect(await onHost(H, `cat ${DIR}/r.conf`)).toBe(
      '# PermitRootLogin yes\nPort 22\n<m>\nport 11\nport 12\n</m>\nport 3\n',
    );
  });
});
