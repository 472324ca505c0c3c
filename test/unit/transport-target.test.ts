import { createHmac } from 'node:crypto';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { LvsplayError } from '../../src/diagnostics.js';
import { Secret } from '../../src/secret.js';
import {
  checkHostKey,
  hostsFieldMatches,
  knownHostsName,
  knownKeyTypes,
  recordHostKey,
} from '../../src/transport/knownhosts.js';
import { parseProxyJump, parseSshArgs, shellWords } from '../../src/transport/sshargs.js';
import { targetFromVars } from '../../src/transport/target.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'ssh');
const home = '/home/op';
const none = { home, userConfigFile: null, systemConfigFile: null, agentSocket: '' };
const withConfig = { ...none, userConfigFile: join(fixtures, 'config') };

describe('ssh command-line options', () => {
  it('splits words like a POSIX shell', () => {
    expect(shellWords(`-o ProxyCommand="ssh -W %h:%p -q user@gw" -o 'A=b c' x\\ y`)).toEqual([
      '-o',
      'ProxyCommand=ssh -W %h:%p -q user@gw',
      '-o',
      'A=b c',
      'x y',
    ]);
    expect(() => shellWords(`-o "unterminated`)).toThrow(/No closing quotation/);
  });

  it('reads -o in its three forms, -F, -i, -p, -l, -J and glued arguments', () => {
    const a = parseSshArgs(
      `-oPort=1 -o "User admin" -o StrictHostKeyChecking=no -F cfg -i key -p2222 -l bob -J gw -C -q -D 1080`,
    );
    expect(a.options).toEqual([
      ['Port', '1'],
      ['User', 'admin'],
      ['StrictHostKeyChecking', 'no'],
      ['IdentityFile', 'key'],
      ['Port', '2222'],
      ['User', 'bob'],
      ['ProxyJump', 'gw'],
    ]);
    expect(a.configFile).toBe('cfg');
    expect(a.ignored).toEqual(['-D 1080']);
  });

  it('parses ProxyJump hops', () => {
    expect(parseProxyJump('admin@gw1:2200,[fe80::1]:22,gw3')).toEqual([
      { user: 'admin', host: 'gw1', port: 2200 },
      { host: 'fe80::1', port: 22 },
      { host: 'gw3' },
    ]);
    expect(parseProxyJump('none')).toEqual([]);
  });
});

