// What `keepalived -t` of a given version rejects besides unknown keywords: values it cannot read
// (a VRID out of range, a state in lower case, an address that is none), references to things the
// file does not define, combinations it refuses, and scripts without script security. Each check
// here is one of its config errors, found by running Debian's binaries on the corpus under
// test/fixtures/lint/keepalived-corpus (test/integration/keepalived-lint.test.ts keeps them equal).
import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { SourcePos } from '../../diagnostics.js';
import type { Finding, RuleMeta } from '../types.js';
import { CHECKERS } from './model.js';
import type { KaNode } from './parse.js';
import { SCHEDULERS } from '../rules/lvs.js';
import { valueProblem, valuesKnown } from './values.js';
import type { KeepalivedVersion } from './versions.js';

export const KEEPALIVED_TEST_RULE: RuleMeta = {
  id: 'keepalived-config-error',
  severity: 'error',
  title: 'a value or combination `keepalived -t` rejects',
  why: 'keepalived -t exits non-zero: the director role refuses to install the file, and a keepalived started on it runs with the line ignored or a default in its place',
  fix: 'write the value keepalived expects',
};

const FORWARDING = new Set(['NAT', 'DR', 'TUN']);
const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);
/** Keywords that read a value: without one keepalived stops reading the file. */
const NEEDS_VALUE = new Set([
  'state',
  'interface',
  'virtual_router_id',
  'priority',
  'advert_int',
  'auth_type',
  'auth_pass',
  'unicast_src_ip',
  'delay_loop',
  'lb_algo',
  'lvs_sched',
  'lb_kind',
  'lvs_method',
  'protocol',
  'persistence_timeout',
  'weight',
  'connect_timeout',
  'connect_port',
  'retry',
  'delay_before_retry',
  'router_id',
  'script',
  'interval',
  'path',
  'status_code',
  'misc_path',
  'vrf',
  'vrrp_mcast_group4',
  'vrrp_mcast_group6',
  'type',
]);
/** Block -> keywords it takes once (a second one is a config error). */
const SET_ONCE: Record<string, string[]> = {
  vrrp_instance: ['state'],
  DNS_CHECK: ['name'],
  vrrp_track_file: ['file'],
  track_file: ['file'],
  vrrp_track_process: ['process'],
};
/** Keywords that open a block (every checker, a real server, authentication). */
const BLOCKS = new Set([...CHECKERS, 'real_server', 'authentication']);
/** Keywords that only work with unicast peers. */
const UNICAST_ONLY = ['unicast_src_ip', 'unicast_ttl', 'check_unicast_src', 'old_unicast_checksum'];

/** The longest LVS timeout keepalived takes (31 days, its LVS_MAX_TIMEOUT). */
const LVS_MAX_TIMEOUT = 86400 * 31;
const LVS_TIMEOUTS = new Set(['tcp', 'tcpfin', 'udp']);
/**
 * Keywords whose values are words from keepalived's own lists, which the values table's probes
 * (numbers, booleans, one word) cannot find: what both daemons' `-t` said of each, probed with
 * right and wrong words. `undefined`: accepted; else the reason it is refused.
 */
const WORD_VALUES: Record<string, (args: readonly string[]) => string | undefined> = {
  // none, or a boolean word ("invalid strict_mode 1 specified")
  strict_mode: ([a]) =>
    a === undefined || /^(true|false|yes|no|on|off)$/.test(a) ? undefined : `invalid strict_mode ${a}`,
  // none, or `never` exactly ("Unknown old_unicast_chksum mode NEVER")
  old_unicast_checksum: ([a]) =>
    a === undefined || a === 'never' ? undefined : `unknown old_unicast_checksum mode ${a}`,
  // pairs of tcp|tcpfin|udp and seconds in 0..31 days
  lvs_timeouts: (args) => {
    if (!args.length) return 'lvs_timeouts without a timeout';
    for (let i = 0; i < args.length; i += 2) {
      const [k, v] = [args[i]!, args[i + 1]];
      if (!LVS_TIMEOUTS.has(k)) return `unknown option ${k} for lvs_timeouts (tcp, tcpfin, udp)`;
      if (v === undefined || !/^\d+$/.test(v) || Number(v) > LVS_MAX_TIMEOUT)
        return `invalid lvs_timeout ${k} (${v ?? 'no value'}): seconds from 0 to ${LVS_MAX_TIMEOUT}`;
    }
    return undefined;
  },
  // Debian's keepalived is built with nftables, not iptables
  vrrp_iptables: () => "iptables not supported by this keepalived (built with nftables): use the 'nftables' option",
  vrrp_ipsets: () => "ipsets not supported by this keepalived (built with nftables): use the 'nftables' option",
  // inet or inet6 (and the virtual server's own, checked below)
  ip_family: ([a]) =>
    a === 'inet' || a === 'inet6' ? undefined : `unknown address family ${a ?? '(none)'} (inet or inet6)`,
};

