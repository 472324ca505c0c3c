// service on each host kind: the lab's client (a namespace host in no cluster group, SysV init:
// keepalived's Debian init script has no status action) and a systemd host of each Debian release (keepalived's unit), with a tiny self-made
// SysV service for the edge cases (under systemd: a unit made by systemd-sysv-generator).
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { statuses, changed } from '../helpers/lab-run.js';
import { convergeHonestly, ensureKindsLab, hostKinds, onHost, play, runOnKinds } from './modules-system-helpers.js';

// Not the cluster's VIP nor its virtual_router_id: this instance must never meet the real one.
const KEEPALIVED_CONF = `vrrp_instance lvsplay_test {
    state BACKUP
    interface eth0
    virtual_router_id 99
    priority 50
    advert_int 1
    virtual_ipaddress {
        10.0.7.250/24
    }
}
`;
const DUMMY = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          lvsplay-dummy
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: test daemon
### END INIT INFO
PIDFILE=/run/lvsplay-dummy.pid
case "$1" in
  start) [ -f /etc/lvsplay-dummy.broken ] && exit 0
         start-stop-daemon --start --quiet --background --make-pidfile --pidfile $PIDFILE --exec /usr/local/sbin/lvsplay-dummy -- 100000 ;;
  stop) start-stop-daemon --stop --quiet --oknodo --pidfile $PIDFILE --retry 5; rm -f $PIDFILE ;;
  status) start-stop-daemon --status --pidfile $PIDFILE; exit $? ;;
  reload) start-stop-daemon --status --pidfile $PIDFILE ;; # sleep would die of a HUP
  *) echo "Usage: $0 {start|stop|status|reload}" >&2; exit 3 ;;
