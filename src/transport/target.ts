// Turns a host's inventory variables plus ssh_config into everything needed to connect. The
// order is ssh's own: the first value obtained wins, and Ansible puts its options (-o Port,
// -o User, -i KEY, then ssh_common_args, then ssh_extra_args) on the command line, ahead of
// ~/.ssh/config (or -F FILE) and /etc/ssh/ssh_config.

import { existsSync, readFileSync } from 'node:fs';
import { homedir, hostname as localHostname, userInfo } from 'node:os';
import SSHConfig from 'ssh-config';
import { closest, diag, ExitCode, LvsplayError } from '../diagnostics.js';
import { Secret } from '../secret.js';
import { shlexSplit } from '../shlex.js';
import { parseProxyJump, parseSshArgs, type JumpSpec } from './sshargs.js';
import type { BecomeMethod, BecomeOpts } from './types.js';

export type StrictHostKeyChecking = 'yes' | 'accept-new' | 'no';

export interface ConnectTarget {
  /** The inventory name, used in messages. */
  name: string;
  /** The address to connect to (ansible_host or HostName). */
  host: string;
  port: number;
  user: string;
  password?: Secret;
  identityFiles: string[];
  /** Only the identity files, not every key the agent holds. */
  identitiesOnly: boolean;
  /** ssh-agent socket (SSH_AUTH_SOCK or IdentityAgent); absent: no agent. */
  agent?: string;
  /** Hops to go through, outermost first (ProxyJump), each resolved as its own target. */
  jump: ConnectTarget[];
  /** ProxyCommand with %h %p %r already expanded. */
  proxyCommand?: string;
  strictHostKeyChecking: StrictHostKeyChecking;
  /** known_hosts files read; new keys are recorded in the first. */
  knownHostsFiles: string[];
  /** Read-only known_hosts files (GlobalKnownHostsFile). */
  globalKnownHostsFiles: string[];
  hashKnownHosts: boolean;
  /** The name known_hosts lines are matched against (HostKeyAlias, else host). */
  hostKeyAlias?: string;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  /** Host default for become (ansible_become*); run({become: true}) uses it. */
  become: BecomeOpts & { enabled: boolean };
  /** Notes found while resolving (ignored ssh flags, unsupported options). */
  warnings: string[];
}

export interface TargetOpts {
  /** `-F FILE`: replaces ~/.ssh/config and the system file, as in ssh. */
  sshConfigFile?: string;
  /** Default ~/.ssh/config; null: none. */
  userConfigFile?: string | null;
  /** Default /etc/ssh/ssh_config; null: none. */
  systemConfigFile?: string | null;
  /** --ask-become-pass value, used when the host sets no become password. */
  becomePassword?: Secret;
  /** SSH_AUTH_SOCK by default. */
  agentSocket?: string;
  /** Seconds, as ansible's --timeout; default 10. */
  timeoutSec?: number;
  home?: string;
  /** Jump hops already being resolved, to stop a ProxyJump that points back at itself. */
  jumpDepth?: number;
}

const BECOME_METHODS: BecomeMethod[] = ['sudo', 'su'];

function fail(host: string, message: string, hint: string): never {
  throw new LvsplayError(diag(`host ${host}: ${message}`, undefined, hint), ExitCode.parseError);
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof Secret) return v.reveal();
  return String(v);
}

function secret(v: unknown): Secret | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return v instanceof Secret ? v : new Secret(String(v));
}

function truthy(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return ['yes', 'true', 'on', '1', 'y'].includes(String(v ?? '').toLowerCase());
}

function firstVar(vars: Record<string, unknown>, ...names: string[]): unknown {
  for (const n of names) if (vars[n] !== undefined && vars[n] !== null) return vars[n];
  return undefined;
}

/** Obtained ssh options, lower-cased keys; the first value of a keyword wins. */
class Obtained {
  readonly single = new Map<string, string>();
  readonly identityFiles: string[] = [];
  set(keyword: string, value: string | string[]): void {
    const k = keyword.toLowerCase();
    const vals = Array.isArray(value) ? value : [value];
    if (k === 'identityfile') this.identityFiles.push(...vals);
    else if (!this.single.has(k)) this.single.set(k, vals.join(' '));
  }
  get(keyword: string): string | undefined {
    return this.single.get(keyword.toLowerCase());
  }
}

function readConfig(file: string, host: string): Record<string, string | string[]> {
  if (!existsSync(file)) return {};
  // `Match exec` would run commands while merely reading configuration; it is not evaluated.
  return SSHConfig.parse(readFileSync(file, 'utf8')).compute(host, { ignoreCase: true, matchExec: false });
}

interface Tokens {
  h: string;
  p: string;
  r: string;
  n: string;
  d: string;
  u: string;
}

function expandTokens(value: string, t: Tokens): string {
  return value.replace(/%([%hprndul])/g, (_, c: string) => {
    if (c === '%') return '%';
    if (c === 'l') return localHostname();
    return t[c as keyof Tokens];
  });
}

