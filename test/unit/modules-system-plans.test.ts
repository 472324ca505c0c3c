// package, service and firewall: probes parsed from output captured on lab hosts, pure plans.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageModule } from '../../src/modules/package.js';
import { parsePackageProbe } from '../../src/modules/pkg-state.js';
import { serviceModule } from '../../src/modules/service.js';
import { isRunning, parseServiceProbe } from '../../src/modules/init-probe.js';
import { firewallModule, normaliseSave, parseFirewallProbe } from '../../src/modules/firewall.js';
import { BOOT_SCRIPT_TEXT, ruleWords } from '../../src/modules/fw-rule.js';
import { changes, commands, ctx } from '../helpers/plans.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/modules-system', name), 'utf8');

describe('package (apt)', () => {
  const fresh = parsePackageProbe(fixture('pkg-probe-fresh.txt'));
  const installed = parsePackageProbe(fixture('pkg-probe-installed.txt'));

  it('reads installed versions, candidates and the index age', () => {
    expect(fresh).toEqual({
      mgr: 'apt',
      cacheAge: 1176,
      pkgs: {
        coreutils: { installed: '9.1-1', candidate: '9.1-1' },
        keepalived: { candidate: '1:2.2.7-1+b2' },
        ipvsadm: { candidate: '1:1.31-1+b1' },
      },
    });
    expect(installed.pkgs).toEqual({
      keepalived: { installed: '1:2.2.7-1+b2', candidate: '1:2.2.7-1+b2' },
      ipvsadm: { configFiles: true, candidate: '1:1.31-1+b1' },
    });
  });
  it('installs what is missing, with versions, without recommends when asked', () => {
    const cs = changes(
      packageModule.plan({ name: ['keepalived', 'coreutils'], install_recommends: false }, fresh, ctx),
    );
    expect(cs.map((c) => c.summary)).toEqual(['install keepalived 1:2.2.7-1+b2']);
    expect(commands(cs)).toEqual([
      'DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold --no-install-recommends keepalived',
    ]);
  });
  it('plans nothing when everything asked is there, even with a stale index', () => {
    expect(changes(packageModule.plan({ name: ['coreutils'], update_cache: true }, fresh, ctx))).toEqual([]);
    expect(changes(packageModule.plan({ name: ['coreutils'], state: 'latest' }, fresh, ctx))).toEqual([]);
  });
  it('refreshes the index first when it is older than cache_valid_time', () => {
    const cs = changes(
      packageModule.plan({ name: ['ipvsadm'], update_cache: true, cache_valid_time: 600 }, fresh, ctx),
    );
    expect(commands(cs)[0]).toMatch(/^apt-get update -q && /);
    expect(changes(packageModule.plan({ update_cache: true, cache_valid_time: 3600 }, fresh, ctx))).toEqual([]);
    expect(
      changes(packageModule.plan({ update_cache: true, cache_valid_time: 600 }, fresh, ctx)).map((c) => c.summary),
    ).toEqual(['update the apt package index (older than 600 s)']);
  });
  it('removes installed packages, and purges leftover config files only with purge', () => {
    expect(
      changes(packageModule.plan({ name: ['keepalived', 'ipvsadm'], state: 'absent' }, installed, ctx)).map(
        (c) => c.summary,
      ),
    ).toEqual(['remove keepalived 1:2.2.7-1+b2']);
    const purge = changes(
      packageModule.plan({ name: ['keepalived', 'ipvsadm'], state: 'absent', purge: true }, installed, ctx),
    );
    expect(purge.map((c) => c.summary)).toEqual([
      'purge keepalived 1:2.2.7-1+b2, ipvsadm (removed, config files left)',
    ]);
  });
  it('fails on a package no source offers, and on a host with no known manager', () => {
    expect(packageModule.plan({ name: ['nosuch'] }, fresh, ctx)).toMatchObject({
      failed: expect.stringMatching(/No package matching 'nosuch'/),
    });
    expect(packageModule.plan({ name: ['x'] }, { mgr: 'none', pkgs: {} }, ctx)).toMatchObject({
      failed: expect.stringMatching(/no supported package manager/),
    });
  });
  it('quotes a hostile package name as one word', () => {
    const cs = changes(
      packageModule.plan({ name: ['x; touch /tmp/pwned'], update_cache: true }, { mgr: 'apt', pkgs: {} }, ctx),
    );
    expect(commands(cs)[1]).toContain(`'x; touch /tmp/pwned'`);
  });
});

