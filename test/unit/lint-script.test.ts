// --script: shellcheck plus what an init script does to the host, checked by the cluster rules.
import { describe, expect, test } from 'vitest';
import { lint } from '../../src/lint/index.js';

const F = 'test/fixtures/lint/scripts';

describe('lint --script', () => {
  test('the seed realserver script: split include, VIP /24 on lo, no arp_announce', () => {
    const r = lint({ scripts: [`${F}/realserver-seed.sh`] });
    const where = (rule: string) =>
      r.findings.filter((f) => f.rule === rule).map((f) => `${f.pos?.line}: ${f.message}`);
    expect(where('script-broken-source')).toEqual([
      "5: sources /etc/rc.d/init.d/, a directory (the rest of the path, 'functions', is on the next line)",
    ]);
    expect(where('rs-vip-lo-32')).toEqual([`9: ${F}/realserver-seed.sh: VIP 10.0.7.247 is on lo as /24, not /32`]);
    expect(where('rs-arp-sysctls')).toHaveLength(1);
    expect(where('rs-arp-sysctls')[0]).toContain('arp_announce for all is not set');
    // shellcheck runs too, with its codes
    expect(r.findings.some((f) => f.rule === 'script-shellcheck' && /^SC\d+/.test(f.message))).toBe(true);
  });

  test('the bundled realserver script, rendered, passes the domain checks', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { createTemplar } = await import('../../src/vars/templar.js');
    const text = createTemplar().renderFile('roles/realserver/templates/realserver.j2', {
      lvs_vip: '10.0.7.247',
      realserver_arp_ignore: 1,
      realserver_arp_announce: 2,
      lvs_health_url: '/lvs-health.txt',
      web_root: '/var/www/html',
      realserver_drain_marker: '/etc/lvs-realserver.drained',
      ansible_managed: 'managed',
    });
    const file = join(mkdtempSync(join(tmpdir(), 'lint-')), 'realserver');
    writeFileSync(file, String(text));
    const r = lint({ scripts: [file] });
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  test('a director script: DR port mismatch and all-zero weights from ipvsadm lines', () => {
    const r = lint({ scripts: [`${F}/lvs_server-seed.sh`], shellcheck: false });
    expect(r.findings.map((f) => `${f.rule}@${f.pos?.line}`).sort()).toEqual(['lvs-dr-port@6', 'lvs-weights-zero@6']);
  });
});
