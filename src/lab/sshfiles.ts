// What ssh clients need to reach lab hosts: a known_hosts with each host's key (so strict
// host-key checking works) and an ssh_config routing every lab host through the controller.
import { writeFileSync } from 'node:fs';
import { CONTROLLER_NS, type LabPaths } from './paths.js';
import { sshPatterns } from './subnets.js';
import type { LabHost } from './topology.js';

export function proxyCommand(p: LabPaths): string {
  return `ip netns exec ${CONTROLLER_NS} ${p.connect} %h %p`;
}

export function knownHostsText(entries: { host: LabHost; key: string }[]): string {
  return entries.map(({ host, key }) => `${host.name},${host.address} ${key}\n`).join('');
}

export function sshConfigText(p: LabPaths, hosts: LabHost[]): string {
  return [
    '# Written by `lvsplay lab up`: reach lab hosts with `ssh -F THIS_FILE HOST`.',
    // ssh takes the first value it reads: a host that refuses root gets its user before the default
    ...hosts.flatMap((h) => [
      `Host ${h.name}`,
      `  HostName ${h.address}`,
      ...(h.sshUser ? [`  User ${h.sshUser}`] : []),
    ]),
    `Host ${[...hosts.map((h) => h.name), ...sshPatterns()].join(' ')}`,
    '  User root',
    `  IdentityFile ${p.key}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${p.knownHosts}`,
    '  StrictHostKeyChecking yes',
    `  ProxyCommand ${proxyCommand(p)}`,
    '  LogLevel ERROR',
    '',
  ].join('\n');
}

export function writeSshFiles(p: LabPaths, hosts: LabHost[], keys: { host: LabHost; key: string }[]): void {
  writeFileSync(p.knownHosts, knownHostsText(keys));
  writeFileSync(p.sshConfig, sshConfigText(p, hosts));
}
