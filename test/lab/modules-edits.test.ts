// replace and ini_file on each host kind (a SysV lab host, web2, and a systemd host of each
// release): converge from a known start, check mode predicting
// exactly what the real run changes without touching the host, and a rerun with no change.
import { beforeAll, describe, expect, it } from 'vitest';
import { statuses } from '../helpers/lab-run.js';
import { convergeHonestly, ensureKindsLab, hostKinds, onHost, play } from './modules-system-helpers.js';

const DIR = '/tmp/me';

beforeAll(async () => {
  await ensureKindsLab();
});

describe.each(hostKinds('web2'))('replace and ini_file on $kind ($host)', ({ host: H }) => {
  const snapshot = () => onHost(H, `find ${DIR} -printf '%p %y %m\\n' | sort; find ${DIR} -type f | sort | xargs cat`);

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

  it('sets, adds and removes options and sections, and reruns with no change', async () => {
    await onHost(
      H,
      `rm -rf ${DIR} && mkdir -p ${DIR} && printf '[mysqld]\\n# bind-address = 0.0.0.0\\nport = 3306\\n\\n[client]\\nuser = x\\n' > ${DIR}/my.cnf`,
    );
    const pb = play(
      H,
      `
    - name: bind address
      community.general.ini_file: { path: ${DIR}/my.cnf, section: mysqld, option: bind-address, value: 127.0.0.1 }
    - name: new option
      ini_file: { path: ${DIR}/my.cnf, section: mysqld, option: server-id, value: 2, mode: "0640" }
    - name: no client section
      ini_file: { path: ${DIR}/my.cnf, section: client, state: absent }
    - name: new file
      ini_file: { path: ${DIR}/new/x.ini, section: s, option: k, value: v }
`,
    );
    const { real } = await convergeHonestly(pb, H, snapshot);
    expect(statuses(real, H)).toEqual({
      'bind address': 'changed',
      'new option': 'changed',
      'no client section': 'changed',
      'new file': 'changed',
    });
    expect(await onHost(H, `cat ${DIR}/my.cnf; stat -c %a ${DIR}/my.cnf; cat ${DIR}/new/x.ini`)).toBe(
      // a new file starts with an empty line: community.general's ini_file writes it so (checked)
      '[mysqld]\nbind-address = 127.0.0.1\nport = 3306\nserver-id = 2\n\n640\n\n[s]\nk = v\n',
    );
  });
});
