// The arguments real roles give that the first service/file/apt modules lacked, on the lab's
// systemd hosts (Debian 12 and 13): systemd's masked, daemon_reexec and scope (user: refused
// where there is no user manager, as on these hosts; global: unit files for every user),
// service's sleep, file's SELinux context arguments (SELinux is off here: ignored, as Ansible
// does) and apt's policy_rc_d.
// Each converge is checked, run and rerun: check mode predicts the run, the rerun changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statuses } from '../helpers/lab-run.js';
import { convergeHonestly, ensureKindsLab, hostKinds, onHost, play, runOnKinds } from './modules-system-helpers.js';

const UNIT = `[Unit]
Description=lvsplay test unit
[Service]
ExecStart=/bin/sleep 100000
[Install]
WantedBy=multi-user.target
`;
const USER_UNIT = UNIT.replace('multi-user.target', 'default.target');
const HOST_POLICY = '#!/bin/sh\n# the host own policy\nexit 0\n';
const ROOT_USER = 'XDG_RUNTIME_DIR=/run/user/0 systemctl --user';
// The system unit lives where packages put units, not in /etc/systemd/system: a mask is a link
// to /dev/null made there, which systemctl refuses over an admin's own unit file.

describe.each(hostKinds('client').filter((k) => k.init === 'systemd'))('systemd extras ($kind)', ({ host: H }) => {
  const word = async (cmd: string) => (await onHost(H, `${cmd} 2>/dev/null; true`)).trim();
  const cleanup = () =>
    onHost(
      H,
      `systemctl unmask lvsplay-sx 2>/dev/null; systemctl disable --now lvsplay-sx 2>/dev/null
${ROOT_USER} disable --now lvsplay-ux 2>/dev/null; systemctl --global disable lvsplay-gx 2>/dev/null
rm -f /usr/local/lib/systemd/system/lvsplay-sx.service /root/.config/systemd/user/lvsplay-ux.service /etc/systemd/user/lvsplay-gx.service
rm -rf /srv/lvsplay-se; systemctl daemon-reload; true`,
    );

  beforeAll(async () => {
    await ensureKindsLab();
    await cleanup();
    await onHost(
      H,
      `mkdir -p /root/.config/systemd/user /etc/systemd/user /usr/local/lib/systemd/system
cat > /usr/local/lib/systemd/system/lvsplay-sx.service <<'X'\n${UNIT}X
cat > /root/.config/systemd/user/lvsplay-ux.service <<'X'\n${USER_UNIT}X
cat > /etc/systemd/user/lvsplay-gx.service <<'X'\n${USER_UNIT}X
systemctl daemon-reload`,
    );
  }, 120_000);

  afterAll(async () => {
    await cleanup();
  });

  it('masks a unit, then unmasks, enables and starts it, each predicted by check mode', async () => {
    const state = () => word('echo $(systemctl is-enabled lvsplay-sx) $(systemctl is-active lvsplay-sx)');
    const masked = await convergeHonestly(
      play(H, `    - systemd: { name: lvsplay-sx, masked: yes }\n      name: mask it\n`),
      H,
      state,
    );
    expect(masked.real.rec.results(H)[0]!.result.changes.map((c) => c.summary)).toEqual(['mask lvsplay-sx']);
    expect(await state()).toBe('masked inactive');
    const up = await convergeHonestly(
      play(
        H,
        `    - name: back in use
      service: { name: lvsplay-sx, masked: no, enabled: yes, state: started }
`,
      ),
      H,
      state,
    );
    expect(up.real.rec.results(H)[0]!.result.changes.map((c) => c.summary)).toEqual([
      'unmask lvsplay-sx',
      'start lvsplay-sx',
      'enable lvsplay-sx at boot',
    ]);
    expect(await state()).toBe('enabled active');
  }, 120_000);

  it('re-executes the manager before restarting, and restarts after sleep is ignored as Ansible ignores it', async () => {
    await onHost(H, 'systemctl start lvsplay-sx');
    const pid = await word('systemctl show -p MainPID --value lvsplay-sx');
    const r = await runOnKinds(
      play(
        H,
        `    - name: reexec and restart
      systemd: { name: lvsplay-sx, daemon_reexec: yes, state: restarted }
    - name: restart with sleep
      service: { name: lvsplay-sx, state: restarted, sleep: 1 }
`,
      ),
    );
    expect(statuses(r, H)).toEqual({ 'reexec and restart': 'changed', 'restart with sleep': 'changed' });
    const [reexec, slept] = r.rec.results(H);
    expect(reexec!.result.changes.map((c) => c.summary)).toEqual(['systemd daemon-reexec', 'restart lvsplay-sx']);
    expect(slept!.result.warnings).toEqual(['Ignoring "sleep" as it is not used in "systemd"']);
    expect(await word('systemctl is-system-running')).toMatch(/^(running|degraded)$/);
    const now = await word('systemctl show -p MainPID --value lvsplay-sx');
    expect(now).not.toBe(pid);
    expect(now).not.toBe('0');
  }, 120_000);

  // The lab's hosts (systemd-nspawn) run no user managers: logind cannot start user@UID there
  // (loginctl enable-linger fails on Debian 13), so what a user meets is the refusal.
  it('scope user: fails, saying why and what to do, where the user has no manager', async () => {
    expect(await word('[ -S /run/user/0/bus ] && echo bus || echo none')).toBe('none');
    const r = await runOnKinds(
      play(
        H,
        `    - name: user unit up
      systemd: { name: lvsplay-ux, scope: user, state: started, enabled: yes }
`,
      ),
    );
    expect(r.rec.results(H)[0]).toMatchObject({
      status: 'failed',
      result: {
        msg: expect.stringMatching(
          /^scope: user: no systemd user manager for uid 0 \(no bus at \/run\/user\/0\/bus\)\..*loginctl enable-linger USER/,
        ),
      },
    });
    expect(await word('systemctl is-active lvsplay-ux; ls /root/.config/systemd/user')).toBe(
      'inactive\nlvsplay-ux.service',
    );
  }, 120_000);

  it('scope global: enables a user unit for every user', async () => {
    const state = () => word('systemctl --global is-enabled lvsplay-gx');
    const { real } = await convergeHonestly(
      play(
        H,
        `    - name: for everyone
      systemd: { name: lvsplay-gx, scope: global, enabled: yes }
`,
      ),
      H,
      state,
    );
    expect(real.rec.results(H)[0]!.result.changes.map((c) => c.summary)).toEqual(['enable lvsplay-gx at boot']);
    expect(await state()).toBe('enabled');
  }, 120_000);

  it('file: SELinux context arguments are ignored where SELinux is off', async () => {
    const state = () => word('stat -c %F:%a /srv/lvsplay-se /srv/lvsplay-se/f');
    await convergeHonestly(
      play(
        H,
        `    - name: web root
      file: { path: /srv/lvsplay-se, state: directory, mode: "0750", setype: httpd_sys_content_t, seuser: system_u }
    - name: page
      file: { path: /srv/lvsplay-se/f, state: touch, mode: "0640", serole: object_r, selevel: s0, access_time: preserve, modification_time: preserve }
`,
      ),
      H,
      state,
    );
    expect(await state()).toBe('directory:750\nregular empty file:640');
  }, 120_000);
});

