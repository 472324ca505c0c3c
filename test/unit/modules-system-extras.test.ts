// systemd's masked, daemon_reexec and scope; service's sleep; file's SELinux context arguments;
// apt's policy_rc_d: pure plans over probe outputs of the shape lab hosts print.
import { describe, expect, it } from 'vitest';
import { fileModule } from '../../src/modules/file.js';
import { parseServiceProbe } from '../../src/modules/init-probe.js';
import { packageModule } from '../../src/modules/package.js';
import type { PackageState } from '../../src/modules/pkg-state.js';
import { serviceModule } from '../../src/modules/service.js';
import { changes, commands, ctx } from '../helpers/plans.js';
import type { ExecResult } from '../../src/transport/types.js';
import type { Revealed } from '../../src/secret.js';
import type { ZodType } from 'zod';

const probe = (lines: string[]) => parseServiceProbe([...lines, 'end=1', ''].join('\n'));
/** Arguments as the executor hands them to a module: checked, typed, and revealed. */
const typed = <T>(m: { args: ZodType<T> }, a: Record<string, unknown>) => m.args.parse(a) as Revealed<T>;
const args = (a: Record<string, unknown>) => typed(serviceModule, a);

describe('systemd: masked, daemon_reexec, scope', () => {
  const running = probe(['init=systemd', 'known=1', 'active=active', 'enabled_word=enabled']);
  const masked = probe(['init=systemd', 'known=0', 'active=inactive', 'enabled_word=masked']);
  const nowhere = probe(['init=systemd', 'known=0', 'active=inactive', 'enabled_word=']);

  it('reads a masked unit as one systemd knows, not enabled', () => {
    expect(masked).toMatchObject({ known: true, enabled: false, enabledWord: 'masked' });
  });
  it('masks and unmasks only when the unit is not already so', () => {
    const cs = changes(serviceModule.plan(args({ name: 'lighttpd', masked: true }), running, ctx));
    expect(cs.map((c) => c.summary)).toEqual(['mask lighttpd']);
    expect(commands(cs)).toEqual(['systemctl mask lighttpd']);
    expect(cs[0]!.diff).toMatchObject({ before: 'lighttpd: not masked\n', after: 'lighttpd: masked\n' });
    expect(changes(serviceModule.plan(args({ name: 'lighttpd', masked: true }), masked, ctx))).toEqual([]);
    expect(changes(serviceModule.plan(args({ name: 'lighttpd', masked: false }), running, ctx))).toEqual([]);
    const un = changes(serviceModule.plan(args({ name: 'lighttpd', masked: 'no', enabled: true }), masked, ctx));
    expect(commands(un)).toEqual(['systemctl unmask lighttpd', 'systemctl enable lighttpd']);
  });
  it('masks a unit that is not installed yet, as systemctl can', () => {
    expect(commands(changes(serviceModule.plan(args({ name: 'nope', masked: true }), nowhere, ctx)))).toEqual([
      'systemctl mask nope',
    ]);
  });
  it("runs daemon-reload, then daemon-reexec, then the unit's changes (Ansible's order)", () => {
    const stopped = { ...running, active: 'inactive' };
    const cs = changes(
      serviceModule.plan(
        args({ name: 'lighttpd', daemon_reload: true, 'daemon-reexec': true, masked: false, state: 'started' }),
        stopped,
        ctx,
      ),
    );
    expect(commands(cs).filter((c) => c.startsWith('systemctl'))).toEqual([
      'systemctl daemon-reload',
      'systemctl daemon-reexec',
      'systemctl start lighttpd',
    ]);
    expect(commands(changes(serviceModule.plan(args({ daemon_reexec: true }), running, ctx)))).toEqual([
      'systemctl daemon-reexec',
    ]);
  });
  it('scope user runs systemctl --user with the runtime directory Ansible defaults to', () => {
    const user = probe([
      'init=systemd',
      'uid=1000',
      'runtime_dir=/run/user/1000',
      'user_bus=1',
      'known=1',
      'active=inactive',
      'enabled_word=disabled',
    ]);
    const cs = changes(
      serviceModule.plan(args({ name: 'syncer', scope: 'user', state: 'started', enabled: true }), user, ctx),
    );
    expect(commands(cs)[0]).toBe(
      'XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/run/user/$(id -u)} systemctl --user start syncer',
    );
    expect(commands(cs)[1]).toContain('systemctl --user is-active --quiet syncer');
    expect(commands(cs).at(-1)).toMatch(/systemctl --user enable syncer$/);
  });
  it('scope user refuses, with what to do, when that user has no manager', () => {
    const noBus = probe(['init=systemd', 'uid=0', 'runtime_dir=/run/user/0', 'user_bus=0', 'known=0', 'active=']);
    const out = serviceModule.plan(args({ name: 'syncer', scope: 'user', state: 'started' }), noBus, ctx);
    expect(out).toEqual({
      failed: expect.stringMatching(
        /no systemd user manager for uid 0 \(no bus at \/run\/user\/0\/bus\).*enable-linger/,
      ),
    });
  });
  it('scope global: unit files of every user (enabled, masked), never a start', () => {
    const global = probe(['init=systemd', 'known_by_word=1', 'enabled_word=disabled']);
    expect(global.known).toBe(true);
    const cs = changes(serviceModule.plan(args({ name: 'syncer', scope: 'global', enabled: true }), global, ctx));
    expect(commands(cs)).toEqual(['systemctl --global enable syncer']);
    const r = serviceModule.args.safeParse({ name: 'syncer', scope: 'global', state: 'started' });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/cannot be used with scope: global/);
    expect(serviceModule.args.safeParse({ name: 'x', scope: 'session' }).success).toBe(false);
  });
  it('refuses systemd-only arguments on a SysV host instead of ignoring them', () => {
    const sysv = probe(['init=sysv', 'known=1', 'status_action=1', 'status_rc=0', 'enabled=1']);
    for (const a of [{ masked: true }, { daemon_reexec: true }, { scope: 'user' }])
      expect(serviceModule.plan(args({ name: 'ssh', ...a }), sysv, ctx)).toEqual({
        failed: expect.stringMatching(/only systemd has this, and this host runs SysV init/),
      });
    expect(changes(serviceModule.plan(args({ name: 'ssh', scope: 'system' }), sysv, ctx))).toEqual([]);
  });
  it('probes the scope it is given', () => {
    const user = serviceModule.probe(args({ name: 'syncer', scope: 'user', state: 'started' }), ctx)!.cmd.text;
    expect(user).toContain('systemctl --user cat syncer');
    expect(user).toContain('echo user_bus=1');
    const global = serviceModule.probe(args({ name: 'syncer', scope: 'global', enabled: true }), ctx)!.cmd.text;
    expect(global).toContain('systemctl --global is-enabled syncer');
    expect(global).not.toContain('is-active');
  });
});

