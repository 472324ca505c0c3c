// What a parsed keepalived.conf describes, as the cluster model the rules read: its VRRP
// instances, virtual services with their real servers and checks, and every keyword used.
import type { ClusterModel, HealthCheck, KeywordUse, RealServerEntry, VirtualService, VrrpInstance } from '../types.js';
import type { KaNode } from './parse.js';

/** Blocks whose lines are data (addresses, names, e-mails), not keywords. */
const DATA_BLOCKS = new Set([
  'virtual_ipaddress',
  'virtual_ipaddress_excluded',
  'unicast_peer',
  'notification_email',
  'virtual_routes',
  'virtual_rules',
  'track_interface',
  'track_script',
  'track_process',
  'track_file',
  'track_bfd',
  'group',
  'static_ipaddress',
  'static_routes',
  'static_rules',
  'lvs_timeouts',
  'virtual_server_group',
]);
/** The checkers a real_server block can hold. */
export const CHECKERS: ReadonlySet<string> = new Set([
  'TCP_CHECK',
  'HTTP_GET',
  'SSL_GET',
  'MISC_CHECK',
  'SMTP_CHECK',
  'DNS_CHECK',
  'UDP_CHECK',
  'PING_CHECK',
  'FILE_CHECK',
  'BFD_CHECK',
]);

const num = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
};
const find = (nodes: KaNode[] | undefined, kw: string): KaNode | undefined => nodes?.find((n) => n.keyword === kw);
const findAny = (nodes: KaNode[] | undefined, ...kws: string[]): KaNode | undefined =>
  nodes?.find((n) => kws.includes(n.keyword));

export function collectKeywords(nodes: KaNode[], out: KeywordUse[] = [], block = 'top'): KeywordUse[] {
  for (const n of nodes) {
    if (n.keyword) out.push({ keyword: n.keyword, pos: n.pos, block });
    if (n.children && !DATA_BLOCKS.has(n.keyword)) collectKeywords(n.children, out, n.keyword);
  }
  return out;
}

function vrrpInstance(n: KaNode, owner: string, strict: boolean): VrrpInstance {
  const c = n.children ?? [];
  const v: VrrpInstance = {
    name: n.args[0] ?? '',
    owner,
    nopreempt: false,
    vips: [],
    unicastPeers: [],
    strict,
    pos: { name: n.pos },
  };
  const set = <K extends keyof VrrpInstance>(
    kw: string,
    field: K & string,
    conv: (a: string | undefined) => VrrpInstance[K] | undefined,
  ): void => {
    const node = find(c, kw);
    if (!node) return;
    const value = conv(node.args[0]);
    if (value !== undefined) v[field] = value;
    v.pos[field] = node.argPos[0] ?? node.pos;
  };
  set('state', 'state', (a) => a);
  set('interface', 'interface', (a) => a);
  set('virtual_router_id', 'vrid', num);
  set('priority', 'priority', num);
  set('advert_int', 'advertInt', num);
  set('version', 'version', num);
  set('unicast_src_ip', 'unicastSrc', (a) => a);
  if (v.unicastSrc) v.ownAddress = v.unicastSrc;
  const nopreempt = find(c, 'nopreempt');
  if (nopreempt) {
    v.nopreempt = true;
    v.pos.nopreempt = nopreempt.pos;
  }
  const auth = find(c, 'authentication');
  if (auth) {
    const type = find(auth.children, 'auth_type');
    const pass = find(auth.children, 'auth_pass');
    if (type?.args[0]) v.authType = type.args[0];
    if (pass?.args[0]) v.authPass = pass.args[0];
    v.pos.authType = type?.argPos[0] ?? auth.pos;
    v.pos.authPass = pass?.argPos[0] ?? auth.pos;
  }
  const vips = find(c, 'virtual_ipaddress');
  if (vips) {
    v.vips = (vips.children ?? []).map((x) => x.keyword);
    v.pos.vips = vips.children?.[0]?.pos ?? vips.pos;
  }
  const peers = find(c, 'unicast_peer');
  if (peers) {
    v.unicastPeers = (peers.children ?? []).map((x) => x.keyword);
    v.pos.unicastPeers = peers.pos;
  }
  if (strict) v.pos.strict = v.pos.name;
  return v;
}

