// The cluster as the inventory and the bundled roles describe it: each host's variables are
// those of the play that applies its role in the playbook (role defaults included), rendered
// the way the roles' templates would render them. Values the templates hard-code (lb_kind DR,
// PASS authentication, the VIP on lo as /32, log-bin) are set here as the templates set them.
import type { SourcePos } from '../diagnostics.js';
import { groupNamesOf, groupsMap, hostVarsOf } from '../inventory/index.js';
import type { Plan, PlannedPlay } from '../plan/load-and-plan.js';
import { revealIfSecret } from '../secret.js';
import { createTemplar } from '../vars/templar.js';
import type { Vars } from '../vars/precedence.js';
import { makeLocator } from './locate.js';
import { emptyModel, type ClusterModel, type DbMaster, type RealServerHost, type VrrpInstance } from './types.js';

export interface HostView {
  /** A variable's rendered value, or undefined when unset or not renderable before running. */
  get(key: string): unknown;
  pos(key: string): SourcePos | undefined;
}

const asNumber = (v: unknown): number | undefined => {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};
const asString = (v: unknown): string | undefined =>
  v === undefined || v === null ? undefined : String(revealIfSecret(v));
const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

export interface InventoryCluster {
  model: ClusterModel;
  /** Every host's view, for the per-host `lvsplay_lint_disable`. */
  views: Map<string, HostView>;
}

