// The cluster roles as the runner sees them: keepalived.conf rendered from the lab inventory
// with the real templar and variable layers, the init scripts checked by shellcheck and run in
// a throwaway network namespace, and the guards that refuse a dangerous setup.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/load-and-plan.js';
import { LAB, plan, playOf, render, ROLES, ROOT, templarOf, varsFor } from '../helpers/roles.js';

const templar = templarOf(plan());

const KEEPALIVED_TASK = 'Write keepalived.conf (checked by keepalived -t before it replaces the old one)';
const keepalivedConf = (p: Plan, host: string) =>
  render(p, 'director', 'keepalived.conf.j2', 'directors', host, KEEPALIVED_TASK);

/** Lines of `a` and `b` that differ, as "-old" / "+new" pairs. */
function changedLines(a: string, b: string): string[] {
  const x = a.split('\n');
  const y = b.split('\n');
  expect(x.length).toBe(y.length);
  return x.flatMap((l, i) => (l === y[i] ? [] : [`-${l.trim()}`, `+${y[i]!.trim()}`]));
}

describe('keepalived.conf from the inventory', () => {
  const p = plan();
  const lvs1 = keepalivedConf(p, 'lvs1');
  const lvs2 = keepalivedConf(p, 'lvs2');

  it('holds the seed VRRP instance with per-director router_id, state and priority', () => {
    expect(lvs1).toMatch(/global_defs \{\n  router_id lvs1\n\}/);
    expect(lvs2).toMatch(/router_id lvs2\n/);
    expect(lvs1).toMatch(
      /vrrp_instance VI_1 \{\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n  priority 50\n  advert_int 1\n/,
    );
    expect(lvs2).toMatch(/state MASTER\n  interface eth0\n  virtual_router_id 51\n  priority 100\n/);
    expect(lvs1).toContain('    10.0.7.247/24 dev eth0 label eth0:vip\n');
  });

  it('takes the VRRP password from the vault, in a file of its own that keepalived.conf includes', () => {
    const auth = render(
      p,
      'director',
      'vrrp_auth.conf.j2',
      'directors',
      'lvs1',
      'Write the VRRP password for keepalived.conf to include',
    );
    const pass = /^auth_pass (\S+)$/m.exec(auth)?.[1];
    // What ansible-vault decrypts from group_vars/all/vault.yml with the lab password.
    const plain = execFileSync(
      'ansible-vault',
      ['view', '--vault-password-file', join(ROOT, 'inventory/lab-vault-pass.txt'), '-'],
      {
        input: vaultBlock('vrrp_auth_pass'),
        encoding: 'utf8',
      },
    );
    expect(pass).toBe(plain.trim());
    expect(pass!.length).toBeLessThanOrEqual(8); // keepalived ignores the rest of a PASS password
    expect(lvs1).toContain(
      '  authentication {\n    auth_type PASS\n    # auth_pass, from the vault, in a file readable by root only\n    include /etc/keepalived/vrrp_auth.conf\n  }\n',
    );
    // keepalived.conf itself holds no secret, so --diff can show its changes.
    expect(lvs1).not.toContain(pass!);
    const raw = templarOf(p).renderFile(
      join(ROLES, 'director/templates/keepalived.conf.j2'),
      varsFor(p, 'directors', 'lvs1', KEEPALIVED_TASK),
    );
    expect(typeof raw).toBe('string');
  });

  it('derives the virtual server from the realservers group and their lvs_weight; each checked by its health URL, drainable (weight 0 on failure)', () => {
    expect(lvs1).toContain(
      'virtual_server 10.0.7.247 80 {\n  delay_loop 6\n  lb_algo wlc\n  lb_kind DR\n  protocol TCP\n',
    );
    const reals = [
      ...lvs1.matchAll(
        /real_server (\S+) 80 \{\n {4}weight (\d+)\n(?: {4}#.*\n)* {4}inhibit_on_failure\n {4}HTTP_GET \{\n {6}url \{\n {8}path \/lvs-health\.txt\n {8}status_code 200\n {6}\}\n {6}connect_port 80\n {6}connect_timeout 20\n {6}retry 3\n {6}delay_before_retry 1\n {4}\}\n/g,
      ),
    ];
    expect(reals.map((m) => `${m[1]}=${m[2]}`)).toEqual(['10.0.7.211=60', '10.0.7.29=40']);
    // keepalived 2.2 spells the retry count "retry"; nb_get_retry draws a warning.
    expect(lvs1).not.toContain('nb_get_retry');
  });

  it('differs between the directors only in router_id, state and priority', () => {
    expect(changedLines(lvs1, lvs2)).toEqual([
      '-router_id lvs1',
      '+router_id lvs2',
      '-state BACKUP',
      '+state MASTER',
      '-priority 50',
      '+priority 100',
    ]);
  });

  it('changing one lvs_weight in the inventory changes exactly that line on both directors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-roles-'));
    const override = join(dir, 'weight.ini');
    writeFileSync(override, '[realservers]\nweb1 lvs_weight=70\n');
    const q = plan([LAB, override]);
    for (const host of ['lvs1', 'lvs2']) {
      const before = keepalivedConf(p, host);
      expect(changedLines(before, keepalivedConf(q, host))).toEqual(['-weight 60', '+weight 70']);
    }
  });
});

