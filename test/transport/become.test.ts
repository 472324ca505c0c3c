import { mkdtempSync, rmSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/secret.js';
import {
  BecomeError,
  connect,
  targetFromVars,
  UnreachableError,
  type SshTransport,
} from '../../src/transport/index.js';
import { sshdWithUsers } from './sshd.js';
import { sh } from '../../src/transport/quote.js';

// Local accounts made for this file and removed after it; sudo rules in a drop-in file.
const withPw = 'lvsplay-t1';
const noPw = 'lvsplay-t2';
const password = "pw with 'quotes' $(x)";
const fx = sshdWithUsers(
  [
    { name: withPw, password },
    { name: noPw, password: 'other-pw' },
  ],
  {
    file: '/etc/sudoers.d/lvsplay-transport-test',
    rules: `${withPw} ALL=(ALL) ALL\n${noPw} ALL=(ALL) NOPASSWD: ALL\nDefaults:${withPw} !lecture\n`,
  },
);

function vars(user: string, extra: Record<string, unknown> = {}) {
  return {
    ansible_host: '127.0.0.1',
    ansible_port: fx.sshd.port,
    ansible_user: user,
    ansible_ssh_private_key_file: fx.sshd.clientKey,
    ...extra,
  };
}
const opts = () => fx.targetOpts();

describe('password authentication', () => {
  it('logs in with ansible_password alone', async () => {
    const t = await connect(
      targetFromVars(
        'h',
        { ...vars(withPw), ansible_ssh_private_key_file: undefined, ansible_password: password },
        opts(),
      ),
    );
    expect((await t.run(sh`id -un`)).stdout).toBe(`${withPw}\n`);
    await t.close();
  });

  it('reports a wrong password as an auth failure without echoing it', async () => {
    const err = await connect(
      targetFromVars(
        'h',
        { ...vars(withPw), ansible_ssh_private_key_file: undefined, ansible_password: 'wrong-one' },
        opts(),
      ),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err.reason).toBe('auth');
    expect(err.message).not.toContain('wrong-one');
  });
});

describe.each(['exec', 'session'] as const)('sudo (%s mode)', (mode) => {
  let t: SshTransport;
  beforeAll(async () => {
    t = await connect(targetFromVars('h', vars(withPw, { ansible_become_password: new Secret(password) }), opts()), {
      mode,
    });
  });
  afterAll(() => t?.close());

  it('becomes root answering the random prompt, never showing the password', async () => {
    const r = await t.run(sh`id -un; echo err >&2`, { become: true });
    expect(r).toMatchObject({ code: 0, stdout: 'root\n', stderr: 'err\n' });
    expect(JSON.stringify(r)).not.toContain('quotes');
  });

  it('passes stdin through sudo to the command', async () => {
    const r = await t.run(sh`cat; id -un`, { become: true, stdin: 'data\n' });
    expect(r.stdout).toBe('data\nroot\n');
  });

  it('writes a root-owned file atomically with become', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsplay-become-'));
    const path = join(dir, 'sysctl.conf');
    const r = await t.put(path, 'net.ipv4.ip_forward = 1\n', { become: true, mode: 0o644 });
    expect(r.ok).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('net.ipv4.ip_forward = 1\n');
    expect(statSync(path).uid).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('says clearly that the become password is wrong, quickly', async () => {
    const start = Date.now();
    const err = await t.run(sh`id -un`, { become: { password: new Secret('not-it') } }).catch((e) => e);
    expect(err).toBeInstanceOf(BecomeError);
    expect(err.message).toMatch(/incorrect sudo password/);
    expect(err.message).not.toContain('not-it');
    expect(Date.now() - start).toBeLessThan(8000);
  });
});

describe('sudo in session mode: one sudo per remote shell, not per command', () => {
  let t: SshTransport;
  beforeAll(async () => {
    t = await connect(targetFromVars('h', vars(withPw, { ansible_become_password: new Secret(password) }), opts()));
  });
  afterAll(() => t?.close());

  it('runs one command after another in the same root shell, started by one sudo', async () => {
    // $$ in the command's subshell is the remote shell's pid; its parent is sudo (or, with
    // use_pty, sudo's monitor); its command line shows the password never reached it.
    const probe = sh`id -un; echo $$; tr '\\0' ' ' < /proc/$PPID/cmdline`;
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await t.run(probe, { become: true }));
    const [user, pid, parent] = runs[0]!.stdout.split('\n');
    expect(user).toBe('root');
    expect(parent).toMatch(/^sudo /);
    expect(parent).not.toContain('quotes');
    for (const r of runs) expect(r.stdout.split('\n').slice(0, 2)).toEqual(['root', pid]);
  });

  it('keeps the login user, the become user and each become user in shells of their own', async () => {
    const as = async (become: Parameters<SshTransport['run']>[1]) => (await t.run(sh`id -un`, become)).stdout.trim();
    for (let i = 0; i < 2; i++) {
      expect(await as({ become: true })).toBe('root');
      expect(await as({ become: false })).toBe(withPw);
      expect(await as({ become: { user: noPw } })).toBe(noPw);
      expect(await as({ become: true })).toBe('root');
    }
  });

  it('runs several become commands at once on several shells', async () => {
    const rs = await Promise.all(
      Array.from({ length: 4 }, (_, i) => t.run(sh`sleep 0.2; id -un; echo ${String(i)}`, { become: true })),
    );
    expect(rs.map((r) => r.stdout)).toEqual([0, 1, 2, 3].map((i) => `root\n${i}\n`));
  });

  it('a wrong password fails the command and leaves the good shells working', async () => {
    const err = await t.run(sh`id -un`, { become: { password: new Secret('not-it') } }).catch((e) => e);
    expect(err).toBeInstanceOf(BecomeError);
    expect(err.message).toMatch(/incorrect sudo password/);
    expect((await t.run(sh`id -un`, { become: true })).stdout).toBe('root\n');
  });
});

describe('sudo without a password', () => {
  it('needs none under NOPASSWD, in both modes', async () => {
    for (const mode of ['exec', 'session'] as const) {
      const t = await connect(targetFromVars('h', vars(noPw, { ansible_become: true }), opts()), { mode });
      expect((await t.run(sh`id -un`)).stdout).toBe('root\n'); // ansible_become: the host default
      expect((await t.run(sh`id -un`, { become: false })).stdout).toBe(`${noPw}\n`);
      await t.close();
    }
  });

  it('asks for ansible_become_password when sudo wants one', async () => {
    const t = await connect(targetFromVars('h', vars(withPw), opts()), { mode: 'exec' });
    const err = await t.run(sh`id -un`, { become: true }).catch((e) => e);
    expect(err).toBeInstanceOf(BecomeError);
    expect(err.message).toMatch(/set ansible_become_password or use --ask-become-pass/);
    await t.close();
  });
});

describe('su', () => {
  it('becomes another user from root without a password', async () => {
    const t = await connect(
      targetFromVars('h', vars('root', { ansible_become_method: 'su', ansible_become_user: noPw }), opts()),
    );
    expect((await t.run(sh`id -un; printf '%s' "it's"`, { become: true })).stdout).toBe(`${noPw}\nit's`);
    await t.close();
  });

  it("answers su's Password: prompt through a terminal", async () => {
    const t = await connect(
      targetFromVars(
        'h',
        vars(withPw, { ansible_become_method: 'su', ansible_become_user: noPw, ansible_become_password: 'other-pw' }),
        opts(),
      ),
    );
    const r = await t.run(sh`id -un`, { become: true });
    expect(r.stdout.trim()).toBe(noPw);
    const err = await t.run(sh`id -un`, { become: { password: new Secret('bad') } }).catch((e) => e);
    expect(err).toBeInstanceOf(BecomeError);
    await t.close();
  });
});
