// One firewall rule as iptables words, built from Ansible's iptables arguments in the order its
// module uses, and the boot script that loads the saved rules on a SysV host.

export interface RuleArgs {
  table?: string;
  chain?: string;
  protocol?: string;
  source?: string;
  destination?: string;
  src_range?: string;
  dst_range?: string;
  match?: unknown[];
  jump?: string;
  in_interface?: string;
  out_interface?: string;
  source_port?: string;
  destination_port?: string;
  destination_ports?: unknown[];
  ctstate?: unknown[];
  icmp_type?: string;
  reject_with?: string;
  limit?: string;
  comment?: string;
}

// Minimal hosts often lack /etc/protocols (netbase), so iptables would not know these names.
const PROTOCOL_NUMBERS: Record<string, string> = {
  vrrp: '112',
  ah: '51',
  esp: '50',
  gre: '47',
  igmp: '2',
  ospf: '89',
  sctp: '132',
};

/** `protocol: vrrp` and `protocol: 112` are the same rule; iptables itself knows tcp, udp, icmp, all. */
export function protocolWord(p: string): string {
  const s = p.trim().toLowerCase();
  return PROTOCOL_NUMBERS[s] ?? s;
}

/** The rule's match and target words (without table, command and chain). */
export function ruleWords(r: RuleArgs): string[] {
  const w: string[] = [];
  const add = (...xs: string[]) => w.push(...xs);
  if (r.protocol !== undefined) add('-p', protocolWord(String(r.protocol)));
  if (r.source !== undefined) add('-s', String(r.source));
  if (r.destination !== undefined) add('-d', String(r.destination));
  for (const m of r.match ?? []) add('-m', String(m));
  if (r.in_interface !== undefined) add('-i', String(r.in_interface));
  if (r.out_interface !== undefined) add('-o', String(r.out_interface));
  if (r.source_port !== undefined) add('--sport', String(r.source_port));
  if (r.destination_port !== undefined) add('--dport', String(r.destination_port));
  if (r.destination_ports?.length) add('-m', 'multiport', '--dports', r.destination_ports.map(String).join(','));
  if (r.ctstate?.length) add('-m', 'conntrack', '--ctstate', r.ctstate.map(String).join(','));
  if (r.src_range !== undefined || r.dst_range !== undefined) {
    add('-m', 'iprange');
    if (r.src_range !== undefined) add('--src-range', String(r.src_range));
    if (r.dst_range !== undefined) add('--dst-range', String(r.dst_range));
  }
  if (r.icmp_type !== undefined) add('--icmp-type', String(r.icmp_type));
  if (r.limit !== undefined) add('-m', 'limit', '--limit', String(r.limit));
  if (r.comment !== undefined) add('-m', 'comment', '--comment', String(r.comment));
  if (r.jump !== undefined) add('-j', String(r.jump));
  if (r.reject_with !== undefined) add('--reject-with', String(r.reject_with));
  return w;
}

/** The rule as iptables-save would list it, for messages and diffs. */
export const ruleText = (chain: string, words: string[]) =>
  [`-A ${chain}`, ...words.map((x) => (/^[\w./:,=-]+$/.test(x) ? x : `"${x.replace(/["\\]/g, '\\$&')}"`))].join(' ');

export const RULES_DIR = '/etc/iptables';
export const BOOT_SCRIPT = '/etc/init.d/lvsplay-firewall';

/**
 * Loads /etc/iptables/rules.v4 and rules.v6 early at boot, before the network services start:
 * the files iptables-persistent uses, so a host that later installs it keeps its rules.
 */
export const BOOT_SCRIPT_TEXT = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          lvsplay-firewall
# Required-Start:    mountkernfs $local_fs
# Required-Stop:     $local_fs
# Should-Start:
# Before:            networking $network
# Default-Start:     S 2 3 4 5
# Default-Stop:
# Short-Description: Load the firewall rules saved by lvsplay
### END INIT INFO
# Written by lvsplay's firewall module; rules are saved in ${RULES_DIR}/rules.v4 and rules.v6.
PATH=/sbin:/bin:/usr/sbin:/usr/bin

load() {
  rc=0
  if [ -r ${RULES_DIR}/rules.v4 ] && command -v iptables-restore >/dev/null 2>&1; then
    iptables-restore < ${RULES_DIR}/rules.v4 || rc=1
  fi
  if [ -r ${RULES_DIR}/rules.v6 ] && command -v ip6tables-restore >/dev/null 2>&1; then
    ip6tables-restore < ${RULES_DIR}/rules.v6 || rc=1
  fi
  return $rc
}

case "$1" in
  start|restart|reload|force-reload) load ;;
  stop|status) exit 0 ;;
  *) echo "Usage: $0 {start|restart|reload|force-reload|stop}" >&2; exit 3 ;;
esac
`;