describe('service: sleep', () => {
  const sysv = probe(['init=sysv', 'known=1', 'status_action=1', 'status_rc=0', 'enabled=1']);
  it('sleeps between the stop and the start of a restart on SysV', () => {
    const cs = changes(serviceModule.plan(args({ name: 'ssh', state: 'restarted', sleep: '3' }), sysv, ctx));
    const cmds = commands(cs);
    const stop = cmds.findIndex((c) => c === '/etc/init.d/ssh stop');
    const start = cmds.findIndex((c) => c === '/etc/init.d/ssh start');
    expect(cmds.indexOf('sleep 3')).toBeGreaterThan(stop);
    expect(cmds.indexOf('sleep 3')).toBeLessThan(start);
    // Stopped: nothing to wait for between a stop and a start.
    const stopped = { ...sysv, statusRc: 3 };
    expect(
      commands(changes(serviceModule.plan(args({ name: 'ssh', state: 'restarted', sleep: 3 }), stopped, ctx))),
    ).not.toContain('sleep 3');
  });
  it('is ignored under systemd with the warning Ansible gives', () => {
    const sd = probe(['init=systemd', 'known=1', 'active=active', 'enabled_word=enabled']);
    const out = serviceModule.plan(args({ name: 'ssh', state: 'restarted', sleep: 3 }), sd, ctx);
    expect(out).toMatchObject({ warnings: ['Ignoring "sleep" as it is not used in "systemd"'] });
    expect(commands(changes(out))).not.toContain('sleep 3');
  });
});

describe('file: SELinux context arguments', () => {
  const fileArgs = (a: Record<string, unknown>) => typed(fileModule, a);
  const probed = (a: Record<string, unknown>, selinux: boolean) => {
    const p = fileModule.probe(fileArgs(a), ctx)!;
    expect(p.cmd.text).toContain('/sys/fs/selinux/enforce');
    const stdout = `0.parent=1\numask=0022\nselinux=${selinux ? 1 : 0}\n`;
    return p.parse({ stdout, stderr: '', code: 0 } as ExecResult);
  };
  it('reads SELinux only when a context argument is given', () => {
    expect(fileModule.probe(fileArgs({ path: '/tmp/x' }), ctx)!.cmd.text).not.toContain('selinux');
  });
  it('where SELinux is off, plans as if they were not given (as Ansible)', () => {
    const a = { path: '/tmp/x', state: 'directory', setype: 'httpd_sys_content_t', seuser: 'system_u' };
    const facts = probed(a, false);
    expect(facts.selinux).toBe(false);
    const plain = fileModule.plan(fileArgs({ path: '/tmp/x', state: 'directory' }), facts, ctx);
    expect(fileModule.plan(fileArgs(a), facts, ctx)).toEqual(plain);
  });
  it('where SELinux is on, fails and says what to do', () => {
    const a = { path: '/tmp/x', state: 'directory', setype: 'httpd_sys_content_t', selevel: 's0' };
    expect(fileModule.plan(fileArgs(a), probed(a, true), ctx)).toEqual({
      failed: expect.stringMatching(/^setype, selevel: SELinux is enabled on this host .*chcon/),
    });
  });
});

describe('apt: policy_rc_d', () => {
  const apt: PackageState = { mgr: 'apt', pkgs: { lighttpd: { candidate: '1.4.69-1' } } };
  it('holds the policy around the install only', () => {
    const cs = changes(packageModule.plan(typed(packageModule, { name: 'lighttpd', policy_rc_d: 101 }), apt, ctx));
    const [cmd] = commands(cs);
    expect(cmd).toContain("printf '#!/bin/sh\\nexit %d\\n' 101 > /usr/sbin/policy-rc.d");
    expect(cmd).toContain("trap 'lv_rc=$?; lv_back; exit $lv_rc' EXIT");
    expect(cmd!.indexOf('policy-rc.d')).toBeLessThan(cmd!.indexOf('apt-get install'));
    const plain = commands(changes(packageModule.plan(typed(packageModule, { name: 'lighttpd' }), apt, ctx)));
    expect(plain[0]).not.toContain('policy-rc.d');
  });
  it('is refused on a host without apt', () => {
    const dnf = { mgr: 'dnf' as const, pkgs: { lighttpd: { candidate: '1.4' } } };
    expect(packageModule.plan(typed(packageModule, { name: 'lighttpd', policy_rc_d: 101 }), dnf, ctx)).toEqual({
      failed: expect.stringMatching(/policy_rc_d is an option of apt/),
    });
  });
});
