// From what the hosts showed to what the bundled roles need: which host is what, the cluster's
// settings and each host's own, and what the roles cannot express. Pure: readings in, adoption out.
import type { SourcePos } from '../diagnostics.js';
import type { KaNode } from '../lint/keepalived/parse.js';
import { describeEffects, scriptEffects } from '../lint/script-effects.js';
import { scriptModel } from '../lint/script.js';
import { Secret } from '../secret.js';
import { KEEPALIVED_AUTH, KEEPALIVED_CONF, type AdoptReading } from './probe.js';
import type { AdoptedDatabase, AdoptedDirector, AdoptedRealServer, Adoption, NotReproduced, Setting } from './model.js';

/** A director's keepalived.conf as parsed; positions point at adopt's copy of it. */
export interface FoundKeepalived {
  nodes: KaNode[];
  /** Where it came from: `host:/etc/keepalived/keepalived.conf`. */
  origin: string;
}

/**
 * What the director role's keepalived.conf template can say, by enclosing block. Anything else
 * in a hand-written file is reported as not reproduced, at its line.
 */
const EXPRESSIBLE: Record<string, Set<string>> = {
  '': new Set(['global_defs', 'vrrp_instance', 'virtual_server']),
  global_defs: new Set(['router_id']),
  vrrp_instance: new Set([
    'state',
    'interface',
    'virtual_router_id',
    'priority',
    'advert_int',
    'authentication',
    'virtual_ipaddress',
  ]),
  authentication: new Set(['auth_type', 'auth_pass']),
  virtual_server: new Set(['delay_loop', 'lb_algo', 'lb_kind', 'protocol', 'real_server']),
  real_server: new Set(['weight', 'TCP_CHECK']),
  // nb_get_retry is read as retry (lint asks for the new name; the role writes it)
  TCP_CHECK: new Set(['connect_port', 'connect_timeout', 'retry', 'nb_get_retry']),
};
const DATA_BLOCKS = new Set(['virtual_ipaddress']);
/** MariaDB's Connect_Retry when CHANGE MASTER names none. */
export const MARIADB_CONNECT_RETRY = '60';

const find = (nodes: KaNode[] | undefined, kw: string): KaNode | undefined => nodes?.find((n) => n.keyword === kw);
const all = (nodes: KaNode[] | undefined, kw: string): KaNode[] => nodes?.filter((n) => n.keyword === kw) ?? [];
const num = (s: string | undefined): number | undefined =>
  s !== undefined && s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : undefined;
const at = (p: SourcePos | undefined, origin: string): string => (p ? `${origin}:${p.line}` : origin);

function unexpressed(nodes: KaNode[], block: string, host: string, out: NotReproduced[]): void {
  const ok = EXPRESSIBLE[block] ?? new Set<string>();
  for (const n of nodes) {
    if (!ok.has(n.keyword)) {
      out.push({
        host,
        what: `keepalived.conf: \`${n.keyword}${n.args.length ? ` ${n.args.join(' ')}` : ''}\`${block ? ` in ${block}` : ''}: the director role's template has no setting for it`,
        pos: n.pos,
      });
      continue;
    }
    if (n.children && !DATA_BLOCKS.has(n.keyword)) unexpressed(n.children, n.keyword, host, out);
  }
}

interface Parts {
  ka: FoundKeepalived;
  reading: AdoptReading;
  vrrp: KaNode;
  priority: number;
}

