// Applies what group_by and add_host tasks return to the run's inventory, as Ansible's strategy
// does with their results: new hosts and groups, hosts added to groups, host variables. Later
// plays resolve their host patterns against the changed inventory (scheduler), and `groups`,
// `group_names` and `hostvars` read it from then on.
import { addChildGroup, ensureGroup, ensureHost, hostsOfGroup } from '../inventory/model.js';
import type { Inventory } from '../inventory/types.js';
import type { InventoryChange } from '../modules/runtime.js';
import { newGroups, type RunContext } from './context.js';

/** Applies the changes; true when any of them changed the inventory (the task reports changed). */
export function applyInventoryChanges(run: RunContext, changes: readonly InventoryChange[]): boolean {
  const inv = run.plan.inventory;
  let changed = false;
  for (const c of changes) changed = ('addHost' in c ? addHost(inv, c.addHost) : groupBy(inv, c.groupBy)) || changed;
  if (changed) {
    run.groups = newGroups(run.plan);
    run.inventoryChanged = true;
  }
  return changed;
}

/** A group made at run time hangs under `all`, as the inventory's own parentless groups do. */
function newGroup(inv: Inventory, name: string): boolean {
  if (inv.groups.has(name)) return false;
  ensureGroup(inv, name);
  if (name !== 'all') addChildGroup(inv, 'all', name);
  return true;
}

function addHost(inv: Inventory, a: Extract<InventoryChange, { addHost: unknown }>['addHost']): boolean {
  let changed = false;
  if (!inv.hosts.has(a.name)) {
    ensureHost(inv, a.name, 'all');
    changed = true;
  }
  const host = inv.hosts.get(a.name)!;
  Object.assign(host.vars, a.vars);
  for (const g of a.groups) {
    changed = newGroup(inv, g) || changed;
    if (!host.groups.has(g)) {
      ensureHost(inv, a.name, g);
      changed = true;
    }
  }
  return changed;
}

function groupBy(inv: Inventory, g: Extract<InventoryChange, { groupBy: unknown }>['groupBy']): boolean {
  let changed = false;
  for (const p of g.parents) changed = newGroup(inv, p) || changed;
  changed = newGroup(inv, g.group) || changed;
  for (const p of g.parents) {
    if (p === g.group || inv.groups.get(p)!.children.has(g.group)) continue;
    // A parent that would close a loop is left out, as Ansible's add_child_group refuses it.
    if (!addChildGroup(inv, p, g.group)) changed = true;
  }
  if (!hostsOfGroup(inv, g.group).includes(g.host)) {
    ensureHost(inv, g.host, g.group);
    changed = true;
  }
  return changed;
}
