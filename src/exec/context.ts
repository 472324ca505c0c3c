// The run's shared context and how a host's variables are put together for one task: the plan's
// layers, then facts and set_fact/register results, then Ansible's magic variables.
import { groupNamesOf, groupsMap } from '../inventory/index.js';
import type { Plan, PlannedPlay } from '../plan/load-and-plan.js';
import type { PlannedTask } from '../plan/compile.js';
import { HOSTVARS_LAYERS, mergeLayers, type LayerName, type Vars } from '../vars/precedence.js';
import { OMIT } from '../vars/omit.js';
import type { Templar } from '../vars/templar.js';
import type { ConnectionPool } from './connections.js';
import type { RunEvent } from './events.js';
import { factVars, newHostState, type HostState } from './state.js';
import type { HandlerJournal } from './journal.js';
import { generationsOf, type Generations } from './prefetch.js';
import type { Diagnostic } from '../diagnostics.js';

export interface RunContext {
  plan: Plan;
  templar: Templar;
  pool: ConnectionPool;
  hosts: Map<string, HostState>;
  emit(e: RunEvent): void;
  /** Set by Ctrl-C: no new task starts. */
  interrupted: boolean;
  /** An error that ends the run at once, as ansible-playbook's ERROR! (exit 1, no recap). */
  fatal?: Diagnostic;
  journal: HandlerJournal;
  /** Values to scrub from all output (become passwords, decrypted vault values). */
  secrets: Set<string>;
  groups: Record<string, string[]>;
  /** A group_by or add_host task changed the inventory: later plays resolve their hosts again. */
  inventoryChanged?: boolean;
  /** Counts what made every host's read-ahead stale (prefetch.ts); made on first use. */
  generations?: Generations;
}

export function hostState(run: RunContext, host: string): HostState {
  let s = run.hosts.get(host);
  if (!s) {
    s = newHostState(host, generationsOf(run));
    run.hosts.set(host, s);
  }
  return s;
}

export interface PlayPosition {
  pp: PlannedPlay;
  /** The hosts of the serial batch running now. */
  batch: string[];
}

/** Every variable a task on `host` sees. */
export function taskVars(run: RunContext, at: PlayPosition, host: string, planned?: PlannedTask): Vars {
  const vars = hostOnlyVars(run, at, host, planned);
  vars.hostvars = hostvarsOf(run, at);
  return vars;
}

function hostOnlyVars(
  run: RunContext,
  at: PlayPosition,
  host: string,
  planned?: PlannedTask,
  only?: ReadonlySet<LayerName>,
): Vars {
  const layers = at.pp.layersOf(host, planned);
  // Reading a host's variables (hostvars of a host no play has run on yet) gives it no state:
  // the recap lists only hosts that ran something, as Ansible's does.
  const hs = run.hosts.get(host) ?? newHostState(host);
  layers.facts = factVars(hs.facts);
  layers.setFacts = hs.setFacts;
  if (only) for (const name of Object.keys(layers) as LayerName[]) if (!only.has(name)) delete layers[name];
  const vars = mergeLayers(layers);
  const role = planned?.task.role;
  Object.assign(vars, {
    inventory_hostname: host,
    inventory_hostname_short: host.split('.')[0],
    group_names: run.plan.inventory.hosts.has(host) ? groupNamesOf(run.plan.inventory, host) : [],
    groups: run.groups,
    playbook_dir: at.pp.play.baseDir,
    ansible_play_name: at.pp.play.name,
    ansible_play_hosts_all: at.pp.hosts,
    ansible_play_hosts: playHosts(run, at.batch),
    ansible_play_batch: at.batch,
    play_hosts: at.batch,
    ansible_check_mode: run.plan.check,
    ansible_diff_mode: run.plan.diff,
    ansible_verbosity: run.plan.verbosity,
    omit: OMIT,
    ...(role ? { role_name: role.name, role_path: role.path } : {}),
  });
  return vars;
}

/** ansible_play_hosts of each batch, with the run's generation it was counted in. */
const playHostsOf = new WeakMap<readonly string[], { generation: number; hosts: string[] }>();

/**
 * `ansible_play_hosts`: the batch's hosts that have not failed, counted again only after a host's
 * failure or reachability changed (each bumps the run's generation), not for every task on every
 * host, which made each task cost hosts². Every host of the batch shares the one list.
 */
function playHosts(run: RunContext, batch: readonly string[]): string[] {
  const generation = generationsOf(run).vars;
  const known = playHostsOf.get(batch);
  if (known?.generation === generation) return known.hosts;
  const hosts = batch.filter((h) => !run.hosts.get(h)?.failed && !run.hosts.get(h)?.unreachable);
  playHostsOf.set(batch, { generation, hosts });
  return hosts;
}

/**
 * `hostvars`: every inventory host's variables, each computed only when a template reads it and
 * then kept for this task on this host. A Proxy over the inventory's live host list, so making
 * one costs the same whatever the number of hosts: every task on every host gets one, and a
 * property defined per host here made each task cost hosts² (500 hosts: 3.75 million getters
 * made for a 15-task play, most of its CPU and garbage).
 */
function hostvarsOf(run: RunContext, at: PlayPosition): Vars {
  const hosts = run.plan.inventory.hosts;
  const cache = new Map<string, Vars>();
  const of = (h: string): Vars => {
    let v = cache.get(h);
    if (!v) {
      v = hostOnlyVars(run, at, h, undefined, HOSTVARS_LAYERS);
      cache.set(h, v);
    }
    return v;
  };
  const isHost = (k: string | symbol): k is string => typeof k === 'string' && hosts.has(k);
  return new Proxy<Vars>(
    {},
    {
      get: (target, k) => (isHost(k) ? of(k) : Reflect.get(target, k)),
      has: (target, k) => isHost(k) || Reflect.has(target, k),
      ownKeys: () => [...hosts.keys()],
      getOwnPropertyDescriptor: (_target, k) =>
        isHost(k) ? { get: () => of(k), enumerable: true, configurable: true } : undefined,
    },
  );
}

export function newGroups(plan: Plan): Record<string, string[]> {
  return groupsMap(plan.inventory);
}