export function deriveAdoption(readings: AdoptReading[], keepalived: Map<string, FoundKeepalived>): Adoption {
  const a: Adoption = {
    directors: [],
    realServers: [],
    databases: [],
    others: [],
    cluster: new Map(),
    secrets: {},
    inferred: [],
    notReproduced: [],
  };
  const set = (k: string, value: string | number | boolean | undefined, from: string): void => {
    if (value !== undefined && !a.cluster.has(k)) a.cluster.set(k, { value, from } satisfies Setting);
  };
  const byAddress = new Map(
    readings.flatMap((r) => [
      [r.address, r] as const,
      ...r.status.addresses.filter((x) => x.dev !== 'lo').map((x) => [x.address, r] as const),
    ]),
  );

  // Directors: a keepalived.conf with a vrrp_instance.
  const directors: Parts[] = [];
  for (const r of readings) {
    const ka = keepalived.get(r.host);
    const vrrp = ka ? find(ka.nodes, 'vrrp_instance') : undefined;
    if (!ka || !vrrp) continue;
    const priority = num(find(vrrp.children, 'priority')?.args[0]) ?? 100;
    directors.push({ ka, reading: r, vrrp, priority });
    const state = find(vrrp.children, 'state')?.args[0] ?? 'BACKUP';
    const routerId = find(find(ka.nodes, 'global_defs')?.children, 'router_id')?.args[0];
    const d: AdoptedDirector = {
      host: r.host,
      mode: 'keepalived',
      priority,
      state,
      ...(routerId ? { routerId } : {}),
      ...(r.keepalivedVersion ? { keepalivedVersion: r.keepalivedVersion } : {}),
    };
    a.directors.push(d);
    a.inferred.push(
      `${r.host}: director (${ka.origin} has vrrp_instance ${vrrp.args[0] ?? ''}, priority ${priority}, state ${state}; keepalived ${r.status.keepalived})`,
    );
    unexpressed(ka.nodes, '', r.host, a.notReproduced);
    for (const extra of all(ka.nodes, 'vrrp_instance').slice(1))
      a.notReproduced.push({
        host: r.host,
        what: `a second vrrp_instance (${extra.args[0] ?? ''}): the director role configures one`,
        pos: extra.pos,
      });
    for (const extra of all(ka.nodes, 'virtual_server').slice(1))
      a.notReproduced.push({
        host: r.host,
        what: `a second virtual_server (${extra.args.join(' ')}): the director role configures one`,
        pos: extra.pos,
      });
  }
  a.directors.sort((x, y) => (x.priority ?? 0) - (y.priority ?? 0));
  if (!a.directors.length) scriptDirector(readings, a, set, byAddress);

  // The cluster's settings come from the director with the highest priority (the one meant to
  // hold the VIP); where the other directors differ, lint says so (vrrp-peers-agree).
  const lead = [...directors].sort((x, y) => y.priority - x.priority)[0];
  if (lead) {
    const o = lead.ka.origin;
    const c = lead.vrrp.children ?? [];
    const get = (kw: string) => find(c, kw);
    set('vrrp_instance_name', lead.vrrp.args[0], at(lead.vrrp.pos, o));
    set('vrrp_router_id', num(get('virtual_router_id')?.args[0]), at(get('virtual_router_id')?.pos, o));
    set('vrrp_advert_int', num(get('advert_int')?.args[0]) ?? 1, at(get('advert_int')?.pos, o));
    set('lvs_interface', get('interface')?.args[0], at(get('interface')?.pos, o));
    const vips = find(c, 'virtual_ipaddress')?.children ?? [];
    const [vip, prefix] = (vips[0]?.keyword ?? '').split('/');
    // keepalived gives a VIP written without a prefix a /32
    set('lvs_vip', vip || undefined, at(vips[0]?.pos, o));
    set('lvs_vip_prefix', vip ? (num(prefix) ?? 32) : undefined, at(vips[0]?.pos, o));
    for (const v of vips.slice(1))
      a.notReproduced.push({ host: lead.reading.host, what: `VIP ${v.keyword}: the roles manage one VIP`, pos: v.pos });
    const auth = find(c, 'authentication');
    const type = find(auth?.children, 'auth_type');
    const pass = find(auth?.children, 'auth_pass');
    if (type && type.args[0] !== 'PASS')
      a.notReproduced.push({
        host: lead.reading.host,
        what: `auth_type ${type.args[0]}: the director role writes PASS authentication`,
        pos: type.pos,
      });
    // in keepalived.conf, or in the file the director role includes it from
    const files = lead.reading.status.files;
    const inConf = pass?.args[0] ? realAuthPass(files.get(KEEPALIVED_CONF) ?? '') : undefined;
    const inAuth = !inConf && auth ? realAuthPass(files.get(KEEPALIVED_AUTH) ?? '') : undefined;
    if (inConf) a.secrets.vrrp_auth_pass = { value: new Secret(inConf), from: at(pass?.pos, o) };
    else if (inAuth)
      a.secrets.vrrp_auth_pass = { value: new Secret(inAuth), from: `${lead.reading.host}:${KEEPALIVED_AUTH}` };

    const vs = find(lead.ka.nodes, 'virtual_server');
    if (vs) {
      const vc = vs.children ?? [];
      const port = num(vs.args[1]);
      set('lvs_port', port, at(vs.pos, o));
      set('lvs_protocol', find(vc, 'protocol')?.args[0] ?? 'TCP', at(find(vc, 'protocol')?.pos ?? vs.pos, o));
      set('lvs_algorithm', find(vc, 'lb_algo')?.args[0], at(find(vc, 'lb_algo')?.pos, o));
      set('lvs_delay_loop', num(find(vc, 'delay_loop')?.args[0]), at(find(vc, 'delay_loop')?.pos, o));
      const kind = find(vc, 'lb_kind');
      if (kind && kind.args[0] !== 'DR')
        a.notReproduced.push({
          host: lead.reading.host,
          what: `lb_kind ${kind.args[0]}: the director role sets up direct routing (DR) only`,
          pos: kind.pos,
        });
      const seen = new Set<string>();
      for (const rs of all(vc, 'real_server')) {
        const owner = byAddress.get(rs.args[0] ?? '');
        const check = find(rs.children, 'TCP_CHECK');
        set(
          'lvs_check_connect_timeout',
          num(find(check?.children, 'connect_timeout')?.args[0]),
          at(find(check?.children, 'connect_timeout')?.pos, o),
        );
        const retry = find(check?.children, 'retry') ?? find(check?.children, 'nb_get_retry');
        set('lvs_check_retries', num(retry?.args[0]), at(retry?.pos, o));
        const cport = num(find(check?.children, 'connect_port')?.args[0]);
        if (cport !== undefined && cport !== port)
          a.notReproduced.push({
            host: lead.reading.host,
            what: `TCP_CHECK connect_port ${cport}: the role checks the service port ${port}`,
            pos: find(check?.children, 'connect_port')?.pos,
          });
        if (!owner) {
          a.notReproduced.push({
            host: lead.reading.host,
            what: `real server ${rs.args[0]}: no host of the inventory has this address (add it to reproduce it)`,
            pos: rs.pos,
          });
          continue;
        }
        if (seen.has(owner.host)) continue;
        seen.add(owner.host);
        a.realServers.push({
          host: owner.host,
          weight: num(find(rs.children, 'weight')?.args[0]) ?? 1,
        } satisfies AdoptedRealServer);
      }
    }
    set('keepalived_config', '/etc/keepalived/keepalived.conf', o);
  }

  // Real servers: the VIP on lo. Listed in keepalived.conf or not, they are real servers.
  const vip = a.cluster.get('lvs_vip')?.value;
  for (const r of readings) {
    const onLo = r.status.addresses.find((x) => x.dev === 'lo' && !x.address.startsWith('127.'));
    if (!onLo) continue;
    if (!a.realServers.some((x) => x.host === r.host)) {
      a.realServers.push({ host: r.host, weight: 1 });
      a.notReproduced.push({
        host: r.host,
        what: `holds ${onLo.address} on lo but no director lists it as a real server: the role adds it with weight 1`,
      });
    }
    if (vip !== undefined && onLo.address !== vip)
      a.notReproduced.push({ host: r.host, what: `holds ${onLo.address} on lo, not the VIP ${vip}` });
    const arp = `arp_ignore ${r.status.sysctl['all.arp_ignore'] ?? '?'}/${r.status.sysctl['lo.arp_ignore'] ?? '?'}, arp_announce ${r.status.sysctl['all.arp_announce'] ?? '?'}/${r.status.sysctl['lo.arp_announce'] ?? '?'} (all/lo)`;
    a.inferred.push(`${r.host}: real server (${onLo.address}/${onLo.prefix} on lo, ${arp})`);
  }

  // The pages the real servers serve are theirs: the role's demo page would replace them.
  if (a.realServers.length) set('realserver_index_page', false, 'adopt: the real servers keep the pages they serve');

  // Database masters: MariaDB with the binary log on.
  const dbs = readings.filter((r) => r.mysql && r.mysql.vars.log_bin === '1');
  for (const r of dbs) {
    const m = r.mysql!;
    const d: AdoptedDatabase = { host: r.host, serverId: num(m.vars.server_id) ?? 0 };
    const offset = num(m.vars.auto_increment_offset);
    if (offset !== undefined) d.autoIncrementOffset = offset;
    a.databases.push(d);
    const master = m.slave.Master_Host
      ? `, replicating from ${m.slave.Master_Host} as ${m.slave.Master_User ?? '?'}`
      : ', replicating from nobody';
    a.inferred.push(`${r.host}: database master (MariaDB with log_bin, server_id ${d.serverId}${master})`);
    const from = `${r.host}: MariaDB`;
    set('mysql_port', num(m.vars.port), from);
    set('mysql_bind_address', m.vars.bind_address, from);
    set('mysql_auto_increment_increment', num(m.vars.auto_increment_increment), from);
    if (m.slave.Master_User) set('mysql_replication_user', m.slave.Master_User, `${r.host}: SHOW SLAVE STATUS`);
    // A retry interval someone chose is kept. MariaDB's default (60 s) is not: after a peer
    // restart (the first run restarts both) the replica would stay disconnected for up to a
    // minute; the role's 5 s applies instead (a listed change).
    if (m.slave.Connect_Retry && m.slave.Connect_Retry !== MARIADB_CONNECT_RETRY)
      set('mysql_connect_retry', num(m.slave.Connect_Retry), `${r.host}: SHOW SLAVE STATUS`);
    // The role writes its settings into the file that sets server-id now, so no second file overrides them.
    const cnf = m.configFiles.filter((f) => f.startsWith('/etc/mysql/'));
    if (cnf.length === 1) set('mysql_config', cnf[0], `${r.host}: the file setting server-id`);
    else if (cnf.length > 1)
      a.notReproduced.push({
        host: r.host,
        what: `server-id is set in several files (${cnf.join(', ')}): the role writes one (mysql_config); remove the others`,
      });
    if (m.replicationPassword && !a.secrets.mysql_replication_password)
      a.secrets.mysql_replication_password = {
        value: new Secret(m.replicationPassword),
        from: `${r.host}: master.info`,
      };
    if (m.vars.gtid_strict_mode === '1')
      a.notReproduced.push({ host: r.host, what: 'gtid_strict_mode=1: the mysql-master role does not set it' });
  }
  if (dbs.length && dbs.length !== 2)
    a.notReproduced.push({
      host: dbs[0]!.host,
      what: `${dbs.length} database masters (${dbs.map((r) => r.host).join(', ')}): the mysql-master role sets up a pair`,
    });

  // Init scripts the roles do not replace stay on the hosts and still run at boot.
  for (const r of readings) {
    for (const [path, text] of r.status.files) {
      if (text === null || !path.startsWith('/etc/init.d/')) continue;
      const name = path.slice('/etc/init.d/'.length);
      // the realserver role and the director role's script mode install their own
      if (name === 'realserver' && a.realServers.some((x) => x.host === r.host)) continue;
      if (name === 'lvs_server' && a.directors.some((x) => x.host === r.host && x.mode === 'script')) continue;
      const atBoot = r.boot.some((l) => new RegExp(`^S\\d\\d${name}$`).test(l));
      const does = whatItDoes(text, path);
      a.notReproduced.push({
        host: r.host,
        what: `${path}${atBoot ? ' (started at boot)' : ''}: no role manages it, so it stays and keeps doing what it does${does ? ` (${does})` : ''}; once the roles do its job, remove it (update-rc.d -f ${name} remove; rm ${path})`,
      });
    }
  }

  for (const r of readings) {
    const roles = [a.directors, a.realServers, a.databases].filter((l) => l.some((x) => x.host === r.host)).length;
    if (!roles) {
      a.others.push(r.host);
      a.inferred.push(
        `${r.host}: none of the cluster's parts (no vrrp_instance in keepalived.conf, no VIP on lo, no MariaDB with log_bin)`,
      );
    }
  }
  return a;
}