/** Keywords that name a script keepalived runs. */
const SCRIPT_KEYWORDS = new Set([
  'notify',
  'notify_master',
  'notify_backup',
  'notify_fault',
  'notify_stop',
  'notify_deleted',
  'notify_master_rx_lower_pri',
  'notify_up',
  'notify_down',
  'quorum_up',
  'quorum_down',
  'misc_path',
]);

const kids = (n: KaNode | undefined): KaNode[] => n?.children ?? [];
const find = (ns: KaNode[], kw: string): KaNode | undefined => ns.find((n) => n.keyword === kw);
const findAny = (ns: KaNode[], ...kws: string[]): KaNode | undefined => ns.find((n) => kws.includes(n.keyword));
const isAddress = (s: string): boolean => {
  const [a = '', p] = s.split('/');
  if (!isIP(a)) return false;
  // keepalived takes `ADDR/` as ADDR.
  if (p === undefined || p === '') return true;
  const n = Number(p);
  return /^\d+$/.test(p) && n <= (isIP(a) === 4 ? 32 : 128);
};
/**
 * The family of an address as keepalived's inet_stosockaddr reads one (real and virtual servers,
 * unicast source and peers): what follows a `-` (a range) or a `/` (a mask) is dropped; a `:`
 * makes it IPv6. 0 when it is no address.
 */
const sockFamily = (s: string): 0 | 4 | 6 => {
  const fam = s.includes(':') ? 6 : 4;
  const ip = s.split(/[-/]/)[0]!;
  return (fam === 6 ? isIPv6(ip) : isIPv4(ip)) ? fam : 0;
};
/** The family of a virtual_ipaddress entry (ADDR[/PREFIX] ...). */
const vipFamily = (s: string): 0 | 4 | 6 => (isAddress(s) ? (isIP(s.split('/')[0]!) as 4 | 6) : 0);
const intIn = (s: string | undefined, lo: number, hi: number): boolean =>
  s !== undefined && /^\d+$/.test(s) && Number(s) >= lo && Number(s) <= hi;
const positive = (s: string | undefined): boolean => s !== undefined && /^\d+(\.\d+)?$/.test(s) && Number(s) > 0;

function walk(nodes: KaNode[], visit: (n: KaNode, parent: KaNode | undefined) => void, parent?: KaNode): void {
  for (const n of nodes) {
    visit(n, parent);
    if (n.children) walk(n.children, visit, n);
  }
}