export function modelFromPlan(plan: Plan): InventoryCluster {
  const inv = plan.inventory;
  const groups = groupsMap(inv);
  const templar = createTemplar({ vault: plan.vault });
  const playOf = (host: string, role: string): PlannedPlay | undefined =>
    plan.plays.find((p) => p.hosts.includes(host) && p.compiled.roles.some((r) => r.name === role));
  const anyPlayOf = (host: string): PlannedPlay | undefined => plan.plays.find((p) => p.hosts.includes(host));
  const locate = makeLocator(inv, plan.playbookPath, (h) => anyPlayOf(h)?.compiled.roles ?? [], plan.vault);

  const views = new Map<string, HostView>();
  const viewOf = (host: string, role?: string): HostView => {
    const cacheKey = `${host}\u0000${role ?? ''}`;
    const cached = views.get(cacheKey);
    if (cached) return cached;
    const play = (role ? playOf(host, role) : undefined) ?? anyPlayOf(host);
    const vars: Vars = {
      ...(play ? play.varsOf(host) : hostVarsOf(inv, host)),
      inventory_hostname: host,
      inventory_hostname_short: host.split('.')[0],
      groups,
      group_names: groupNamesOf(inv, host),
    };
    const scope = templar.templateVars(vars);
    const view: HostView = {
      get(key) {
        try {
          return scope[key];
        } catch {
          return undefined; // a value only known at run time (facts, registered results)
        }
      },
      pos: (key) => locate(host, key),
    };
    views.set(cacheKey, view);
    if (!views.has(host)) views.set(host, view);
    return view;
  };

  const model = emptyModel();
  const hostsWithRole = (role: string): string[] => [...inv.hosts.keys()].filter((h) => playOf(h, role));
  const addressOf = (h: string): string => asString(viewOf(h).get('ansible_host')) ?? h;
  const directors = hostsWithRole('director');
  const realServers = hostsWithRole('realserver');
  const databases = hostsWithRole('mysql-master');

  model.vrrpAcceptFrom = {};
  for (const d of directors) {
    const v = viewOf(d, 'director');
    const address = addressOf(d);
    model.directors.push({ name: d, address, pos: { name: inv.hosts.get(d)?.pos } });
    if (asString(v.get('lvs_director_mode')) === 'script') continue; // one director, no VRRP
    const prefix = asNumber(v.get('lvs_vip_prefix'));
    const vip = asString(v.get('lvs_vip'));
    const pass = asString(v.get('vrrp_auth_pass'));
    const inst: VrrpInstance = {
      name: asString(v.get('vrrp_instance_name')) ?? 'VI_1',
      owner: d,
      ownAddress: address,
      nopreempt: false,
      vips: vip ? [`${vip}/${prefix ?? 32}`] : [],
      unicastPeers: [],
      strict: false,
      pos: {
        name: v.pos('vrrp_instance_name'),
        state: v.pos('vrrp_state'),
        interface: v.pos('lvs_interface'),
        vrid: v.pos('vrrp_router_id'),
        priority: v.pos('vrrp_priority'),
        advertInt: v.pos('vrrp_advert_int'),
        vips: v.pos('lvs_vip'),
        authType: v.pos('vrrp_auth_pass'),
        authPass: v.pos('vrrp_auth_pass'),
        ownAddress: v.pos('ansible_host') ?? inv.hosts.get(d)?.pos,
      },
    };
    const set = <K extends keyof VrrpInstance>(field: K, value: VrrpInstance[K] | undefined): void => {
      if (value !== undefined) inst[field] = value;
    };
    set('state', asString(v.get('vrrp_state')));
    set('interface', asString(v.get('lvs_interface')));
    set('vrid', asNumber(v.get('vrrp_router_id')));
    set('priority', asNumber(v.get('vrrp_priority')));
    set('advertInt', asNumber(v.get('vrrp_advert_int')));
    // The template always writes PASS authentication with vrrp_auth_pass.
    if (pass !== undefined) {
      inst.authType = 'PASS';
      inst.authPass = pass;
    }
    // The role treats ansible_host as the director's address on the VRRP segment (its firewall
    // accepts adverts from it), and the VIP's prefix as that segment's.
    if (prefix !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(address)) inst.interfaceSubnet = `${address}/${prefix}`;
    model.vrrp.push(inst);
    model.vrrpAcceptFrom[d] = directors.filter((o) => o !== d).map(addressOf);

    const rsGroup = asString(v.get('lvs_realservers_group')) ?? 'realservers';
    const port = asNumber(v.get('lvs_port'));
    const healthUrl = asString(v.get('lvs_health_url'));
    model.realServersGroup = [...(groups[rsGroup] ?? []), ...(groups[rsGroup] ?? []).map(addressOf)];
    model.services.push({
      owner: d,
      vip: vip ?? '',
      ...(port !== undefined ? { port } : {}),
      kind: 'DR',
      ...(asString(v.get('lvs_protocol')) ? { protocol: asString(v.get('lvs_protocol'))! } : {}),
      ...(asString(v.get('lvs_algorithm')) ? { algorithm: asString(v.get('lvs_algorithm'))! } : {}),
      ...(asNumber(v.get('lvs_delay_loop')) !== undefined ? { delayLoop: asNumber(v.get('lvs_delay_loop'))! } : {}),
      pos: {
        vip: v.pos('lvs_vip'),
        port: v.pos('lvs_port'),
        algorithm: v.pos('lvs_algorithm'),
        delayLoop: v.pos('lvs_delay_loop'),
      },
      // with a health URL the role adds inhibit_on_failure: a failed real server stays at weight 0
      ...(healthUrl ? { quiescent: true } : {}),
      realServers: (groups[rsGroup] ?? []).map((rs) => {
        const rv = viewOf(rs, 'realserver');
        const weight = asNumber(rv.get('lvs_weight')) ?? asNumber(v.get('lvs_default_weight')) ?? 1;
        const connectTimeout = asNumber(v.get('lvs_check_connect_timeout'));
        const retry = asNumber(v.get('lvs_check_retries'));
        return {
          address: addressOf(rs),
          host: rs,
          ...(port !== undefined ? { port } : {}),
          weight,
          checks: [
            {
              // the director role's template: an HTTP_GET of the health URL when one is set
              type: healthUrl ? 'HTTP_GET' : 'TCP_CHECK',
              ...(connectTimeout !== undefined ? { connectTimeout } : {}),
              ...(retry !== undefined ? { retry } : {}),
              pos: { connectTimeout: v.pos('lvs_check_connect_timeout'), retry: v.pos('lvs_check_retries') },
            },
          ],
          pos: {
            address: rv.pos('ansible_host') ?? inv.hosts.get(rs)?.pos,
            weight: rv.pos('lvs_weight') ?? v.pos('lvs_default_weight'),
            port: v.pos('lvs_port'),
          },
        };
      }),
    });
  }

  for (const r of realServers) {
    const v = viewOf(r, 'realserver');
    const ignore = asNumber(v.get('realserver_arp_ignore'));
    const announce = asNumber(v.get('realserver_arp_announce'));
    const port = asNumber(v.get('lvs_port'));
    // The role's init script sets both values on lo and all, and the VIP on lo as /32.
    const host: RealServerHost = {
      name: r,
      address: addressOf(r),
      vipPrefix: 32,
      arpIgnore: ignore === undefined ? {} : { lo: ignore, all: ignore },
      arpAnnounce: announce === undefined ? {} : { lo: announce, all: announce },
      ...(port !== undefined ? { openPorts: [port] } : {}),
      pos: {
        name: inv.hosts.get(r)?.pos,
        vip: v.pos('lvs_vip'),
        arpIgnore: v.pos('realserver_arp_ignore'),
        arpAnnounce: v.pos('realserver_arp_announce'),
        openPorts: v.pos('lvs_port'),
      },
    };
    const vip = asString(v.get('lvs_vip'));
    if (vip) host.vip = vip;
    model.realServerHosts.push(host);
  }

  for (const db of databases) {
    const v = viewOf(db, 'mysql-master');
    const entry: DbMaster = {
      name: db,
      address: addressOf(db),
      logBin: true, // the role's replication.cnf always sets log-bin
      allowedClients: [
        asString(v.get('mysql_peer')),
        ...asList(groups[asString(v.get('mysql_clients_group')) ?? '']),
      ].filter((x): x is string => !!x),
      pos: {
        name: inv.hosts.get(db)?.pos,
        serverId: v.pos('mysql_server_id'),
        autoIncrementIncrement: v.pos('mysql_auto_increment_increment'),
        autoIncrementOffset: v.pos('mysql_auto_increment_offset'),
        allowedClients: v.pos('mysql_clients_group'),
      },
    };
    const set = <K extends keyof DbMaster>(field: K, value: DbMaster[K] | undefined): void => {
      if (value !== undefined) entry[field] = value;
    };
    set('serverId', asNumber(v.get('mysql_server_id')));
    set('autoIncrementIncrement', asNumber(v.get('mysql_auto_increment_increment')));
    set('autoIncrementOffset', asNumber(v.get('mysql_auto_increment_offset')));
    set('port', asNumber(v.get('mysql_port')));
    model.dbMasters.push(entry);
  }
  return { model, views };
}
