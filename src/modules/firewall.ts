// firewall: one rule, present or absent, with Ansible's iptables arguments (the executor maps
// them to iptables or nftables).
import { choice, int, list, moduleArgs, str, bool } from './args.js';
import type { ModuleSpec } from './types.js';

export const firewallModule: ModuleSpec = {
  name: 'firewall',
  aliases: ['iptables', 'ansible.builtin.iptables'],
  args: moduleArgs({
    table: choice('filter', 'nat', 'mangle', 'raw', 'security').optional(),
    state: choice('present', 'absent').optional(),
    action: choice('append', 'insert').optional(),
    rule_num: int().optional(),
    ip_version: choice('ipv4', 'ipv6', 'both').optional(),
    chain: str().optional(),
    protocol: str().optional(),
    source: str().optional(),
    destination: str().optional(),
    src_range: str().optional(),
    dst_range: str().optional(),
    match: list().optional(),
    jump: str().optional(),
    in_interface: str().optional(),
    out_interface: str().optional(),
    source_port: str().optional(),
    destination_port: str().optional(),
    destination_ports: list().optional(),
    ctstate: list().optional(),
    icmp_type: str().optional(),
    reject_with: str().optional(),
    limit: str().optional(),
    comment: str().optional(),
    wait: str().optional(),
    numeric: bool().optional(),
  }),
};