/** The config errors `keepalived -t` of `version` reports for a parsed file (all its includes read). */
export function keepalivedTestFindings(nodes: KaNode[], version: KeepalivedVersion): Finding[] {
  const out: Finding[] = [];
  const err = (pos: SourcePos | undefined, message: string, fix?: string): void => {
    // One finding per place: the values table and a check of its own may both see a bad value.
    if (pos && out.some((f) => f.pos?.file === pos.file && f.pos.line === pos.line && f.pos.col === pos.col)) return;
    out.push({
      rule: KEEPALIVED_TEST_RULE.id,
      severity: 'error',
      message: `${message} (keepalived ${version} -t rejects this)`,
      why: KEEPALIVED_TEST_RULE.why,
      fix: fix ?? KEEPALIVED_TEST_RULE.fix,
      ...(pos ? { pos } : {}),
    });
  };
  const global = kids(find(nodes, 'global_defs'));
  const strict = !!find(global, 'vrrp_strict');
  const scriptSecurity = !!find(global, 'enable_script_security');
  const scripts = new Set(nodes.filter((n) => n.keyword === 'vrrp_script').map((n) => n.args[0]));
  const processes = new Set(nodes.filter((n) => n.keyword === 'vrrp_track_process').map((n) => n.args[0]));
  const instances = nodes.filter((n) => n.keyword === 'vrrp_instance');
  const trackFiles = new Set(
    nodes.filter((n) => n.keyword === 'vrrp_track_file' || n.keyword === 'track_file').map((n) => n.args[0]),
  );
  walk(nodes, (n, parent) => {
    if (parent?.keyword === 'FILE_CHECK' && n.keyword === 'track_file' && n.args[0] && !trackFiles.has(n.args[0]))
      err(n.argPos[0], `FILE_CHECK track_file ${n.args[0]}: no vrrp_track_file of that name`);
  });

  // Values from keepalived's own word lists.
  walk(nodes, (n) => {
    const problem = n.children ? undefined : WORD_VALUES[n.keyword]?.(n.args);
    if (problem) err(n.args.length ? n.argPos[0] : n.pos, problem, `write ${n.keyword} with a value keepalived takes`);
  });
  // A virtual server's ip_family must be its address's.
  walk(nodes, (n) => {
    const fam = n.keyword === 'virtual_server' ? find(kids(n), 'ip_family') : undefined;
    const addr = n.args[0];
    if (!fam || !addr || !(fam.args[0] === 'inet' || fam.args[0] === 'inet6') || !isIP(addr)) return;
    if ((isIP(addr) === 6) !== (fam.args[0] === 'inet6'))
      err(fam.argPos[0], `ip_family ${fam.args[0]} for virtual server ${addr}, an IPv${isIP(addr)} address`);
  });

  // Values the daemon's tables (values.json) say this version refuses.
  walk(nodes, (n, parent) => {
    if (n.children || WORD_VALUES[n.keyword]) return;
    // init_file takes `overwrite` and a number (judged by the table), nothing else
    const args = n.keyword === 'init_file' ? n.args.filter((a) => a !== 'overwrite') : n.args;
    const other = n.keyword === 'init_file' ? args.find((a, i) => i > 0 || !/^[-+]?\d+$/.test(a)) : undefined;
    const problem =
      other !== undefined
        ? `unknown track file init option ${other} (a number, overwrite)`
        : valueProblem(version, parent?.keyword ?? 'top', n.keyword, args);
    if (problem)
      err(n.args.length ? n.argPos[0] : n.pos, problem, `write ${n.keyword} with a value keepalived ${version} takes`);
  });

  // Keywords a block takes once: keepalived -t reports the second ("already set").
  walk(nodes, (n) => {
    // 2.3 also refuses a second url path ("Duplicate path"); 2.2 takes the last one.
    const once = [...(SET_ONCE[n.keyword] ?? []), ...(version !== '2.2' && n.keyword === 'url' ? ['path'] : [])];
    if (!once.length || !n.children) return;
    for (const kw of once) {
      const second = n.children.filter((x) => x.keyword === kw)[1];
      if (second)
        err(second.pos, `${[n.keyword, ...n.args.slice(0, 1)].join(' ')}: ${kw} is set twice`, `keep one ${kw} line`);
    }
  });
  // A block keyword written without its block.
  walk(nodes, (n) => {
    if (BLOCKS.has(n.keyword) && !n.children)
      err(n.pos, `'${n.keyword}' opens a block: keepalived wants { on its line`, `write ${n.keyword} { ... }`);
  });

  // A keyword that reads a value, written without one.
  walk(nodes, (n, parent) => {
    if (!NEEDS_VALUE.has(n.keyword) || n.args.length || n.children) return;
    if (valuesKnown(version, parent?.keyword ?? 'top', n.keyword)) return;
    if (
      parent &&
      ['virtual_ipaddress', 'unicast_peer', 'track_script', 'track_interface', 'group'].includes(parent.keyword)
    )
      return;
    err(n.pos, `'${n.keyword}' has no value: keepalived stops reading the file here`, `write ${n.keyword} VALUE`);
  });

  // Scripts run as root without script security: `-t` exits 6 (SECURITY VIOLATION).
  if (!scriptSecurity) {
    let first: KaNode | undefined;
    walk(nodes, (n, parent) => {
      if (first) return;
      if (SCRIPT_KEYWORDS.has(n.keyword) && n.args.length) first = n;
      else if (n.keyword === 'script' && parent?.keyword === 'vrrp_script' && n.args.length) first = n;
    });
    if (first)
      err(
        first.pos,
        `'${first.keyword}' makes keepalived run a script, and enable_script_security is not set (SECURITY VIOLATION)`,
        'add enable_script_security (and a script_user that is not root) to global_defs',
      );
  }

  const seenVrid = new Map<string, string>();
  for (const vi of instances) {
    const c = kids(vi);
    const name = vi.args[0] ?? '';
    const state = find(c, 'state');
    // Every line counts: keepalived reads each (a later one does not hide an earlier mistake).
    const states = c.filter((n) => n.keyword === 'state');
    for (const s of states)
      if (s.args[0] && s.args[0] !== 'MASTER' && s.args[0] !== 'BACKUP')
        err(s.argPos[0], `(${name}) unknown state '${s.args[0]}'`, 'write state MASTER or state BACKUP (capitals)');

    const vrid = find(c, 'virtual_router_id');
    if (!vrid) err(vi.pos, `(${name}) has no virtual_router_id`, 'add virtual_router_id 1..255');
    else if (vrid.args[0] !== undefined && !intIn(vrid.args[0], 1, 255))
      err(vrid.argPos[0], `(${name}) virtual_router_id '${vrid.args[0]}' is not in 1..255`);
    const prio = find(c, 'priority');
    // Out of range numbers are vrrp-priority-range's; here only what is no number at all.
    if (prio?.args[0] !== undefined && !Number.isFinite(Number(prio.args[0])))
      err(prio.argPos[0], `(${name}) priority '${prio.args[0]}' is not a number`);
    const vrrpVersion = find(c, 'version')?.args[0] ?? find(global, 'vrrp_version')?.args[0] ?? '2';
    const advert = find(c, 'advert_int');
    if (advert?.args[0] !== undefined) {
      if (!positive(advert.args[0]))
        err(advert.argPos[0], `(${name}) advert_int '${advert.args[0]}' is not a number > 0`);
      else if (vrrpVersion === '2' && !/^\d+$/.test(advert.args[0]))
        err(advert.argPos[0], `(${name}) advert_int ${advert.args[0]}: VRRPv2 adverts are whole seconds`);
    }
    const auth = find(c, 'authentication');
    for (const t of kids(auth).filter((n) => n.keyword === 'auth_type'))
      if (t.args[0] && t.args[0] !== 'PASS' && t.args[0] !== 'AH')
        err(t.argPos[0], `(${name}) unknown auth_type '${t.args[0]}'`, 'write auth_type PASS (or AH)');
    const authType = find(kids(auth), 'auth_type');
    const authPass = find(kids(auth), 'auth_pass');
    if (authType?.args[0] === 'AH' && state?.args[0] === 'MASTER')
      err(authType.argPos[0], `(${name}) AH authentication cannot start in state MASTER`);
    if (authPass?.args[0] && authPass.args[0].length > 8)
      err(authPass.argPos[0], `(${name}) auth_pass is longer than 8 characters: keepalived truncates it`);
    if (strict && auth) err(auth.pos, `(${name}) vrrp_strict does not allow authentication`);
    if (strict && state?.args[0] === 'MASTER' && prio?.args[0] !== '255')
      err(state.argPos[0], `(${name}) with vrrp_strict, state MASTER needs priority 255 (the address owner)`);
    if (find(c, 'preempt_delay') && state?.args[0] === 'MASTER')
      err(find(c, 'preempt_delay')!.pos, `(${name}) preempt_delay does not work with state MASTER`, 'use state BACKUP');
    if (!kids(find(c, 'unicast_peer')).length)
      for (const n of c.filter((x) => UNICAST_ONLY.includes(x.keyword)))
        err(n.pos, `(${name}) ${n.keyword} without unicast_peer`, 'list the peers under unicast_peer, or remove it');
    const mcast = find(c, 'mcast_dst_ip');
    if (mcast?.args[0] && !/^(22[4-9]|23\d)\.|^ff/i.test(mcast.args[0]))
      err(mcast.argPos[0], `(${name}) mcast_dst_ip ${mcast.args[0]} is not a multicast address`);
    const expired = find(c, 'timer_expired_backup');
    if (expired && !find(c, 'nopreempt')) err(expired.pos, `(${name}) timer_expired_backup works only with nopreempt`);
    const owner = find(c, 'owner_ignore_adverts');
    if (owner && prio?.args[0] !== '255') err(owner.pos, `(${name}) owner_ignore_adverts works only with priority 255`);
    if (find(c, 'vmac_xmit_base') && !find(c, 'use_vmac'))
      err(find(c, 'vmac_xmit_base')!.pos, `(${name}) vmac_xmit_base works only with use_vmac`);
    if (find(c, 'nopreempt') && state?.args[0] === 'MASTER')
      err(
        find(c, 'nopreempt')!.pos,
        `(${name}) nopreempt does not work with state MASTER`,
        'use state BACKUP on every director with nopreempt',
      );
    const vips = find(c, 'virtual_ipaddress');
    let goodVips = 0;
    for (const v of kids(vips)) {
      if (isAddress(v.keyword)) goodVips++;
      else err(v.pos, `(${name}) '${v.keyword}' in virtual_ipaddress is not an address`);
    }
    if (vips && !goodVips && !kids(vips).length) err(vips.pos, `(${name}) virtual_ipaddress is empty`);
    // The instance's family is its first address's; keepalived refuses the other family in the
    // address lists and as unicast source, and VRRPv3 (IPv6 always) has no authentication.
    const family = vipFamily(kids(vips)[0]?.keyword ?? '') || 4;
    // virtual_ipaddress_excluded may hold the other family.
    for (const list of [vips])
      for (const v of kids(list)) {
        const f = vipFamily(v.keyword);
        if (f && f !== family)
          err(
            v.pos,
            `(${name}) ${v.keyword} is IPv${f} in an IPv${family} instance`,
            'put each family in an instance of its own',
          );
      }
    const vrrpVer = find(c, 'version')?.args[0] ?? find(global, 'vrrp_version')?.args[0] ?? (family === 6 ? '3' : '2');
    if (auth && (vrrpVer === '3' || family === 6))
      err(
        auth.pos,
        `(${name}) VRRP version 3${family === 6 ? ' (IPv6)' : ''} has no authentication`,
        'remove the authentication block',
      );
    if (find(c, 'native_ipv6') && family === 4)
      err(find(c, 'native_ipv6')!.pos, `(${name}) native_ipv6 in an instance of IPv4 addresses`);
    const src = find(c, 'unicast_src_ip');
    const srcFamily = src?.args[0] ? sockFamily(src.args[0]) : 0;
    if (srcFamily && srcFamily !== family)
      err(src!.argPos[0], `(${name}) unicast_src_ip ${src!.args[0]} is IPv${srcFamily} in an IPv${family} instance`);
    if (src?.args[0] && !sockFamily(src.args[0]))
      err(src.argPos[0], `(${name}) unicast_src_ip '${src.args[0]}' is not an address`);
    for (const p of kids(find(c, 'unicast_peer')))
      if (!sockFamily(p.keyword)) err(p.pos, `(${name}) unicast peer '${p.keyword}' is not an address`);
    const tracked = new Set<string>();
    for (const t of c.filter((x) => x.keyword === 'track_script').flatMap(kids)) {
      if (!scripts.has(t.keyword)) err(t.pos, `(${name}) track_script ${t.keyword}: no vrrp_script of that name`);
      else if (tracked.has(t.keyword)) err(t.pos, `(${name}) track_script ${t.keyword} is listed twice`);
      tracked.add(t.keyword);
    }
    for (const t of kids(find(c, 'track_file')))
      if (!trackFiles.has(t.keyword)) err(t.pos, `(${name}) track_file ${t.keyword}: no vrrp_track_file of that name`);
    for (const t of kids(find(c, 'track_process')))
      if (!processes.has(t.keyword))
        err(t.pos, `(${name}) track_process ${t.keyword}: no vrrp_track_process of that name`);
    const iface = find(c, 'interface')?.args[0];
    if (vrid?.args[0] && iface) {
      const fam = kids(vips).some((v) => isIP(v.keyword.split('/')[0]!) === 6) ? 6 : 4;
      const key = `${iface}|${vrid.args[0]}|${fam}`;
      const other = seenVrid.get(key);
      if (other)
        err(
          vrid.argPos[0],
          `(${name}) uses VRID ${vrid.args[0]} on ${iface} like ${other}`,
          'give each instance on an interface its own virtual_router_id',
        );
      else seenVrid.set(key, name);
    }
  }

  const names = new Set(instances.map((n) => n.args[0]));
  for (const g of nodes.filter((n) => n.keyword === 'vrrp_sync_group')) {
    const members = kids(find(kids(g), 'group'));
    for (const m of members)
      if (!names.has(m.keyword)) err(m.pos, `sync group ${g.args[0]}: vrrp_instance ${m.keyword} does not exist`);
    if (members.filter((m) => names.has(m.keyword)).length < 2)
      err(g.pos, `sync group ${g.args[0]} has fewer than 2 instances`);
  }

  for (const vs of nodes.filter((n) => n.keyword === 'virtual_server')) {
    const c = kids(vs);
    const [addr = '', port] = vs.args;
    const label = `virtual_server ${vs.args.join(' ')}`;
    const fwmark = addr === 'fwmark';
    const vsFamily = fwmark || addr === 'group' ? 0 : sockFamily(addr);
    if (!fwmark && addr !== 'group' && !vsFamily) err(vs.argPos[0], `${label}: '${addr}' is not an address`);
    // An unknown scheduler is lvs-scheduler's finding; here only a missing one.
    const algo = findAny(c, 'lb_algo', 'lvs_sched');
    if (!algo) err(vs.pos, `${label}: no lb_algo (keepalived picks wlc)`, 'add lb_algo (e.g. wrr)');
    // The first one is lvs-scheduler's finding.
    for (const a of c.filter((n) => n.keyword === 'lb_algo' || n.keyword === 'lvs_sched').slice(1))
      if (a.args[0] !== undefined && !SCHEDULERS.includes(a.args[0]))
        err(a.argPos[0], `${label}: '${a.args[0]}' is not an IPVS scheduler`, `write one of ${SCHEDULERS.join(', ')}`);
    const kind = findAny(c, 'lb_kind', 'lvs_method');
    if (!kind) err(vs.pos, `${label}: no lb_kind (keepalived picks NAT)`, 'add lb_kind DR');
    for (const k of c.filter((n) => n.keyword === 'lb_kind' || n.keyword === 'lvs_method'))
      if (k.args[0] && !FORWARDING.has(k.args[0]))
        err(k.argPos[0], `${label}: unknown forwarding method '${k.args[0]}'`, 'write lb_kind DR (or NAT, TUN)');
    const proto = find(c, 'protocol');
    for (const p of c.filter((n) => n.keyword === 'protocol'))
      if (p.args[0] && !PROTOCOLS.has(p.args[0].toUpperCase()))
        err(p.argPos[0], `${label}: unknown protocol '${p.args[0]}'`, 'write protocol TCP (or UDP, SCTP)');
    if (fwmark && proto) err(proto.pos, `${label}: a fwmark service takes no protocol`, 'remove the protocol line');
    if (!fwmark && !proto) err(vs.pos, `${label}: no protocol (keepalived defaults to UDP)`, 'add protocol TCP');
    for (const [kw, test] of [
      ['delay_loop', positive],
      ['persistence_timeout', (s: string | undefined) => intIn(s, 0, 2 ** 32 - 1)],
    ] as const) {
      const n = find(c, kw);
      if (n?.args[0] !== undefined && !test(n.args[0]))
        err(n.argPos[0], `${label}: ${kw} '${n.args[0]}' is not a number`);
    }
    const reals = c.filter((n) => n.keyword === 'real_server');
    if (!reals.length) err(vs.pos, `${label} has no real_server`, 'add the real servers, or remove the virtual_server');
    let total = 0;
    const seenRs = new Set<string>();
    for (const rs of reals) {
      const rc = kids(rs);
      const rsFamily = sockFamily(rs.args[0] ?? '');
      if (vsFamily && rsFamily && rsFamily !== vsFamily)
        err(rs.argPos[0]!, `${label}: real_server ${rs.args[0]} is IPv${rsFamily}, the virtual server IPv${vsFamily}`);
      const key = rs.args.slice(0, 2).join(' ');
      if (seenRs.has(key)) err(rs.pos, `${label}: real_server ${key} is listed twice`, 'remove one of them');
      seenRs.add(key);
      if (!rsFamily) err(rs.argPos[0] ?? rs.pos, `${label}: real_server '${rs.args[0] ?? ''}' is not an address`);
      if (!fwmark && addr !== 'group' && port === undefined && rs.args[1] !== undefined && rs.args[1] !== '0')
        err(
          vs.pos,
          `${label} has no port while real_server ${rs.args[0]} has ${rs.args[1]}`,
          'give the virtual_server its port',
        );
      const w = find(rc, 'weight');
      if (w?.args[0] !== undefined && !intIn(w.args[0], 0, 2147483647))
        err(w.argPos[0], `${label}: real_server weight '${w.args[0]}' is not a whole number`);
      total += w?.args[0] !== undefined && /^\d+$/.test(w.args[0]) ? Number(w.args[0]) : w ? 0 : 1;
      for (const chk of rc) {
        if ((chk.keyword === 'HTTP_GET' || chk.keyword === 'SSL_GET') && !find(kids(chk), 'url'))
          err(chk.pos, `${label}: ${chk.keyword} has no url`, 'add url { path / status_code 200 }');
        const ct = find(kids(chk), 'connect_timeout');
        if (ct?.args[0] !== undefined && !positive(ct.args[0]))
          err(ct.argPos[0], `${label}: connect_timeout '${ct.args[0]}' is not > 0`);
      }
    }
    const quorum = find(c, 'quorum')?.args[0] ?? '1';
    // All weights 0 is lvs-weights-zero's finding.
    if (total > 0 && total < Number(quorum))
      err(vs.pos, `${label}: the real servers' weights add up to ${total}, below quorum ${quorum}`);
    const hysteresis = find(c, 'hysteresis');
    if (hysteresis?.args[0] !== undefined && Number(hysteresis.args[0]) >= Number(quorum))
      err(hysteresis.argPos[0], `${label}: hysteresis ${hysteresis.args[0]} is not below quorum ${quorum}`);
    // Keywords that only mean something with another setting: keepalived -t reports them.
    const sched = findAny(c, 'lb_algo', 'lvs_sched')?.args[0];
    for (const n of c) {
      const needs =
        /^(hashed|sh-port|sh-fallback)$/.test(n.keyword) && sched !== 'sh'
          ? 'lb_algo sh'
          : /^mh-(port|fallback)$/.test(n.keyword) && sched !== 'mh'
            ? 'lb_algo mh'
            : n.keyword === 'ops' && proto?.args[0]?.toUpperCase() !== 'UDP'
              ? 'protocol UDP'
              : n.keyword === 'sorry_server_lvs_method' && !find(c, 'sorry_server')
                ? 'a sorry_server'
                : undefined;
      if (needs) err(n.pos, `${label}: ${n.keyword} works only with ${needs}`, `add ${needs}, or remove ${n.keyword}`);
    }
  }
  return out;
}
