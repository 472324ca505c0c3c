// What adopt concludes from a hand-built cluster: the hosts by role with their own settings,
// the cluster's settings, the secrets it found (kept as Secrets, never printed), what the
// bundled roles cannot express, and what the first run of site.yaml will change.
import type { SourcePos } from '../diagnostics.js';
import type { Secret } from '../secret.js';

export interface AdoptedDirector {
  host: string;
  /** keepalived (VRRP), or script: a single director whose init script holds the VIP and programs IPVS. */
  mode: 'keepalived' | 'script';
  priority?: number;
  state?: string;
  routerId?: string;
  /** `keepalived --version` on the host (`2.2.7`): lint's keepalived version for it. */
  keepalivedVersion?: string;
}

export interface AdoptedRealServer {
  host: string;
  weight: number;
}

export interface AdoptedDatabase {
  host: string;
  serverId: number;
  autoIncrementOffset?: number;
}

/** A setting with where adopt read it, for the comment next to it in the written files. */
export interface Setting {
  value: string | number | boolean;
  from: string;
}

export interface NotReproduced {
  host: string;
  what: string;
  pos?: SourcePos;
}

export interface ExpectedChange {
  host: string;
  /** The bundled role's task (or handler), as check mode names it: `role : name`. */
  task: string;
  why: string;
  /** The lint rule that asks for it, when the change is a fix. */
  rule?: string;
}

export interface Adoption {
  /** Lowest VRRP priority first: the order site.yaml updates them in. */
  directors: AdoptedDirector[];
  realServers: AdoptedRealServer[];
  databases: AdoptedDatabase[];
  /** Hosts adopt found nothing of the cluster on. */
  others: string[];
  /** group_vars/all/cluster.yml: variable -> value and origin. */
  cluster: Map<string, Setting>;
  secrets: {
    vrrp_auth_pass?: { value: Secret; from: string };
    mysql_replication_password?: { value: Secret; from: string };
  };
  /** One line per host: what adopt took it for, and why. */
  inferred: string[];
  notReproduced: NotReproduced[];
}
