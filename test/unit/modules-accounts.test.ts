// group and user, pure parts: the probe parsers on output captured from a Debian 12 host
// (getent passwd/group, id, the shadow field), and the plans: the commands they build, the
// changes they name, a secret hash that never shows.
import { describe, expect, it } from 'vitest';
import { groupModule, parseGroupLine, planGroup, type GroupArgs } from '../../src/modules/group.js';
import { parseUserProbe, planUser, userModule, type UserArgs } from '../../src/modules/user.js';

// `getent group sudo` and `getent group lvs` (members) on a Debian 12 host.
const SUDO = 'sudo:x:27:\n';
const LVS = 'lvs:x:1001:alice,bob\n';
// The user probe on a Debian 12 host for daemon (no shadow readable) and for alice (as root).
const DAEMON = 'passwd=daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nprimary=daemon\ngroups=daemon\n';
const ALICE =
  'passwd=alice:x:1001:1001:Alice,,,:/home/alice:/bin/bash\nprimary=alice\ngroups=alice adm lvs\nhash=$6$salt$abc\n';

const group = (a: Record<string, unknown>) => groupModule.args.parse(a) as GroupArgs;
const user = (a: Record<string, unknown>) => userModule.args.parse(a) as UserArgs;
const commands = (p: ReturnType<typeof planUser>) =>
  'changes' in p ? p.changes.flatMap((c) => c.steps.map((s) => ('run' in s ? s.run.redacted : 'put'))) : p.failed;

describe('group', () => {
  it('parses getent group lines', () => {
    expect(parseGroupLine(SUDO)).toEqual({ name: 'sudo', gid: 27, members: [] });
    expect(parseGroupLine(LVS)).toEqual({ name: 'lvs', gid: 1001, members: ['alice', 'bob'] });
    expect(parseGroupLine('')).toBeUndefined();
    expect(() => parseGroupLine('garbage')).toThrow(/unexpected group entry/);
  });
  it('adds, changes the gid, removes, and leaves an equal group alone', () => {
    const add = planGroup(group({ name: 'lvs', gid: 1500, system: true }), undefined);
    expect(commands(add)).toEqual(['groupadd -g 1500 -r lvs']);
    expect(commands(planGroup(group({ name: 'lvs', gid: 1500 }), parseGroupLine(LVS)))).toEqual([
      'groupmod -g 1500 lvs',
    ]);
    expect(commands(planGroup(group({ name: 'lvs', gid: 1001 }), parseGroupLine(LVS)))).toEqual([]);
    expect(commands(planGroup(group({ name: 'lvs' }), parseGroupLine(LVS)))).toEqual([]);
    expect(commands(planGroup(group({ name: 'lvs', state: 'absent' }), parseGroupLine(LVS)))).toEqual(['groupdel lvs']);
    expect(commands(planGroup(group({ name: 'lvs', state: 'absent' }), undefined))).toEqual([]);
  });
});

describe('user', () => {
  it('parses the probe: passwd fields, primary and supplementary groups, the hash when readable', () => {
    expect(parseUserProbe(DAEMON)).toEqual({
      name: 'daemon',
      uid: 1,
      gid: 1,
      comment: 'daemon',
      home: '/usr/sbin',
      shell: '/usr/sbin/nologin',
      primary: 'daemon',
      groups: ['daemon'],
    });
    expect(parseUserProbe(ALICE)).toMatchObject({
      uid: 1001,
      comment: 'Alice,,,',
      groups: ['alice', 'adm', 'lvs'],
      hash: '$6$salt$abc',
    });
    expect(parseUserProbe('')).toBeUndefined();
  });
  it('creates a user with its options, the hash masked in the command', () => {
    const p = planUser(
      user({ name: 'bob', uid: 1200, group: 'lvs', groups: 'adm,lvs', shell: '/bin/sh', password: '$6$x$secret' }),
      undefined,
    );
    expect(commands(p)).toEqual(["useradd -u 1200 -g lvs -G adm,lvs -s /bin/sh -m -p '********' bob"]);
    expect(commands(planUser(user({ name: 'svc', system: true }), undefined))).toEqual(['useradd -r -M svc']);
  });
  it('changes only what differs; append adds the missing groups only; an equal user is ok', () => {
    const alice = parseUserProbe(ALICE);
    expect(commands(planUser(user({ name: 'alice', shell: '/bin/bash', groups: ['adm', 'lvs'] }), alice))).toEqual([]);
    expect(commands(planUser(user({ name: 'alice', groups: 'sudo', append: true }), alice))).toEqual([
      'usermod -a -G sudo alice',
    ]);
    expect(commands(planUser(user({ name: 'alice', groups: 'sudo' }), alice))).toEqual(['usermod -G sudo alice']);
    expect(commands(planUser(user({ name: 'alice', groups: '' }), alice))).toEqual(["usermod -G '' alice"]);
    const p = planUser(user({ name: 'alice', uid: 1300, group: '1001', password: '$6$salt$new' }), alice);
    expect(commands(p)).toEqual(["usermod -u 1300 -p '********' alice"]);
    expect(JSON.stringify(p)).not.toContain('$6$salt$new');
    expect(commands(planUser(user({ name: 'alice', password: '$6$salt$abc' }), alice))).toEqual([]);
  });
  it('removes a user (with its home when remove is set)', () => {
    const alice = parseUserProbe(ALICE);
    expect(commands(planUser(user({ name: 'alice', state: 'absent', remove: true }), alice))).toEqual([
      'userdel -r alice',
    ]);
    expect(commands(planUser(user({ name: 'alice', state: 'absent' }), undefined))).toEqual([]);
  });
});
