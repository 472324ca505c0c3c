// A host's inventory variables, split into the precedence layers Ansible's VariableManager
// uses, plus the `group_names` and `groups` magic variables.
import { mergeLayers, type VarLayers, type Vars } from '../vars/precedence.js';
import { groupDepths, groupsOfHost, hostsOfGroup } from './model.js';
import type { AdjacentVars, Inventory } from './types.js';

/**
 * The host's groups (without `all`) in the order their variables are applied: by depth, then
 * `ansible_group_priority`, then name, so a child group overrides its parent.
 */
export function sortedGroupsOf(inv: Inventory, host: string): string[] {
  const depth = groupDepths(inv);
  const names = [...groupsOfHost(inv, host)].filter((g) => g !== 'all');
  return names.sort((a, b) => {
    const d = (depth.get(a) ?? 0) - (depth.get(b) ?? 0);
    if (d) return d;
    const p = (inv.groups.get(a)?.priority ?? 1) - (inv.groups.get(b)?.priority ?? 1);
    if (p) return p;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

function merged(parts: Array<Vars | undefined>): Vars | undefined {
  const present = parts.filter((p): p is Vars => p !== undefined);
  if (!present.length) return undefined;
  return Object.assign({}, ...present) as Vars;
}

/** Group and host variables from group_vars/host_vars directories, as layers. */
export function adjacentLayersOf(
  dirs: readonly AdjacentVars[],
  groups: readonly string[],
  host: string,
): { groupVarsAll?: Vars; groupVars?: Vars; hostVars?: Vars } {
  const out: { groupVarsAll?: Vars; groupVars?: Vars; hostVars?: Vars } = {};
  const all = merged(dirs.map((d) => d.groupVars.get('all')));
  // Directory by directory, each applying the host's groups in order (Ansible's loop nesting).
  const byGroup = merged(dirs.flatMap((d) => groups.map((g) => d.groupVars.get(g))));
  const hostVars = merged(dirs.map((d) => d.hostVars.get(host)));
  if (all) out.groupVarsAll = all;
  if (byGroup) out.groupVars = byGroup;
  if (hostVars) out.hostVars = hostVars;
  return out;
}

/** The inventory's share of a host's variables, one precedence layer each. */
export function inventoryLayersOf(inv: Inventory, host: string): VarLayers {
  const layers: VarLayers = {};
  const h = inv.hosts.get(host);
  if (!h) return layers;
  const groups = sortedGroupsOf(inv, host);
  const fileGroupVars = merged([inv.groups.get('all')?.vars, ...groups.map((g) => inv.groups.get(g)?.vars)]);
  if (fileGroupVars) layers.inventoryFileGroupVars = fileGroupVars;
  const adj = adjacentLayersOf(inv.adjacentVars ?? [], groups, host);
  if (adj.groupVarsAll) layers.inventoryGroupVarsAll = adj.groupVarsAll;
  if (adj.groupVars) layers.inventoryGroupVars = adj.groupVars;
  layers.inventoryFileHostVars = { ...h.vars };
  if (adj.hostVars) layers.inventoryHostVars = adj.hostVars;
  return layers;
}

/** The host's variables from the inventory alone, merged as Ansible merges them. */
export function hostVarsOf(inv: Inventory, host: string): Vars {
  return mergeLayers(inventoryLayersOf(inv, host));
}

/** Ansible's `group_names`: the host's groups, sorted, without `all`. */
export function groupNamesOf(inv: Inventory, host: string): string[] {
  return [...groupsOfHost(inv, host)].filter((g) => g !== 'all').sort();
}

/** Ansible's `groups`: every group (incl. `all` and `ungrouped`) with its hosts in inventory order. */
export function groupsMap(inv: Inventory): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of inv.groups.keys()) out[name] = hostsOfGroup(inv, name);
  return out;
}