function healthCheck(n: KaNode): HealthCheck {
  const c = n.children ?? [];
  const h: HealthCheck = { type: n.keyword, pos: {} };
  const set = (field: 'connectTimeout' | 'retry' | 'delayBeforeRetry' | 'connectPort', ...kws: string[]): void => {
    const node = findAny(c, ...kws);
    const value = num(node?.args[0]);
    if (!node || value === undefined) return;
    h[field] = value;
    h.pos[field] = node.argPos[0] ?? node.pos;
  };
  set('connectTimeout', 'connect_timeout');
  set('retry', 'retry', 'nb_get_retry');
  set('delayBeforeRetry', 'delay_before_retry');
  set('connectPort', 'connect_port');
  return h;
}

function virtualService(
  n: KaNode,
  owner: string,
  inherited: { delayLoop?: KaNode; retry?: KaNode; delayBeforeRetry?: KaNode },
): VirtualService {
  const c = n.children ?? [];
  const s: VirtualService = { owner, vip: n.args[0] ?? '', realServers: [], pos: { vip: n.argPos[0] ?? n.pos } };
  const port = num(n.args[1]);
  if (port !== undefined) s.port = port;
  const set = (field: 'kind' | 'algorithm' | 'protocol', ...kws: string[]): void => {
    const node = findAny(c, ...kws);
    if (!node?.args[0]) return;
    s[field] = node.args[0];
    s.pos[field] = node.argPos[0];
  };
  set('kind', 'lb_kind', 'lvs_method');
  set('algorithm', 'lb_algo', 'lvs_sched');
  set('protocol', 'protocol');
  const delay = find(c, 'delay_loop');
  const dl = num(delay?.args[0]);
  if (dl !== undefined) {
    s.delayLoop = dl;
    s.pos.delayLoop = delay!.argPos[0];
  }
  const persistence = find(c, 'persistence_timeout');
  const pt = num(persistence?.args[0]);
  if (pt !== undefined) {
    s.persistenceTimeout = pt;
    s.pos.persistenceTimeout = persistence!.argPos[0];
  }
  // retry / delay_before_retry may be set on the virtual_server (or real_server) for all checks below.
  const vsRetry = find(c, 'retry') ?? inherited.retry;
  const vsPause = find(c, 'delay_before_retry') ?? inherited.delayBeforeRetry;
  let quiescent = !!find(c, 'inhibit_on_failure');
  for (const r of c.filter((x) => x.keyword === 'real_server')) {
    const rc = r.children ?? [];
    const rs: RealServerEntry = { address: r.args[0] ?? '', checks: [], pos: { address: r.argPos[0] ?? r.pos } };
    const rport = num(r.args[1]);
    if (rport !== undefined) {
      rs.port = rport;
      rs.pos.port = r.argPos[1];
    }
    const w = find(rc, 'weight');
    const wv = num(w?.args[0]);
    rs.weight = wv ?? 1;
    if (w) rs.pos.weight = w.argPos[0];
    if (find(rc, 'inhibit_on_failure')) quiescent = true;
    const rsRetry = find(rc, 'retry') ?? vsRetry;
    const rsPause = find(rc, 'delay_before_retry') ?? vsPause;
    for (const chk of rc.filter((x) => CHECKERS.has(x.keyword))) {
      const h = healthCheck(chk);
      if (h.retry === undefined && num(rsRetry?.args[0]) !== undefined) h.retry = num(rsRetry!.args[0]);
      if (h.delayBeforeRetry === undefined && num(rsPause?.args[0]) !== undefined)
        h.delayBeforeRetry = num(rsPause!.args[0]);
      rs.checks.push(h);
    }
    s.realServers.push(rs);
  }
  if (quiescent) s.quiescent = true;
  return s;
}

/** The model of one keepalived.conf; `owner` names the director (its file, or its router_id). */
export function modelFromKeepalived(nodes: KaNode[], owner: string): ClusterModel {
  const global = find(nodes, 'global_defs');
  const strict = !!find(global?.children, 'vrrp_strict');
  return {
    directors: [{ name: owner, pos: { name: nodes[0]?.pos } }],
    vrrp: nodes.filter((n) => n.keyword === 'vrrp_instance').map((n) => vrrpInstance(n, owner, strict)),
    services: nodes.filter((n) => n.keyword === 'virtual_server').map((n) => virtualService(n, owner, {})),
    realServerHosts: [],
    dbMasters: [],
    keywords: collectKeywords(nodes),
  };
}
