// verify's boot check: a live host's init scripts (read as verify reads them) explained with
// lint's script model, against the keepalived.conf the directors will load at boot.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { bootChecks } from '../../src/verify/boot.js';
import { MARK } from '../../src/status/probe.js';
import { readingFromOutput } from '../../src/status/reading.js';

const F = 'test/fixtures/lint/scripts';
const CONF = readFileSync(`${F}/director-keepalived.conf`, 'utf8');
const CONFLICT = readFileSync(`${F}/director-conflict.sh`, 'utf8');
const REALSERVER =
  '#!/bin/sh\ncase "$1" in\nstart) ip addr add 10.0.7.247/32 dev lo; sysctl -w net.ipv4.conf.all.arp_ignore=1 ;;\nstop) ip addr del 10.0.7.247/32 dev lo ;;\nesac\n';

/** A host as verify's reading gives it, with these init scripts read. */
const host = (name: string, scripts: Record<string, string>) =>
  readingFromOutput(
    name,
    Object.entries(scripts)
      .map(([path, text]) => `${MARK}file:${path}\n${Buffer.from(text).toString('base64')}\n`)
      .join(''),
    3,
  );

describe('verify: what the init scripts will do at the next boot', () => {
  it('a director script that adds the VRRP VIP and programs IPVS fails, saying what will follow', () => {
    const confs = new Map([
      ['lvs1', CONF],
      ['lvs2', CONF.replace('MASTER', 'BACKUP')],
    ]);
    const checks = bootChecks(
      [
        host('lvs1', { '/etc/init.d/lvs_server': CONFLICT }),
        host('lvs2', {}),
        host('web1', { '/etc/init.d/realserver': REALSERVER }),
        { host: 'web2', reachable: false, ms: 1, reason: 'down' },
      ],
      confs,
    );
    expect(checks.map((c) => `${c.host} ${c.ok}`)).toEqual(['lvs1 false', 'lvs2 true', 'web1 true']);
    const lvs1 = checks[0]!.detail;
    expect(lvs1).toContain(
      'lvs_server will add VIP 10.0.7.247 to eth0 and program IPVS at boot, which keepalived also owns: lvs1 will hold the VIP whatever VRRP elects, so with lvs2 as MASTER both directors will hold it; its ipvsadm -C wipes the IPVS table keepalived filled',
    );
    // what the script does at boot, in the order it does it (stop's lines are not a boot's)
    expect(lvs1).toContain(
      '/etc/init.d/lvs_server at boot: sets net.ipv4.ip_forward=1, adds 10.0.7.247/32 on eth0:0, route add -host 10.0.7.247 dev eth0:0, clears the IPVS table, adds IPVS service 10.0.7.247:80 (wrr)',
    );
    expect(lvs1).not.toContain('takes eth0:0 down');
    expect(checks[1]!.detail).toBe(
      'no hand-made init script started at boot touches addresses, IPVS, ARP or forwarding',
    );
    expect(checks[2]!.detail).toBe(
      '/etc/init.d/realserver at boot: adds 10.0.7.247/32 on lo, sets net.ipv4.conf.all.arp_ignore=1',
    );
  });

  it('the same script beside no keepalived (the script mode) conflicts with nothing', () => {
    const checks = bootChecks([host('solo', { '/etc/init.d/lvs_server': CONFLICT })], new Map());
    expect(checks.map((c) => c.ok)).toEqual([true]);
  });

  it('a script that does not parse is said so, and fails nothing by itself', () => {
    const checks = bootChecks(
      [host('lvs1', { '/etc/init.d/broken': 'case "$1" in\nstart) ip addr add 1.2.3.4 dev eth0\n' })],
      new Map([['lvs1', CONF]]),
    );
    expect(checks[0]!.ok).toBe(true);
    expect(checks[0]!.detail).toMatch(/^\/etc\/init\.d\/broken: the shell cannot parse this script/);
  });
});