esac
exit 0
`;

describe.each(hostKinds('client'))('service on a lab host ($kind)', ({ host: H, init }) => {
  const running = async (name: string) =>
    (
      await onHost(
        H,
        `for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = ${name} ] && echo \${p#/proc/}; done; true`,
      )
    )
      .trim()
      .split('\n')
      .filter(Boolean);
  // keepalived has a unit under systemd (a wants link); a SysV script has rc links either way
  const enabled = async (name: string) =>
    init === 'systemd' && name === 'keepalived'
      ? (
          await onHost(H, `test -e /etc/systemd/system/multi-user.target.wants/${name}.service && echo 1; true`)
        ).trim() === '1'
      : (await onHost(H, `ls /etc/rc2.d/ | grep -c '^S..${name}$'; true`)).trim() === '1';
  const snapshot = async () =>
    `${(await running('keepalived')).length > 0} ${await enabled('keepalived')} ${(await running('lvsplay-dummy')).length > 0} ${await enabled('lvsplay-dummy')}`;
  const stopAll = () =>
    onHost(
      H,
      `${init === 'systemd' ? 'systemctl stop keepalived lvsplay-dummy lvsplay-fresh 2>/dev/null; systemctl disable keepalived 2>/dev/null; ' : ''}pkill -x keepalived; pkill -x lvsplay-dummy; pkill -x lvsplay-fresh; rm -f /run/keepalived.pid /run/lvsplay-dummy.pid /run/lvsplay-fresh.pid; i=0; while pgrep -x keepalived >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; update-rc.d -f keepalived remove >/dev/null 2>&1; update-rc.d -f lvsplay-dummy remove >/dev/null 2>&1; rm -f /etc/lvsplay-dummy.broken; true`,
    );

  beforeAll(async () => {
    await ensureKindsLab();
    await onHost(
      H,
      "dpkg-query -W -f='${db:Status-Status}' keepalived 2>/dev/null | grep -qx installed || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends keepalived >/dev/null",
    );
    await onHost(
      H,
      `printf '%s\\n' 'DAEMON_ARGS="--vrrp"' > /etc/default/keepalived; cat > /etc/keepalived/keepalived.conf <<'X'\n${KEEPALIVED_CONF}X\ncp /bin/sleep /usr/local/sbin/lvsplay-dummy; cat > /etc/init.d/lvsplay-dummy <<'X'\n${DUMMY}X\nchmod 755 /etc/init.d/lvsplay-dummy`,
    );
    await stopAll();
  }, 120_000);

  afterAll(async () => {
    await stopAll();
    await onHost(
      H,
      'rm -f /etc/keepalived/keepalived.conf /etc/init.d/lvsplay-dummy /usr/local/sbin/lvsplay-dummy /etc/init.d/lvsplay-fresh /usr/local/sbin/lvsplay-fresh; update-rc.d -f lvsplay-fresh remove >/dev/null 2>&1; ip addr del 10.0.7.250/24 dev eth0 2>/dev/null; true',
    );
  });

  it('starts and enables keepalived though its script has no status; a rerun changes nothing', async () => {
    const pb = play(
      H,
      `
    - name: keepalived up
      service: { name: keepalived, state: started, enabled: yes }
`,
    );
    const { real } = await convergeHonestly(pb, H, snapshot);
    expect(real.rec.results(H)[0]!.result.changes.map((c) => c.summary)).toEqual([
      'start keepalived',
      'enable keepalived at boot',
    ]);
    expect((await running('keepalived')).length).toBeGreaterThan(0);
    expect(await enabled('keepalived')).toBe(true);
  }, 60_000);

  it('restarts twice in a row and keepalived still runs, with a new process', async () => {
    const before = await running('keepalived');
    const pb = play(
      H,
      `
    - name: restart one
      service: { name: keepalived, state: restarted }
    - name: restart two
      service: { name: keepalived, state: restarted }
    - name: still started
      service: { name: keepalived, state: started }
`,
    );
    const r = await runOnKinds(pb);
    expect(statuses(r, H)).toEqual({ 'restart one': 'changed', 'restart two': 'changed', 'still started': 'ok' });
    const after = await running('keepalived');
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((p) => before.includes(p))).toEqual([]);
  }, 60_000);

  it('stops and disables it, predicted by check mode', async () => {
    const pb = play(
      H,
      `
    - name: keepalived down
      ${init === 'sysv' ? 'sysvinit' : 'systemd'}: { name: keepalived, state: stopped, enabled: no }
`,
    );
    await convergeHonestly(pb, H, snapshot);
    expect(await running('keepalived')).toEqual([]);
    expect(await enabled('keepalived')).toBe(false);
  }, 60_000);

  // under systemd the unit's state decides, whatever the pattern (as Ansible's systemd module)
  it('uses an LSB status action when there is one, and a pattern when given', async () => {
    const pb = play(
      H,
      `
    - name: dummy up
      service: { name: lvsplay-dummy, state: started, enabled: true }
`,
    );
    const { real } = await convergeHonestly(pb, H, snapshot);
    expect(changed(real, H)).toEqual(['dummy up']);
    const byPattern = await runOnKinds(
      play(
        H,
        `
    - name: dummy by pattern
      service: { name: lvsplay-dummy, state: started, pattern: "lvsplay-dummy 100000" }
      register: st
    - name: the pattern decided
      assert: { that: ["st.status.running_by == '${init === 'sysv' ? 'pattern' : 'systemd'}'"] }
`,
      ),
    );
    expect(statuses(byPattern, H)).toEqual({ 'dummy by pattern': 'ok', 'the pattern decided': 'ok' });
    const r = await runOnKinds(
      play(
        H,
        `
    - name: reload
      service: { name: lvsplay-dummy, state: reloaded }
      register: out
    - name: stop
      service: { name: lvsplay-dummy, state: stopped }
`,
      ),
    );
    expect(statuses(r, H)).toEqual({ reload: 'changed', stop: 'changed' });
    expect(await running('lvsplay-dummy')).toEqual([]);
  }, 60_000);

  // under systemd a generated unit stays active after its script exits 0 (RemainAfterExit)
  it.runIf(init === 'sysv')(
    'fails a start whose script reports success but whose daemon does not run',
    async () => {
      await onHost(H, 'touch /etc/lvsplay-dummy.broken');
      const t0 = Date.now();
      const r = await runOnKinds(
        play(
          H,
          `
    - name: dummy up
      service: { name: lvsplay-dummy, state: started }
`,
        ),
      );
      expect(r.rec.results(H)[0]).toMatchObject({
        status: 'failed',
        result: { msg: expect.stringMatching(/lvsplay-dummy is not running 10s after its start/) },
      });
      expect(Date.now() - t0).toBeLessThan(20_000);
      await onHost(H, 'rm -f /etc/lvsplay-dummy.broken');
    },
    60_000,
  );

  it('starts and enables an init script new to the host (systemd reloads first), predicted by check mode', async () => {
    await onHost(
      H,
      `sed 's/lvsplay-dummy/lvsplay-fresh/g' /etc/init.d/lvsplay-dummy > /etc/init.d/lvsplay-fresh; chmod 755 /etc/init.d/lvsplay-fresh; cp /bin/sleep /usr/local/sbin/lvsplay-fresh`,
    );
    const fresh = async () => `${(await running('lvsplay-fresh')).length > 0} ${await enabled('lvsplay-fresh')}`;
    const pb = play(
      H,
      `
    - name: fresh up
      service: { name: lvsplay-fresh, state: started, enabled: true }
`,
    );
    const { real } = await convergeHonestly(pb, H, fresh);
    expect(real.rec.results(H)[0]!.result.changes.map((c) => c.summary)).toEqual([
      ...(init === 'systemd' ? ['systemd daemon-reload (a new init script)'] : []),
      'start lvsplay-fresh',
      'enable lvsplay-fresh at boot',
    ]);
    expect(await fresh()).toBe('true true');
  }, 60_000);

  it('names a missing service clearly', async () => {
    const r = await runOnKinds(
      play(
        H,
        `
    - name: nothing
      service: { name: lvsplay-no-such-service, state: started }
`,
      ),
    );
    expect(r.rec.results(H)[0]).toMatchObject({
      status: 'failed',
      result: {
        msg: expect.stringMatching(
          init === 'sysv'
            ? /no service named lvsplay-no-such-service on this host \(no \/etc\/init.d\/lvsplay-no-such-service\)/
            : /no service named lvsplay-no-such-service on this host \(no such systemd unit\)/,
        ),
      },
    });
  });
});
