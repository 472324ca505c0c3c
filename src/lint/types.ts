// What lint produces and what its rules read. A finding always says what is wrong, why it
// matters and how to fix it, at the place of the variable (or config line) that causes it.
import type { SourcePos } from '../diagnostics.js';
import type { KeepalivedVersion } from './keepalived/versions.js';
import type { ScriptEffects } from './script-effects.js';

export type LintSeverity = 'error' | 'warning' | 'info';

export interface RuleMeta {
  id: string;
  severity: LintSeverity;
  /** One line for docs and SARIF's shortDescription. */
  title: string;
  why: string;
  fix: string;
}

export interface Finding {
  rule: string;
  severity: LintSeverity;
  /** What is wrong, naming the hosts and values involved. */
  message: string;
  why: string;
  fix: string;
  pos?: SourcePos;
}

/** Where each field of a model entity was set; rules point findings there. */
export type Places = Partial<Record<string, SourcePos>>;

export interface VrrpInstance {
  name: string;
  /** The director (inventory host or keepalived.conf file) running it. */
  owner: string;
  /** The director's own address, when known (to tell a unicast peer list naming itself). */
  ownAddress?: string;
  state?: string;
  interface?: string;
  vrid?: number;
  priority?: number;
  advertInt?: number;
  version?: number;
  nopreempt: boolean;
  authType?: string;
  authPass?: string;
  /** `address/prefix` (prefix absent when the config gives none). */
  vips: string[];
  /** The interface's own subnet as `address/prefix`, when known. */
  interfaceSubnet?: string;
  unicastSrc?: string;
  unicastPeers: string[];
  strict: boolean;
  pos: Places;
}

export interface HealthCheck {
  type: string;
  connectTimeout?: number;
  retry?: number;
  delayBeforeRetry?: number;
  connectPort?: number;
  pos: Places;
}

export interface RealServerEntry {
  address: string;
  port?: number;
  weight?: number;
  /** The inventory host this entry stands for, when it comes from the inventory. */
  host?: string;
  checks: HealthCheck[];
  pos: Places;
}

export interface VirtualService {
  owner: string;
  vip: string;
  port?: number;
  protocol?: string;
  kind?: string;
  algorithm?: string;
  delayLoop?: number;
  persistenceTimeout?: number;
  quiescent?: boolean;
  realServers: RealServerEntry[];
  pos: Places;
}

/** A real server host as its role (or init script) sets it up. */
export interface RealServerHost {
  name: string;
  address?: string;
  vip?: string;
  /** Prefix length the VIP gets on lo. */
  vipPrefix?: number;
  /** arp_ignore / arp_announce per interface name (`all`, `lo`, `eth0`...). */
  arpIgnore: Record<string, number>;
  arpAnnounce: Record<string, number>;
  /** The interface facing the clients' network, whose ARP settings matter besides `all`. */
  interface?: string;
  /** Ports its firewall accepts (undefined when not known). */
  openPorts?: number[];
  pos: Places;
}

export interface DbMaster {
  name: string;
  address?: string;
  serverId?: number;
  autoIncrementIncrement?: number;
  autoIncrementOffset?: number;
  logBin?: boolean;
  gtidStrictMode?: boolean | string;
  port?: number;
  /** Hosts (inventory names) its firewall lets reach the database port. */
  allowedClients?: string[];
  pos: Places;
}

/** A keepalived keyword as written, for the version rules. */
export interface KeywordUse {
  keyword: string;
  pos?: SourcePos;
  /** The block it is written in (`top`, `vrrp_instance`, `TCP_CHECK`, `url`...); absent when not known. */
  block?: string;
}

export interface DirectorHost {
  name: string;
  address?: string;
  pos: Places;
}

export interface ClusterModel {
  directors: DirectorHost[];
  vrrp: VrrpInstance[];
  services: VirtualService[];
  realServerHosts: RealServerHost[];
  dbMasters: DbMaster[];
  keywords: KeywordUse[];
  /** The keepalived version the directors run (decides which keywords are errors); default the newest. */
  keepalivedVersion?: KeepalivedVersion;
  /** Hosts in the real servers group (inventory names); undefined outside an inventory. */
  realServersGroup?: string[];
  /** What init scripts do (addresses, ipvsadm, sysctls...), per script; for the cross-file rules. */
  scripts?: Array<{ name: string; effects: ScriptEffects }>;
  /** Directors' peer addresses their firewall accepts VRRP from, per director. */
  vrrpAcceptFrom?: Record<string, string[]>;
}

export function emptyModel(): ClusterModel {
  return { directors: [], vrrp: [], services: [], realServerHosts: [], dbMasters: [], keywords: [] };
}
