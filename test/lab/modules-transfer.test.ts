// slurp, raw and fetch on each host kind (a SysV lab host, web2, and a systemd host of each
// release): check mode predicts what the real run changes
// (fetch writes nothing on the controller in check mode), a rerun fetches nothing, and what
// slurp and raw return is what the host holds.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changed, statuses } from '../helpers/lab-run.js';
import { ensureKindsLab, hostKinds, onHost, play, runOnKinds } from './modules-system-helpers.js';

const DIR = '/tmp/mt';
const out = mkdtempSync(join(tmpdir(), 'lvsplay-lab-fetch-'));

beforeAll(async () => {
  await ensureKindsLab();
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.each(hostKinds('web2'))('slurp, raw and fetch on $kind ($host)', ({ host: H }) => {
  beforeAll(() => onHost(H, `rm -rf ${DIR} && mkdir -p ${DIR} && printf 'k=v\\nno newline' > ${DIR}/f.conf`));

  it('reads, runs and fetches; check mode predicts; a rerun fetches nothing', async () => {
    const pb = play(
      H,
      `
    - name: slurp
      slurp: { src: ${DIR}/f.conf }
      register: s
    - name: raw
      raw: cat ${DIR}/f.conf; echo; uname -s
      register: r
    - name: fetch
      fetch: { src: ${DIR}/f.conf, dest: ${out}/ }
    - name: same
      when: not ansible_check_mode
      assert:
        that:
          - s.content | b64decode == 'k=v\\nno newline'
          - r.stdout_lines[-1] == 'Linux'
`,
    );
    const check = await runOnKinds(pb, { check: true });
    expect(check.exitCode).toBe(0);
    expect(statuses(check, H)).toMatchObject({ slurp: 'ok', raw: 'unknown', fetch: 'changed' });
    expect(existsSync(join(out, H))).toBe(false);
    const real = await runOnKinds(pb);
    expect(real.exitCode, JSON.stringify(real.rec.results(H).map((r) => [r.task, r.status, r.result.msg]))).toBe(0);
    expect(changed(real, H)).toEqual(['raw', 'fetch']);
    expect(readFileSync(join(out, H, DIR, 'f.conf'), 'utf8')).toBe('k=v\nno newline');
    const again = await runOnKinds(pb);
    expect(again.exitCode).toBe(0);
    expect(changed(again, H)).toEqual(['raw']);
  });
});
