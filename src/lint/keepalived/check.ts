// What `keepalived -t` of a given version rejects besides unknown keywords: values it cannot read
// (a VRID out of range, a state in lower case, an address that is none), references to things the
// file does not define, combinations it refuses, and scripts without script security. Each check
// here is one of its config errors, found by running Debian's binaries on the corpus under
// test/fixtures/lint/keepalived-corpus (test/integration/keepalived-lint.test.ts keeps them equal).
import { isIP } from 'node:net';
import type { SourcePos } from '../../diagnostics.js';
import type { Finding, RuleMeta } from '../types.js';
import type { KaNode } from './parse.js';
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
]);
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
  if (p === undefined) return true;
  const n = Number(p);
  return /^\d+$/.test(p) && n <= (isIP(a) === 4 ? 32 : 128);
};
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

  // A keyword that reads a value, written without one.
  walk(nodes, (n, parent) => {
    if (!NEEDS_VALUE.has(n.keyword) || n.args.length || n.children) return;
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
    if (state?.args[0] && state.args[0] !== 'MASTER' && state.args[0] !== 'BACKUP')
      err(
        state.argPos[0],
        `(${name}) unknown state '${state.args[0]}'`,
        'write state MASTER or state BACKUP (capitals)',
      );
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
    const authType = find(kids(auth), 'auth_type');
    const authPass = find(kids(auth), 'auth_pass');
    if (authType?.args[0] && authType.args[0] !== 'PASS' && authType.args[0] !== 'AH')
      err(authType.argPos[0], `(${name}) unknown auth_type '${authType.args[0]}'`, 'write auth_type PASS (or AH)');
    if (authType?.args[0] === 'AH' && state?.args[0] === 'MASTER')
      err(authType.argPos[0], `(${name}) AH authentication cannot start in state MASTER`);
    if (authPass?.args[0] && authPass.args[0].length > 8)
      err(authPass.argPos[0], `(${name}) auth_pass is longer than 8 characters: keepalived truncates it`);
    if (strict && auth) err(auth.pos, `(${name}) vrrp_strict does not allow authentication`);
    if (strict && state?.args[0] === 'MASTER' && prio?.args[0] !== '255')
      err(state.argPos[0], `(${name}) with vrrp_strict, state MASTER needs priority 255 (the address owner)`);
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
    const src = find(c, 'unicast_src_ip');
    if (src?.args[0] && !isAddress(src.args[0]))
      err(src.argPos[0], `(${name}) unicast_src_ip '${src.args[0]}' is not an address`);
    for (const p of kids(find(c, 'unicast_peer')))
      if (!isAddress(p.keyword)) err(p.pos, `(${name}) unicast peer '${p.keyword}' is not an address`);
    for (const t of kids(find(c, 'track_script')))
      if (!scripts.has(t.keyword)) err(t.pos, `(${name}) track_script ${t.keyword}: no vrrp_script of that name`);
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
    if (!fwmark && addr !== 'group' && !isIP(addr)) err(vs.argPos[0], `${label}: '${addr}' is not an address`);
    // An unknown scheduler is lvs-scheduler's finding; here only a missing one.
    const algo = findAny(c, 'lb_algo', 'lvs_sched');
    if (!algo) err(vs.pos, `${label}: no lb_algo (keepalived picks wlc)`, 'add lb_algo (e.g. wrr)');
    const kind = findAny(c, 'lb_kind', 'lvs_method');
    if (!kind) err(vs.pos, `${label}: no lb_kind (keepalived picks NAT)`, 'add lb_kind DR');
    if (kind?.args[0] && !FORWARDING.has(kind.args[0]))
      err(kind.argPos[0], `${label}: unknown forwarding method '${kind.args[0]}'`, 'write lb_kind DR (or NAT, TUN)');
    const proto = find(c, 'protocol');
    if (proto?.args[0] && !PROTOCOLS.has(proto.args[0]))
      err(proto.argPos[0], `${label}: unknown protocol '${proto.args[0]}'`, 'write protocol TCP (or UDP, SCTP)');
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
    for (const rs of reals) {
      const rc = kids(rs);
      if (!isIP(rs.args[0] ?? ''))
        err(rs.argPos[0] ?? rs.pos, `${label}: real_server '${rs.args[0] ?? ''}' is not an address`);
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
  }
  return out;
}