describe('service (SysV)', () => {
  const running = parseServiceProbe(fixture('service-keepalived-running.txt'));
  const stopped = parseServiceProbe(fixture('service-keepalived-stopped.txt'));
  const ssh = parseServiceProbe(fixture('service-ssh.txt'));

  it('judges keepalived (no status action) by its process, and ssh by its LSB status', () => {
    expect(running).toMatchObject({ init: 'sysv', known: true, statusAction: false, byProcess: true, enabled: false });
    expect(isRunning(running, undefined)).toEqual({ running: true, source: 'process' });
    expect(isRunning(stopped, undefined)).toEqual({ running: false, source: 'process' });
    expect(isRunning(ssh, undefined)).toEqual({ running: true, source: 'status' });
  });
  it('check mode: a script an earlier task will install is predicted new, stopped and not enabled', () => {
    const absent = { init: 'sysv' as const, known: false, enabled: false, script: '/etc/init.d/firewall-rules' };
    const predicted = new Map([['/etc/init.d/firewall-rules', { content: Buffer.from('#!/bin/sh\n'), mode: 0o755 }]]);
    const seen = serviceModule.overlay!(absent, predicted);
    expect(seen).toMatchObject({ known: true, enabled: false });
    const cs = changes(serviceModule.plan({ name: 'firewall-rules', enabled: true }, seen, ctx));
    expect(cs.map((c) => c.summary).join('\n')).toMatch(/enable/);
    // Nothing predicted: the service stays unknown, and the plan says it does not exist.
    expect(serviceModule.overlay!(absent, new Map())).toBe(absent);
    const systemd = serviceModule.overlay!({ ...absent, init: 'systemd' }, predicted);
    expect(systemd).toMatchObject({ known: true, newInitScript: true, active: 'inactive', enabled: false });
  });
  it('plans nothing for a running, enabled service', () => {
    expect(changes(serviceModule.plan({ name: 'keepalived', state: 'started' }, running, ctx))).toEqual([]);
    expect(changes(serviceModule.plan({ name: 'ssh', state: 'started', enabled: true }, ssh, ctx))).toEqual([]);
  });
  it('starts and then waits until it really runs; enables through update-rc.d', () => {
    const cs = changes(serviceModule.plan({ name: 'keepalived', state: 'started', enabled: true }, stopped, ctx));
    expect(cs.map((c) => c.summary)).toEqual(['start keepalived', 'enable keepalived at boot']);
    expect(cs[0]!.diff).toMatchObject({ before: 'keepalived: stopped\n', after: 'keepalived: running\n' });
    const cmds = commands(cs);
    expect(cmds[0]).toBe('/etc/init.d/keepalived start');
    expect(cmds[1]).toMatch(/until .*lv_procs lv_is_name \|\| lv_pidfile.*sleep 0\.2/s);
    expect(cmds[2]).toContain('update-rc.d keepalived defaults');
  });
  it('restarts as stop, wait until gone, start, wait until up; and always reports it', () => {
    const cs = changes(serviceModule.plan({ name: 'keepalived', state: 'restarted' }, running, ctx));
    expect(cs.map((c) => c.summary)).toEqual(['restart keepalived']);
    const cmds = commands(cs);
    expect(cmds.map((c) => c.split(' ')[0])).toEqual([
      '/etc/init.d/keepalived',
      'lv_n=0;',
      '/etc/init.d/keepalived',
      'lv_n=0;',
    ]);
    expect(cmds[1]).toContain('until ! {');
    expect(
      changes(serviceModule.plan({ name: 'keepalived', state: 'reloaded' }, stopped, ctx)).map((c) => c.summary),
    ).toEqual(['start keepalived (was stopped, so reload starts it)']);
  });
  it('fails on a service that does not exist', () => {
    const none = parseServiceProbe(fixture('service-keepalived-absent.txt'));
    expect(serviceModule.plan({ name: 'keepalived', state: 'started' }, none, ctx)).toMatchObject({
      failed: expect.stringMatching(/no service named keepalived/),
    });
  });
  it('refuses a probe cut short', () => {
    expect(() => parseServiceProbe('init=sysv\nknown=1\n')).toThrow(/did not finish/);
  });
});

describe('service (systemd)', () => {
  // an init script written after systemd last ran its generators (captured on a Debian 13 host)
  const fresh = parseServiceProbe(fixture('service-systemd-new-init-script.txt'));

  it('reloads systemd before it starts an init script systemd has no unit for yet', () => {
    expect(fresh).toMatchObject({ init: 'systemd', known: false, newInitScript: true, enabled: false });
    const cs = changes(serviceModule.plan({ name: 'lvsplay-fresh', state: 'started', enabled: true }, fresh, ctx));
    expect(cs.map((c) => c.summary)).toEqual([
      'systemd daemon-reload (a new init script)',
      'start lvsplay-fresh',
      'enable lvsplay-fresh at boot',
    ]);
    expect(commands(cs).filter((c) => c.startsWith('systemctl'))).toEqual([
      'systemctl daemon-reload',
      'systemctl start lvsplay-fresh',
      'systemctl enable lvsplay-fresh',
    ]);
  });
  it('reloads once when daemon_reload is asked too, and still fails on a unit that exists nowhere', () => {
    const cs = changes(serviceModule.plan({ name: 'lvsplay-fresh', daemon_reload: true }, fresh, ctx));
    expect(cs.map((c) => c.summary)).toEqual(['systemd daemon-reload (a new init script)']);
    const none = { ...fresh, newInitScript: false };
    expect(serviceModule.plan({ name: 'lvsplay-fresh', state: 'started' }, none, ctx)).toMatchObject({
      failed: expect.stringMatching(/no such systemd unit/),
    });
  });
});