/**
 * The ProxyCommand runs under `sh -c` with %h, %r, %n, %p and %u put in as they are; like
 * OpenSSH 9.6+, a value with shell characters (from an inventory: `ansible_host='x;rm -rf ~'`)
 * is refused instead of run.
 */
function checkProxyTokens(host: string, command: string, t: Tokens): void {
  for (const [, c] of command.matchAll(/%([hrnpu])/g)) {
    const v = t[c as 'h' | 'r' | 'n' | 'p' | 'u'];
    if (/^[A-Za-z0-9._:@+=,/[\]-]*$/.test(v) && !v.startsWith('-')) continue;
    fail(
      host,
      `ProxyCommand would put %${c} = ${JSON.stringify(v)} into a shell command, and it holds shell characters`,
      'fix the host name or user in the inventory (OpenSSH 9.6 and later refuse such names too)',
    );
  }
}

function expandPath(p: string, t: Tokens): string {
  const e = expandTokens(p, t);
  return e === '~' ? t.d : e.startsWith('~/') ? t.d + e.slice(1) : e;
}

function parsePort(host: string, v: string, from: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    fail(host, `${from} ${JSON.stringify(v)} is not a port number`, 'use a number from 1 to 65535');
  }
  return n;
}

function parseStrict(host: string, v: string | undefined): StrictHostKeyChecking {
  const s = (v ?? 'accept-new').toLowerCase();
  if (s === 'yes' || s === 'true') return 'yes';
  if (s === 'accept-new') return 'accept-new';
  if (s === 'no' || s === 'off' || s === 'false') return 'no';
  if (s === 'ask') return 'yes'; // nobody to ask: refuse unknown keys, as ssh in batch mode
  return fail(host, `StrictHostKeyChecking ${JSON.stringify(v)} is not understood`, 'use yes, accept-new or no');
}