/** One inline vault value of group_vars/all/vault.yml, as ansible-vault reads it. */
function vaultBlock(name: string): string {
  const text = execFileSync('cat', [join(ROOT, 'inventory/group_vars/all/vault.yml')], { encoding: 'utf8' });
  const m = new RegExp(`^${name}: !vault \\|\\n((?: {2,}.*\\n)+)`, 'm').exec(text);
  if (!m) throw new Error(`${name} not in vault.yml`);
  return m[1]!
    .split('\n')
    .map((l) => l.trim())
    .join('\n');
}

describe('init scripts', () => {
  const p = plan();
  const scripts: Record<string, string> = {
    realserver: render(
      p,
      'realserver',
      'realserver.j2',
      'realservers',
      'web1',
      'Install /etc/init.d/realserver (the VIP on lo)',
    ),
    lvs_server: render(p, 'director', 'lvs_server.j2', 'directors', 'lvs1', 'Install /etc/init.d/lvs_server'),
    'lvs-db-page': render(
      p,
      'realserver',
      'lvs-db-page.init.j2',
      'realservers',
      'web1',
      'Install /etc/init.d/lvs-db-page',
    ),
  };
  const dir = mkdtempSync(join(tmpdir(), 'lvsplay-init-'));
  for (const [name, text] of Object.entries(scripts)) writeFileSync(join(dir, name), text, { mode: 0o755 });
  // Shell scripts shipped as they are (roles/*/files) are checked too (lvs-db-page is Python).
  const shipped = readdirSync(ROLES).flatMap((r) => {
    const files = join(ROLES, r, 'files');
    return existsSync(files)
      ? readdirSync(files)
          .map((f) => join(files, f))
          .filter((f) => readFileSync(f, 'utf8').startsWith('#!/bin/sh'))
      : [];
  });

  it.each([...Object.keys(scripts).map((n) => join(dir, n)), ...shipped])('%s passes shellcheck', (path) => {
    const r = spawnSync('shellcheck', ['--shell=sh', '--severity=style', path], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each(Object.keys(scripts))('%s has an LSB header and start, stop, restart and status', (name) => {
    const text = scripts[name]!;
    expect(text.startsWith('#!/bin/sh\n### BEGIN INIT INFO\n')).toBe(true);
    expect(text).toMatch(/^# Provides: +\S+$/m);
    expect(text).toMatch(/^# Default-Start: +2 3 4 5$/m);
    for (const action of ['start)', 'stop)', 'restart | force-reload)', 'status)']) expect(text).toContain(action);
    expect(text).not.toContain('/etc/rc.d/init.d/functions');
    expect(text).not.toContain('ifconfig');
  });

  it('lvs_server programs the seed service: wlc, direct routing, weights 60 and 40', () => {
    expect(scripts.lvs_server).toContain('REAL_SERVERS="10.0.7.211:60 10.0.7.29:40"');
    expect(scripts.lvs_server).toMatch(/ALGO=wlc\n/);
    expect(scripts.lvs_server).toContain('-g -w "$weight"');
  });

  // A real run of the script in a network namespace of its own (only lo, no traffic leaves).
  it('realserver puts the VIP on lo as /32, sets the ARP sysctls first, and is safe to repeat', () => {
    const script = join(dir, 'realserver');
    const sh = [
      'ip link set lo up',
      `sh ${script} status; echo "status-before=$?"`,
      `sh ${script} start && sh ${script} start; echo "start=$?"`,
      `sh ${script} status; echo "status-after=$?"`,
      'ip -o -4 addr show dev lo | grep -c 10.0.7.247',
      'for k in lo.arp_ignore lo.arp_announce all.arp_ignore all.arp_announce; do echo "$k=$(sysctl -n net.ipv4.conf.$k)"; done',
      `sh ${script} stop && sh ${script} stop; echo "stop=$?"`,
      `sh ${script} status; echo "status-stopped=$?"`,
      'ip -o -4 addr show dev lo | grep -c 10.0.7.247 || true',
    ].join('\n');
    const r = spawnSync('unshare', ['--net', 'sh', '-c', sh], { encoding: 'utf8' });
    const out = r.stdout;
    expect(out).toContain('realserver is not running\nstatus-before=3');
    expect(out).toContain('start=0');
    expect(out).toContain('realserver is running: VIP 10.0.7.247 on lo\nstatus-after=0\n1\n');
    expect(out).toContain('lo.arp_ignore=1\nlo.arp_announce=2\nall.arp_ignore=1\nall.arp_announce=2\n');
    expect(out).toContain('stop=0');
    expect(out).toMatch(/status-stopped=3\n0\n$/);
  });
});

describe('guards', () => {
  it('the directors play runs one director at a time, in inventory order', () => {
    const pp = playOf(plan(), 'directors');
    expect(pp.batches).toEqual([['lvs1'], ['lvs2']]);
  });

  it('refuses directors listed highest priority first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-roles-'));
    const swapped = join(dir, 'swapped.ini');
    writeFileSync(swapped, '[directors]\nlvs1 vrrp_priority=150\n');
    const p = plan([LAB, swapped]);
    const taskName = 'Check that the directors are listed lowest VRRP priority first';
    const assertTask = playOf(p, 'directors').compiled.tasks.find((t) => t.task.name === taskName)!;
    const vars = {
      ...varsFor(p, 'directors', 'lvs1', taskName),
      ...(templar.render(assertTask.task.vars, varsFor(p, 'directors', 'lvs1', taskName)) as object),
    };
    const that = assertTask.task.args.that as string[];
    expect(that.every((c) => templar.evalCondition(c, vars))).toBe(false);
    const okVars = varsFor(plan(), 'directors', 'lvs1', taskName);
    const okAll = { ...okVars, ...(templar.render(assertTask.task.vars, okVars) as object) };
    expect(that.every((c) => templar.evalCondition(c, okAll))).toBe(true);
  });

  it('refuses the lvs_server script mode with two directors', () => {
    const p = plan();
    const taskName = 'Refuse the script mode for more than one director';
    const t = playOf(p, 'directors').compiled.tasks.find((x) => x.task.name === taskName)!;
    const vars = varsFor(p, 'directors', 'lvs1', taskName);
    expect((t.task.args.that as string[]).every((c) => templar.evalCondition(c, vars))).toBe(false);
    expect(String(templar.render(t.task.args.fail_msg, vars))).toContain('would hold the VIP');
  });
});