describe('targetFromVars', () => {
  it('uses inventory variables', () => {
    const t = targetFromVars(
      'web1',
      {
        ansible_host: '10.0.7.31',
        ansible_port: '2200',
        ansible_user: 'deploy',
        ansible_ssh_private_key_file: '~/.ssh/k',
        ansible_password: 'pw',
      },
      none,
    );
    expect(t).toMatchObject({
      name: 'web1',
      host: '10.0.7.31',
      port: 2200,
      user: 'deploy',
      identityFiles: [`${home}/.ssh/k`],
      strictHostKeyChecking: 'accept-new',
    });
    expect(t.password).toBeInstanceOf(Secret);
    expect(t.knownHostsFiles).toEqual([`${home}/.ssh/known_hosts`, `${home}/.ssh/known_hosts2`]);
  });

  it('reads ssh_config, with inventory variables winning over it', () => {
    const fromConfig = targetFromVars('director1', {}, withConfig);
    expect(fromConfig).toMatchObject({
      host: 'director1',
      port: 2222,
      user: 'admin',
      strictHostKeyChecking: 'yes',
      connectTimeoutMs: 7000,
      keepaliveIntervalMs: 5000,
    });
    expect(fromConfig.identityFiles).toEqual([`${home}/.ssh/lvs_ed25519`]);
    const overridden = targetFromVars(
      'director1',
      { ansible_port: 22, ansible_user: 'root', ansible_ssh_common_args: '-o StrictHostKeyChecking=accept-new' },
      withConfig,
    );
    expect(overridden).toMatchObject({ port: 22, user: 'root', strictHostKeyChecking: 'accept-new' });
    // IdentityFile accumulates: the inventory's key is tried first.
    expect(targetFromVars('director1', { ansible_ssh_private_key_file: '/k' }, withConfig).identityFiles).toEqual([
      '/k',
      `${home}/.ssh/lvs_ed25519`,
    ]);
  });

  it('expands ProxyCommand tokens and known_hosts lists', () => {
    const t = targetFromVars('db1', { ansible_user: 'root' }, withConfig);
    expect(t.host).toBe('10.0.7.21');
    expect(t.proxyCommand).toBe('socat - TCP:10.0.7.21:22,connect-timeout=5');
    expect(t.knownHostsFiles).toEqual([`${home}/.ssh/lab_known_hosts`, '/dev/null']);
  });

  it('refuses to put a host name or user with shell characters into a ProxyCommand', () => {
    for (const [k, v] of [
      ['ansible_host', '10.0.7.21;touch /tmp/pwned'],
      ['ansible_host', '$(id)'],
      ['ansible_host', '-oProxyCommand=x'],
    ] as const) {
      expect(targetFromVars('db1', { ansible_ssh_common_args: '-o ProxyCommand="nc %h %p"' }, none).proxyCommand).toBe(
        'nc db1 22',
      );
      let err: unknown;
      try {
        targetFromVars('db1', { ansible_ssh_common_args: '-o ProxyCommand="nc %h %p"', [k]: v }, none);
      } catch (e) {
        err = e;
      }
      expect(err, v).toBeInstanceOf(LvsplayError);
      expect((err as Error).message).toMatch(/ProxyCommand would put %h = .* shell characters/);
    }
  });

  it('takes become settings, keeping passwords secret', () => {
    const t = targetFromVars(
      'h',
      { ansible_become: 'yes', ansible_become_user: 'mysql', ansible_become_method: 'su', ansible_become_pass: 'pw' },
      none,
    );
    expect(t.become).toMatchObject({ enabled: true, user: 'mysql', method: 'su' });
    expect(String(t.become.password)).toBe('********');
    expect(t.become.password?.reveal()).toBe('pw');
    const ask = targetFromVars('h', {}, { ...none, becomePassword: new Secret('asked') });
    expect(ask.become.enabled).toBe(false);
    expect(ask.become.password?.reveal()).toBe('asked');
  });

  it('explains bad values instead of failing later', () => {
    const bad = (vars: Record<string, unknown>) => {
      try {
        targetFromVars('web1', vars, none);
      } catch (e) {
        expect(e).toBeInstanceOf(LvsplayError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(bad({ ansible_port: 'ssh' })).toBe(
      'host web1: port "ssh" is not a port number; use a number from 1 to 65535',
    );
    expect(bad({ ansible_become_method: 'sudoo' })).toMatch(
      /become method "sudoo" is not supported; did you mean sudo\?/,
    );
    expect(bad({ ansible_ssh_common_args: '-o "x' })).toMatch(/cannot be split into words/);
    expect(bad({ ansible_ssh_common_args: '-F /no/such/file' })).toMatch(/does not exist/);
  });
});

describe('known_hosts matching', () => {
  const kh = join(fixtures, 'known_hosts');
  const known = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl', 'base64');
  const other = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIHZwBWBH4uf29/MUkqGf4vgGr4HDOYVjmtNiVJ68AkEB', 'base64');
  const revoked = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAILEWt6TKrUgrqfAxwcxuhqkcvZE0HuoX9ISnZnVWszVn', 'base64');

  it('matches plain names, comma lists, [host]:port and wildcards', () => {
    expect(checkHostKey([kh], 'director1', known).kind).toBe('known');
    expect(checkHostKey([kh], '10.0.7.11', known).kind).toBe('known');
    expect(checkHostKey([kh], knownHostsName('10.0.7.12', 2222), known).kind).toBe('known');
    expect(checkHostKey([kh], knownHostsName('10.0.7.12', 22), known).kind).toBe('unknown');
    expect(checkHostKey([kh], 'rs1.lab', known).kind).toBe('known');
    expect(checkHostKey([kh], 'bad.lab', known).kind).toBe('unknown');
  });

  it('finds a changed key with its file and line, and refuses revoked keys', () => {
    expect(checkHostKey([kh], '10.0.7.11', other)).toEqual({
      kind: 'changed',
      file: kh,
      line: 2,
      knownType: 'ssh-ed25519',
    });
    expect(checkHostKey([kh], 'anything', revoked)).toMatchObject({ kind: 'revoked', line: 5 });
  });

  it('sees a file changed since it was last read: a key recorded, a line edited', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lvsplay-kh-')), 'known_hosts');
    writeFileSync(file, `h1 ssh-ed25519 ${known.toString('base64')}\n`);
    expect(checkHostKey([file], 'h2', known).kind).toBe('unknown');
    recordHostKey(file, 'h2', known, false);
    expect(checkHostKey([file], 'h2', known).kind).toBe('known');
    expect(checkHostKey([file], 'H2', known).kind).toBe('known'); // names match regardless of case
    appendFileSync(file, `@revoked * ssh-ed25519 ${known.toString('base64')}\n`);
    expect(checkHostKey([file], 'h1', known)).toMatchObject({ kind: 'revoked', line: 3 });
    writeFileSync(file, `h1,!h3,h*  ssh-ed25519 ${other.toString('base64')}\n`);
    expect(checkHostKey([file], 'h1', known)).toMatchObject({ kind: 'changed', line: 1 });
    expect(checkHostKey([file], 'h9', other).kind).toBe('known');
    expect(checkHostKey([file], 'h3', other).kind).toBe('unknown');
    expect(knownKeyTypes([file], 'h9')).toEqual(['ssh-ed25519']);
    expect(knownKeyTypes([file, join(file, '..', 'absent')], 'x')).toEqual([]);
  });

  it('checking N hosts matches each host against its own lines, not every line for every host', () => {
    const hosts = 200;
    const file = join(mkdtempSync(join(tmpdir(), 'lvsplay-kh-')), 'known_hosts');
    const key = known.toString('base64');
    writeFileSync(file, Array.from({ length: hosts }, (_, i) => `bench${i},10.0.9.${i} ssh-ed25519 ${key}\n`).join(''));
    const tests = vi.spyOn(RegExp.prototype, 'test');
    try {
      for (let i = 0; i < hosts; i++) {
        expect(knownKeyTypes([file], `10.0.9.${i}`)).toEqual(['ssh-ed25519']);
        expect(checkHostKey([file], `10.0.9.${i}`, known).kind).toBe('known');
      }
      // Linear: each host's own line, two names each, twice (the key types asked for, then the
      // key checked), and the file read once. Matching every line for every host made at least
      // 2 × hosts² of them.
      expect(tests.mock.calls.length).toBeLessThanOrEqual(10 * hosts);
    } finally {
      tests.mockRestore();
    }
  });

  it('matches hashed entries', () => {
    const salt = Buffer.from('0123456789abcdef0123');
    const hash = createHmac('sha1', salt).update('[10.0.7.40]:2222').digest('base64');
    expect(hostsFieldMatches(`|1|${salt.toString('base64')}|${hash}`, '[10.0.7.40]:2222')).toBe(true);
    expect(hostsFieldMatches(`|1|${salt.toString('base64')}|${hash}`, '10.0.7.40')).toBe(false);
  });
});
