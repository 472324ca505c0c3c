// sysctl on each host kind (the lab's client, a SysV namespace host, and a systemd host of each
// Debian release): runtime value and persisted file, per key.
import { beforeAll, describe, expect, it } from 'vitest';
import { labStatus } from '../../src/lab/index.js';
import { statuses } from '../helpers/lab-run.js';
import { convergeHonestly, ensureKindsLab, hostKinds, onHost, play, runOnKinds } from './modules-system-helpers.js';

const FILE = '/etc/sysctl.d/99-lvsplay.conf';
describe.each(hostKinds('client'))('sysctl on a lab host ($kind)', ({ host: H }) => {
  const reset = () =>
    onHost(
      H,
      `printf '0\\n' > /proc/sys/net/ipv4/ip_forward; printf '0\\n' > /proc/sys/net/ipv4/conf/all/arp_ignore; printf '32768 60999\\n' > /proc/sys/net/ipv4/ip_local_port_range; rm -f ${FILE}`,
    );
  const snapshot = () =>
    onHost(
      H,
      `cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/all/arp_ignore /proc/sys/net/ipv4/ip_local_port_range; cat ${FILE} 2>/dev/null; true`,
    );

  beforeAll(async () => {
    await ensureKindsLab();
    await reset();
  });

  it('converges runtime and file, predicts it in check mode, and reruns with no change', async () => {
    const pb = play(
      H,
      `
    - name: forward
      sysctl: { name: net.ipv4.ip_forward, value: "1" }
    - name: arp ignore
      ansible.posix.sysctl: { name: net.ipv4.conf.all.arp_ignore, value: 1 }
    - name: port range
      sysctl: { name: net.ipv4.ip_local_port_range, value: "1024   65000" }
`,
    );
    const { real } = await convergeHonestly(pb, H, snapshot);
    expect(statuses(real, H)).toEqual({ forward: 'changed', 'arp ignore': 'changed', 'port range': 'changed' });
    const forward = real.rec.results(H).find((r) => r.task === 'forward')!.result.changes;
    expect(forward[0]).toMatchObject({
      summary: 'set net.ipv4.ip_forward 0 -> 1',
      diff: { before: 'net.ipv4.ip_forward = 0\n', after: 'net.ipv4.ip_forward = 1\n' },
    });
    expect(await snapshot()).toBe(
      `1\n1\n1024\t65000\nnet.ipv4.ip_forward = 1\nnet.ipv4.conf.all.arp_ignore = 1\nnet.ipv4.ip_local_port_range = 1024 65000\n`,
    );
  });

  it('puts back a runtime value that drifted (as after a reboot) and the file alone restores it', async () => {
    await onHost(H, `printf '0\\n' > /proc/sys/net/ipv4/ip_forward`);
    const r = await runOnKinds(
      play(
        H,
        `
    - name: forward
      sysctl: { name: net.ipv4.ip_forward, value: "1" }
`,
      ),
    );
    expect(r.rec.results(H)[0]!.result.changes.map((c) => c.summary)).toEqual(['set net.ipv4.ip_forward 0 -> 1']);
    // What boot does: the persisted file alone sets the value.
    await onHost(H, `printf '0\\n' > /proc/sys/net/ipv4/ip_forward; sysctl -q -p ${FILE}`);
    expect((await onHost(H, 'cat /proc/sys/net/ipv4/ip_forward')).trim()).toBe('1');
  });

  it('removes the persisted line with state absent and leaves the runtime value', async () => {
    const pb = play(
      H,
      `
    - name: drop arp ignore
      sysctl: { name: net.ipv4.conf.all.arp_ignore, state: absent }
`,
    );
    await convergeHonestly(pb, H, snapshot);
    expect(await onHost(H, `cat ${FILE}`)).not.toContain('arp_ignore');
    expect((await onHost(H, 'cat /proc/sys/net/ipv4/conf/all/arp_ignore')).trim()).toBe('1');
  });

  it('fails clearly on a read-only parameter and on an unknown one', async () => {
    // a namespace or systemd host: machine-wide knobs are read-only there (a UML guest's own
    // kernel lets its root change them, as on a real host)
    const RO = H;
    expect((await labStatus()).hosts.find((h) => h.name === RO)?.kind).not.toBe('uml');
    const r = await runOnKinds(
      play(
        RO,
        `
    - name: read only
      sysctl: { name: kernel.hostname, value: other }
      ignore_errors: true
    - name: unknown
      sysctl: { name: net.ipv4.no_such_thing, value: "1" }
      ignore_errors: true
`,
      ),
    );
    const [ro, unknown] = r.rec.results(RO);
    expect(ro).toMatchObject({
      status: 'failed',
      result: { msg: expect.stringMatching(/kernel\.hostname is read-only on this host/) },
    });
    expect(unknown).toMatchObject({
      status: 'failed',
      result: { msg: expect.stringMatching(/not a kernel parameter/) },
    });
    expect((await onHost(RO, 'cat /proc/sys/kernel/hostname')).trim()).toBe(RO);
  });
});