/**
 * No keepalived director: one host whose init script holds the VIP on its interface and programs
 * IPVS with ipvsadm (the seed's /etc/init.d/lvs_server) is a director in the role's script mode.
 */
function scriptDirector(
  readings: AdoptReading[],
  a: Adoption,
  set: (k: string, v: string | number | boolean | undefined, from: string) => void,
  byAddress: Map<string, AdoptReading>,
): void {
  const found = readings.flatMap((r) =>
    [...r.status.files].flatMap(([path, text]) => {
      if (text === null || !path.startsWith('/etc/init.d/')) return [];
      const svc = scriptModel(text, path, r.host).model.services.find((s) => s.vip && s.port !== undefined);
      const onLo = svc && r.status.addresses.some((x) => x.dev === 'lo' && x.address === svc.vip);
      return svc && !onLo ? [{ r, path, svc }] : [];
    }),
  );
  if (found.length !== 1) {
    if (found.length > 1)
      for (const f of found)
        a.notReproduced.push({
          host: f.r.host,
          what: `${f.path} programs IPVS, as on ${found.length - 1} other host(s), without keepalived: the director role's script mode is for a single director`,
        });
    return;
  }
  const { r, path, svc } = found[0]!;
  const at = (p: SourcePos | undefined) => `${r.host}:${path}${p ? `:${p.line}` : ''}`;
  a.directors.push({ host: r.host, mode: 'script' });
  a.inferred.push(`${r.host}: director without keepalived (${path} programs IPVS for ${svc.vip}:${svc.port})`);
  const held = r.status.addresses.find((x) => x.address === svc.vip && x.dev !== 'lo');
  set('lvs_director_mode', 'script', at(undefined));
  set('lvs_vip', svc.vip, at(svc.pos.vip));
  if (held) {
    set('lvs_vip_prefix', held.prefix, `${r.host}: ip addr`);
    set('lvs_interface', held.dev, `${r.host}: ip addr`);
  }
  set('lvs_port', svc.port, at(svc.pos.vip));
  set('lvs_protocol', 'TCP', at(svc.pos.vip));
  set('lvs_algorithm', svc.algorithm, at(svc.pos.algorithm));
  if (svc.kind && svc.kind !== 'DR')
    a.notReproduced.push({
      host: r.host,
      what: `${path}: forwarding ${svc.kind}: the director role sets up direct routing (DR) only`,
    });
  for (const rs of svc.realServers) {
    const owner = byAddress.get(rs.address);
    if (!owner)
      a.notReproduced.push({
        host: r.host,
        what: `${path}: real server ${rs.address}: no host of the inventory has this address (add it to reproduce it)`,
      });
    else if (!a.realServers.some((x) => x.host === owner.host))
      a.realServers.push({ host: owner.host, weight: rs.weight ?? 1 });
  }
}

/** The auth_pass of keepalived.conf's first vrrp_instance, as written in the original file. */
export function realAuthPass(text: string): string | undefined {
  return /^\s*auth_pass\s+"?([^\s"#!]+)/m.exec(text)?.[1];
}

/** What a found script does, in words (lint's script model), or nothing when it does not parse. */
function whatItDoes(text: string, path: string): string {
  try {
    return describeEffects(scriptEffects(text, path));
  } catch {
    return '';
  }
}