/** Resolves one host from its inventory variables and ssh_config. */
export function targetFromVars(hostName: string, vars: Record<string, unknown>, opts: TargetOpts = {}): ConnectTarget {
  const home = opts.home ?? homedir();
  const warnings: string[] = [];
  const cmdline = new Obtained();
  const port = str(firstVar(vars, 'ansible_port', 'ansible_ssh_port'));
  if (port !== undefined) cmdline.set('Port', port);
  const key = str(firstVar(vars, 'ansible_ssh_private_key_file', 'ansible_private_key_file'));
  if (key) cmdline.set('IdentityFile', key);
  const user = str(firstVar(vars, 'ansible_user', 'ansible_ssh_user'));
  if (user) cmdline.set('User', user);
  const timeout = str(firstVar(vars, 'ansible_ssh_timeout', 'ansible_timeout')) ?? opts.timeoutSec?.toString();
  if (timeout) cmdline.set('ConnectTimeout', timeout);

  let configFile = opts.sshConfigFile;
  for (const name of ['ansible_ssh_common_args', 'ansible_ssh_extra_args']) {
    const text = str(vars[name]);
    if (!text) continue;
    let parsed;
    try {
      parsed = parseSshArgs(text);
    } catch (e) {
      return fail(hostName, `${name} cannot be split into words: ${(e as Error).message}`, 'check its quotes');
    }
    for (const [k, v] of parsed.options) cmdline.set(k, v);
    if (parsed.configFile) configFile ??= parsed.configFile;
    for (const w of parsed.ignored) warnings.push(`${name}: ssh option ${w} is not used by lvsplay`);
  }

  const dest = str(firstVar(vars, 'ansible_host', 'ansible_ssh_host')) ?? hostName;
  const files = configFile
    ? [expandPath(configFile, { h: dest, p: '', r: '', n: dest, d: home, u: userInfo().username })]
    : [
        opts.userConfigFile === undefined ? `${home}/.ssh/config` : opts.userConfigFile,
        opts.systemConfigFile === undefined ? '/etc/ssh/ssh_config' : opts.systemConfigFile,
      ].filter((f): f is string => !!f);
  if (configFile && !existsSync(files[0]!)) {
    fail(hostName, `ssh config file ${files[0]} (-F) does not exist`, 'fix the -F path in ansible_ssh_common_args');
  }
  const all = new Obtained();
  for (const [k, v] of cmdline.single) all.set(k, v);
  all.identityFiles.push(...cmdline.identityFiles);
  for (const f of files) for (const [k, v] of Object.entries(readConfig(f, dest))) if (k !== 'host') all.set(k, v);

  const host = all.get('HostName') ? all.get('HostName')!.replace(/%h/g, dest) : dest;
  const portNum = parsePort(hostName, all.get('Port') ?? '22', 'port');
  const remoteUser = all.get('User') ?? userInfo().username;
  const tokens: Tokens = { h: host, p: String(portNum), r: remoteUser, n: dest, d: home, u: userInfo().username };

  const defaultKeys = ['id_rsa', 'id_ecdsa', 'id_ed25519'].map((k) => `${home}/.ssh/${k}`);
  const identityFiles = all.identityFiles.length
    ? all.identityFiles.map((f) => expandPath(f, tokens))
    : defaultKeys.filter((f) => existsSync(f));
  const knownHosts = (all.get('UserKnownHostsFile') ?? '~/.ssh/known_hosts ~/.ssh/known_hosts2')
    .split(/\s+/)
    .filter((f) => f && f !== 'none')
    .map((f) => expandPath(f, tokens));
  const globalKnown = (all.get('GlobalKnownHostsFile') ?? '/etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2')
    .split(/\s+/)
    .filter((f) => f && f !== 'none')
    .map((f) => expandPath(f, tokens));

  const agentSetting = all.get('IdentityAgent');
  const agent =
    agentSetting && agentSetting.toLowerCase() !== 'ssh_auth_sock'
      ? agentSetting.toLowerCase() === 'none'
        ? undefined
        : expandPath(agentSetting, tokens)
      : (opts.agentSocket ?? process.env.SSH_AUTH_SOCK);

  const connectTimeout = all.get('ConnectTimeout');
  const jumpValue = all.get('ProxyJump');
  const proxyCommand = all.get('ProxyCommand');
  const jump: ConnectTarget[] = [];
  if (jumpValue && !/^none$/i.test(jumpValue)) {
    if (proxyCommand && !/^none$/i.test(proxyCommand)) {
      warnings.push('both ProxyJump and ProxyCommand are set; ProxyJump is used, as ssh does');
    }
    if ((opts.jumpDepth ?? 0) >= 8) {
      fail(
        hostName,
        `ProxyJump ${jumpValue} leads through more than 8 hops`,
        'a Host pattern probably matches the jump host itself; exclude it (Host * !bastion)',
      );
    }
    // The hops are read from the same configuration files as the host itself.
    const hopOpts = configFile ? { ...opts, sshConfigFile: configFile } : opts;
    for (const spec of parseProxyJump(jumpValue)) jump.push(jumpTarget(spec, hopOpts, home));
  }

  const becomeMethod = (str(firstVar(vars, 'ansible_become_method')) ?? 'sudo') as BecomeMethod;
  if (!BECOME_METHODS.includes(becomeMethod)) {
    const near = closest(becomeMethod, BECOME_METHODS);
    fail(
      hostName,
      `become method ${JSON.stringify(becomeMethod)} is not supported`,
      near ? `did you mean ${near}?` : 'use sudo or su',
    );
  }
  const becomePassword =
    secret(firstVar(vars, 'ansible_become_password', 'ansible_become_pass', `ansible_${becomeMethod}_pass`)) ??
    opts.becomePassword;

  const target: ConnectTarget = {
    name: hostName,
    host,
    port: portNum,
    user: remoteUser,
    identityFiles,
    identitiesOnly: truthy(all.get('IdentitiesOnly')),
    jump,
    strictHostKeyChecking: parseStrict(hostName, all.get('StrictHostKeyChecking')),
    knownHostsFiles: knownHosts,
    globalKnownHostsFiles: globalKnown,
    hashKnownHosts: truthy(all.get('HashKnownHosts')),
    connectTimeoutMs: connectTimeout ? Number(connectTimeout) * 1000 : 10_000,
    keepaliveIntervalMs: Number(all.get('ServerAliveInterval') ?? 15) * 1000,
    keepaliveCountMax: Number(all.get('ServerAliveCountMax') ?? 3),
    become: {
      enabled: truthy(firstVar(vars, 'ansible_become')),
      method: becomeMethod,
      user: str(firstVar(vars, 'ansible_become_user')) ?? 'root',
    },
    warnings,
  };
  if (becomePassword) target.become.password = becomePassword;
  const becomeFlags = str(firstVar(vars, 'ansible_become_flags', `ansible_${becomeMethod}_flags`));
  if (becomeFlags) target.become.flags = shlexSplit(becomeFlags);
  const password = secret(firstVar(vars, 'ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password'));
  if (password) target.password = password;
  if (agent) target.agent = agent;
  if (!jump.length && proxyCommand && !/^none$/i.test(proxyCommand)) {
    checkProxyTokens(hostName, proxyCommand, tokens);
    target.proxyCommand = expandTokens(proxyCommand, tokens);
  }
  const alias = all.get('HostKeyAlias');
  if (alias) target.hostKeyAlias = alias;
  if (!Number.isFinite(target.connectTimeoutMs) || target.connectTimeoutMs <= 0) {
    fail(
      hostName,
      `ConnectTimeout ${JSON.stringify(connectTimeout)} is not a number of seconds`,
      'use a positive number',
    );
  }
  return target;
}

/** A ProxyJump hop is resolved like a host of its own (its ssh_config section applies). */
function jumpTarget(spec: JumpSpec, opts: TargetOpts, home: string): ConnectTarget {
  const vars: Record<string, unknown> = { ansible_host: spec.host };
  if (spec.user) vars.ansible_user = spec.user;
  if (spec.port) vars.ansible_port = spec.port;
  const { becomePassword: _unused, ...rest } = opts;
  return targetFromVars(spec.host, vars, { ...rest, home, jumpDepth: (opts.jumpDepth ?? 0) + 1 });
}
