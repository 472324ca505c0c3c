// A host's variables for a play or a task, layered as Ansible's VariableManager layers them and
// merged only by src/vars/precedence.ts.
import { adjacentLayersOf, inventoryLayersOf, sortedGroupsOf, groupNamesOf, groupsMap } from '../inventory/index.js';
import type { AdjacentVars, Inventory } from '../inventory/index.js';
import type { Block, Play, RoleInstance, Task } from '../playbook/model.js';
import { mergeLayers, type VarLayers, type Vars } from '../vars/precedence.js';

export interface VarSources {
  inventory: Inventory;
  /** group_vars/ and host_vars/ beside the playbook. */
  playbookVars?: AdjacentVars;
  extraVars: Vars;
}

const merge = (...vs: Array<Vars | undefined>): Vars => Object.assign({}, ...vs.filter(Boolean));

/**
 * The layers for `host` in `play`; with a task, its role's defaults/vars/params and the vars
 * of its blocks and of the task itself are added. Like Ansible (private_role_vars off), every
 * role's defaults and vars are visible to the whole play; the task's own role comes last.
 */
export function hostLayers(
  src: VarSources,
  play: Play,
  roles: RoleInstance[],
  host: string,
  task?: { task: Task; blocks: Block[] },
): VarLayers {
  const layers: VarLayers = { ...inventoryLayersOf(src.inventory, host) };
  const own = task?.task.role;
  layers.roleDefaults = merge(...roles.map((r) => r.defaults), own?.defaults);
  if (src.playbookVars) {
    const adj = adjacentLayersOf([src.playbookVars], sortedGroupsOf(src.inventory, host), host);
    if (adj.groupVarsAll) layers.playbookGroupVarsAll = adj.groupVarsAll;
    if (adj.groupVars) layers.playbookGroupVars = adj.groupVars;
    if (adj.hostVars) layers.playbookHostVars = adj.hostVars;
  }
  layers.playVars = { ...play.vars };
  layers.playVarsFiles = merge(...play.varsFiles.map((f) => f.vars));
  layers.roleVars = merge(...roles.map((r) => r.vars), own?.vars);
  if (task) {
    layers.blockVars = merge(...task.blocks.filter((b) => b.origin !== 'include').map((b) => b.vars));
    const includes = task.blocks.filter((b) => b.origin === 'include');
    if (includes.length) layers.includeParams = merge(...includes.map((b) => b.vars));
    layers.taskVars = { ...task.task.vars };
    if (own) layers.roleParams = { ...own.params };
  }
  layers.extraVars = { ...src.extraVars };
  return layers;
}

/** Ansible's magic variables that are known before anything runs. */
export function magicVars(
  src: VarSources,
  play: Play,
  host: string,
  playHosts: string[],
  batch: string[],
  role?: RoleInstance,
): Vars {
  const m: Vars = {
    inventory_hostname: host,
    inventory_hostname_short: host.split('.')[0],
    group_names: groupNamesOf(src.inventory, host),
    groups: groupsMap(src.inventory),
    playbook_dir: play.baseDir,
    ansible_play_name: play.name,
    ansible_play_hosts_all: playHosts,
    ansible_play_hosts: batch,
    ansible_play_batch: batch,
    play_hosts: batch,
  };
  if (role) {
    m.role_name = role.name;
    m.role_path = role.path;
  }
  return m;
}

export function hostVars(
  src: VarSources,
  play: Play,
  roles: RoleInstance[],
  host: string,
  task?: { task: Task; blocks: Block[] },
): Vars {
  return mergeLayers(hostLayers(src, play, roles, host, task));
}