describe.each(hostKinds('client').filter((k) => k.init === 'systemd'))('apt policy_rc_d ($kind)', ({ host: H }) => {
  const state = async () =>
    (
      await onHost(
        H,
        `dpkg-query -W -f='\${db:Status-Status}' lighttpd 2>/dev/null; echo; systemctl is-active lighttpd 2>/dev/null; cat /usr/sbin/policy-rc.d 2>/dev/null || echo no-policy; true`,
      )
    ).trim();
  const purge = () =>
    onHost(
      H,
      'systemctl stop lighttpd 2>/dev/null; DEBIAN_FRONTEND=noninteractive apt-get purge -y -q lighttpd >/dev/null 2>&1; rm -f /usr/sbin/policy-rc.d; true',
    );

  beforeAll(async () => {
    await ensureKindsLab();
    await purge();
  }, 120_000);
  afterAll(purge, 120_000);

  it('installs lighttpd without starting it, and leaves no policy behind', async () => {
    expect(await state()).not.toMatch(/^installed/);
    const { real } = await convergeHonestly(
      play(
        H,
        `    - name: web server, not started
      apt: { name: lighttpd, policy_rc_d: 101 }
`,
      ),
      H,
      state,
    );
    expect(real.rec.results(H)[0]!.result.changes[0]!.summary).toMatch(/^install lighttpd /);
    expect(await state()).toBe('installed\ninactive\nno-policy');
  }, 180_000);

  it("puts the host's own policy back when the install fails", async () => {
    await onHost(H, `printf '%s' '${HOST_POLICY}' > /usr/sbin/policy-rc.d; chmod 0700 /usr/sbin/policy-rc.d`);
    const r = await runOnKinds(
      play(
        H,
        `    - name: a version that does not exist
      apt: { name: "lighttpd=0.0-lvsplay-none", policy_rc_d: 101 }
`,
      ),
    );
    expect(r.rec.results(H)[0]!.status).toBe('failed');
    expect(await onHost(H, 'cat /usr/sbin/policy-rc.d; stat -c %a /usr/sbin/policy-rc.d')).toBe(`${HOST_POLICY}700\n`);
  }, 120_000);
});
