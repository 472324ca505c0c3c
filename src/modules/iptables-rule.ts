// The words of one iptables rule exactly as ansible.builtin.iptables (ansible-core 2.14) builds
// them from its arguments: the same order, the same implied matches (multiport, conntrack,
// iprange, set, limit, owner, comment), the same `!` negation of a value that starts with `!`.
// `iptables -C` compares rules by meaning, but the order decides which rule text `-A` writes,
// and a rule written as Ansible writes it is found by Ansible's `-C` afterwards.

export interface IptablesRuleArgs {
  ip_version?: 'ipv4' | 'ipv6';
  wait?: string;
  protocol?: string;
  source?: string;
  destination?: string;
  match?: string[];
  tcp_flags?: { flags?: string[]; flags_set?: string[] };
  jump?: string;
  gateway?: string;
  log_prefix?: string;
  log_level?: string;
  to_destination?: string;
  destination_ports?: string[];
  to_source?: string;
  goto?: string;
  in_interface?: string;
  out_interface?: string;
  fragment?: string;
  set_counters?: string;
  source_port?: string;
  destination_port?: string;
  to_ports?: string;
  set_dscp_mark?: string;
  set_dscp_mark_class?: string;
  syn?: 'ignore' | 'match' | 'negate';
  ctstate?: string[];
  src_range?: string;
  dst_range?: string;
  match_set?: string;
  match_set_flags?: string;
  limit?: string;
  limit_burst?: string;
  uid_owner?: string;
  gid_owner?: string;
  reject_with?: string;
  icmp_type?: string;
  comment?: string;
}

const ICMP_TYPE_OPTION = { ipv4: '--icmp-type', ipv6: '--icmpv6-type' } as const;

/** construct_rule() of Ansible's iptables module. */
export function iptablesRuleWords(p: IptablesRuleArgs): string[] {
  const rule: string[] = [];
  const param = (v: string | undefined, flag: string) => {
    if (v === undefined || v === null) return;
    if (v.startsWith('!')) rule.push('!', flag, v.slice(1));
    else rule.push(flag, v);
  };
  const match = (on: unknown, name: string) => {
    if (on) rule.push('-m', name);
  };
  const csv = (v: string[] | undefined, flag: string) => {
    if (v?.length) rule.push(flag, v.join(','));
  };
  // append_match_flag(rule, param, flag, negatable)
  const matchFlag = (v: string | undefined, flag: string, negatable: boolean) => {
    if (v === 'match') rule.push(flag);
    else if (negatable && v === 'negate') rule.push('!', flag);
  };
  const matches = p.match ?? [];
  if (p.wait) rule.push('-w', p.wait);
  param(p.protocol, '-p');
  param(p.source, '-s');
  param(p.destination, '-d');
  for (const m of matches) param(m, '-m');
  if (p.tcp_flags?.flags && p.tcp_flags.flags_set)
    rule.push('--tcp-flags', p.tcp_flags.flags.join(','), p.tcp_flags.flags_set.join(','));
  param(p.jump, '-j');
  if (p.jump && p.jump.toLowerCase() === 'tee') param(p.gateway, '--gateway');
  param(p.log_prefix, '--log-prefix');
  param(p.log_level, '--log-level');
  param(p.to_destination, '--to-destination');
  match(p.destination_ports?.length, 'multiport');
  csv(p.destination_ports, '--dports');
  param(p.to_source, '--to-source');
  param(p.goto, '-g');
  param(p.in_interface, '-i');
  param(p.out_interface, '-o');
  param(p.fragment, '-f');
  param(p.set_counters, '-c');
  param(p.source_port, '--source-port');
  param(p.destination_port, '--destination-port');
  param(p.to_ports, '--to-ports');
  param(p.set_dscp_mark, '--set-dscp');
  param(p.set_dscp_mark_class, '--set-dscp-class');
  matchFlag(p.syn ?? 'ignore', '--syn', true);
  if (matches.includes('conntrack')) csv(p.ctstate, '--ctstate');
  else if (matches.includes('state')) csv(p.ctstate, '--state');
  else if (p.ctstate?.length) {
    match(true, 'conntrack');
    csv(p.ctstate, '--ctstate');
  }
  if (matches.includes('iprange')) {
    param(p.src_range, '--src-range');
    param(p.dst_range, '--dst-range');
  } else if (p.src_range || p.dst_range) {
    match(true, 'iprange');
    param(p.src_range, '--src-range');
    param(p.dst_range, '--dst-range');
  }
  if (matches.includes('set')) {
    param(p.match_set, '--match-set');
    // Ansible passes the flags as the flag word and 'match' as the value: the flags land alone
    if (p.match_set_flags) rule.push(p.match_set_flags);
  } else if (p.match_set) {
    match(true, 'set');
    param(p.match_set, '--match-set');
    if (p.match_set_flags) rule.push(p.match_set_flags);
  }
  match(p.limit || p.limit_burst, 'limit');
  param(p.limit, '--limit');
  param(p.limit_burst, '--limit-burst');
  match(p.uid_owner, 'owner');
  matchFlag(p.uid_owner, '--uid-owner', true);
  param(p.uid_owner, '--uid-owner');
  match(p.gid_owner, 'owner');
  matchFlag(p.gid_owner, '--gid-owner', true);
  param(p.gid_owner, '--gid-owner');
  if (p.jump === undefined && p.reject_with) rule.push('-j', 'REJECT');
  param(p.reject_with, '--reject-with');
  param(p.icmp_type, ICMP_TYPE_OPTION[p.ip_version ?? 'ipv4']);
  match(p.comment, 'comment');
  param(p.comment, '--comment');
  return rule;
}