describe('firewall (iptables)', () => {
  const rule = { chain: 'INPUT', protocol: 'vrrp', source: '10.0.7.0/24', jump: 'ACCEPT' };
  it('builds the words of a rule; vrrp is protocol 112', () => {
    expect(ruleWords(rule)).toEqual(['-p', '112', '-s', '10.0.7.0/24', '-j', 'ACCEPT']);
    expect(
      ruleWords({ ...rule, protocol: 'tcp', destination_ports: ['80', '443'], ctstate: ['NEW'], comment: 'web' }),
    ).toEqual([
      '-p',
      'tcp',
      '-s',
      '10.0.7.0/24',
      '-m',
      'multiport',
      '--dports',
      '80,443',
      '-m',
      'conntrack',
      '--ctstate',
      'NEW',
      '-m',
      'comment',
      '--comment',
      'web',
      '-j',
      'ACCEPT',
    ]);
  });
  it('adds a missing rule, saves and installs the boot loader', () => {
    const s = parseFirewallProbe(fixture('fw-fresh.txt'));
    expect(s).toMatchObject({ backend: 'iptables', checkRc: 1, bootEnabled: false });
    const cs = changes(firewallModule.plan(rule, s, ctx));
    expect(cs.map((c) => c.summary)).toEqual([
      'add rule filter: -A INPUT -p 112 -s 10.0.7.0/24 -j ACCEPT',
      'save the running iptables rules to /etc/iptables/rules.v4, loaded at boot by /etc/init.d/lvsplay-firewall',
    ]);
    expect(commands(cs)).toEqual([
      'iptables -w -t filter -A INPUT -p 112 -s 10.0.7.0/24 -j ACCEPT',
      expect.stringMatching(
        /^mkdir -p \/etc\/iptables && \( f=\$\(mktemp \/etc\/iptables\/rules.v4.XXXXXX\) \|\| exit 1; trap 'rm -f "\$f"' EXIT; .*iptables-save > "\$f"/,
      ),
      'put /etc/init.d/lvsplay-firewall',
      expect.stringContaining('update-rc.d lvsplay-firewall defaults'),
    ]);
  });
  it('with the rule running but not saved, saves it and shows the file diff', () => {
    const s = parseFirewallProbe(fixture('fw-present-unsaved.txt'));
    const cs = changes(firewallModule.plan(rule, { ...s, boot: BOOT_SCRIPT_TEXT, bootEnabled: true }, ctx));
    expect(cs.map((c) => c.summary)).toEqual([
      'save the running iptables rules to /etc/iptables/rules.v4, loaded at boot by /etc/init.d/lvsplay-firewall',
    ]);
    expect(cs[0]!.diff?.after).toContain('-A INPUT -s 10.0.7.0/24 -p vrrp -j ACCEPT');
    // Once saved (counters and comment lines differ with time), nothing is left to do.
    const saved = s.running!.replace('[128:23018]', '[999:99999]').replace(/^# Generated.*$/m, '# Generated later');
    expect(
      changes(firewallModule.plan(rule, { ...s, file: saved, boot: BOOT_SCRIPT_TEXT, bootEnabled: true }, ctx)),
    ).toEqual([]);
    expect(normaliseSave(saved)).toBe(normaliseSave(s.running!));
  });
  it('deletes a present rule with state absent', () => {
    const s = parseFirewallProbe(fixture('fw-present-unsaved.txt'));
    expect(commands(changes(firewallModule.plan({ ...rule, state: 'absent' }, s, ctx)))[0]).toBe(
      'iptables -w -t filter -D INPUT -p 112 -s 10.0.7.0/24 -j ACCEPT',
    );
  });
  it('names a missing chain and an nftables-only host', () => {
    expect(
      firewallModule.plan({ ...rule, chain: 'NOSUCH' }, parseFirewallProbe(fixture('fw-no-chain.txt')), ctx),
    ).toMatchObject({ failed: expect.stringMatching(/chain NOSUCH does not exist/) });
    expect(firewallModule.plan(rule, { backend: 'nft-only', bootEnabled: false }, ctx)).toMatchObject({
      failed: expect.stringMatching(/install the iptables package/),
    });
  });
});
