import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, targetFromVars, UnreachableError } from '../../src/transport/index.js';
import { startSshd, type Sshd } from './sshd.js';
import { sh } from '../../src/transport/quote.js';

let sshd: Sshd;
let jump: Sshd;
let home: string;

beforeAll(async () => {
  sshd = await startSshd();
  jump = await startSshd({ clientKey: sshd.clientKey });
  home = mkdtempSync(join(tmpdir(), 'lvsplay-home-'));
  mkdirSync(join(home, '.ssh'));
  // The default identity, as a jump host resolved from ProxyJump alone would use.
  copyFileSync(sshd.clientKey, join(home, '.ssh', 'id_ed25519'));
});
afterAll(async () => {
  await sshd?.stop();
  await jump?.stop();
  rmSync(home, { recursive: true, force: true });
});

function target(extra: Record<string, unknown>, port = sshd.port) {
  return targetFromVars(
    'db1',
    {
      ansible_host: '127.0.0.1',
      ansible_port: port,
      ansible_user: 'root',
      ansible_ssh_private_key_file: sshd.clientKey,
      ...extra,
    },
    { home, userConfigFile: null, systemConfigFile: null, agentSocket: '' },
  );
}
const file = (name: string, text: string) => {
  const p = join(home, name);
  writeFileSync(p, text);
  return p;
};
const common = (known: string, strict: string) => ({
  ansible_ssh_common_args: `-o UserKnownHostsFile=${known} -o "StrictHostKeyChecking ${strict}"`,
});

describe('host keys', () => {
  it('accepts a host known by a hashed entry under StrictHostKeyChecking=yes', async () => {
    const kh = file(
      'hashed',
      `# comment\n@cert-authority *.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n[127.0.0.1]:${sshd.port} ${sshd.hostKeyLine}\n`,
    );
    execFileSync('ssh-keygen', ['-q', '-H', '-f', kh], { stdio: 'ignore' });
    expect(readFileSync(kh, 'utf8')).not.toContain('127.0.0.1');
    const t = await connect(target(common(kh, 'yes')));
    expect((await t.run(sh`echo hi`)).stdout).toBe('hi\n');
    expect(t.warnings).toEqual([]);
    await t.close();
  });

  it('refuses an unknown host under StrictHostKeyChecking=yes', async () => {
    const kh = file('empty', '');
    const err = await connect(target(common(kh, 'yes'))).catch((e) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err.reason).toBe('hostkey-unknown');
    expect(readFileSync(kh, 'utf8')).toBe('');
  });

  it('refuses a changed key, naming the known_hosts line to fix', async () => {
    const otherKey = join(home, 'other_host_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
    const other = readFileSync(`${otherKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    const kh = file('changed', `other.example ${sshd.hostKeyLine}\n[127.0.0.1]:${sshd.port} ${other}\n`);
    for (const strict of ['accept-new', 'no']) {
      const err = await connect(target(common(kh, strict))).catch((e) => e);
      expect(err).toBeInstanceOf(UnreachableError);
      expect(err.reason).toBe('hostkey-changed');
      expect(err.message).toContain(`${kh}:2`);
      expect(err.message).toContain(`ssh-keygen -R '[127.0.0.1]:${sshd.port}' -f ${kh}`);
    }
  });

  it('records a new key with accept-new (hashed when HashKnownHosts), and is then known', async () => {
    const kh = join(home, 'new-dir', 'known');
    const t = await connect(target({ ansible_ssh_common_args: `-o UserKnownHostsFile=${kh} -o HashKnownHosts=yes` }));
    await t.close();
    const text = readFileSync(kh, 'utf8');
    expect(text).toMatch(/^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /);
    expect(t.warnings.join()).toContain('Permanently added');
    const again = await connect(target(common(kh, 'yes')));
    expect(again.warnings).toEqual([]);
    await again.close();
  });

  it('accepts without recording under StrictHostKeyChecking=no', async () => {
    const kh = join(home, 'not-written');
    const t = await connect(target(common(kh, 'no')));
    await t.close();
    expect(existsSync(kh)).toBe(false);
  });
});

describe('proxies', () => {
  it('connects through a ProxyCommand (socat) with %h and %p', async () => {
    const t = await connect(target({ ansible_ssh_common_args: `-o ProxyCommand="socat - TCP:%h:%p"` }));
    expect((await t.run(sh`echo via-proxy`)).stdout).toBe('via-proxy\n');
    await t.close();
  });

  it('reports a failing ProxyCommand with what it said', async () => {
    const err = await connect(
      target({ ansible_ssh_common_args: `-o 'ProxyCommand=echo no route to bastion >&2; exit 1'` }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err.reason).toBe('proxy-failed');
    expect(err.message).toContain('no route to bastion');
  });

  it('connects through a ProxyJump host (-J) on a second sshd', async () => {
    const t = await connect(target({ ansible_ssh_extra_args: `-J root@127.0.0.1:${jump.port}` }));
    // The command runs on the target, reached from the jump host's loopback.
    expect((await t.run(sh`echo $SSH_CONNECTION`)).stdout).toMatch(new RegExp(` ${sshd.port}\\n$`));
    expect((await t.run(sh`echo jumped`)).stdout).toBe('jumped\n');
    await t.close();
  });

  it('reads ProxyJump and the port from an ssh_config file given with -F', async () => {
    const cfg = file(
      'ssh_config',
      `Host db-behind-bastion\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  ProxyJump bastion\n\nHost bastion\n  HostName 127.0.0.1\n  Port ${jump.port}\n  User root\n  IdentityFile ${sshd.clientKey}\n`,
    );
    const tgt = targetFromVars(
      'db1',
      {
        ansible_host: 'db-behind-bastion',
        ansible_user: 'root',
        ansible_ssh_private_key_file: sshd.clientKey,
        ansible_ssh_common_args: `-F ${cfg}`,
      },
      { home, agentSocket: '' },
    );
    expect(tgt.port).toBe(sshd.port);
    expect(tgt.jump[0]).toMatchObject({ host: '127.0.0.1', port: jump.port });
    const t = await connect(tgt);
    expect((await t.run(sh`echo ok`)).stdout).toBe('ok\n');
    await t.close();
  });
});
