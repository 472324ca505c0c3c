// Applies what group_by and add_host tasks return to the run's inventory, as Ansible's strategy
// does with their results: new hosts and groups, hosts added to groups, host variables. Later
// plays resolve their host patterns against the changed inventory (scheduler), and `groups`,
// `group_names` and `hostvars` read it from then on. A new group's group_vars/ and a new host's
// host_vars/ files (beside the inventory and the playbook) are read then, as Ansible's vars
// plugin reads them for whatever groups a host is in when its variables are asked for.
import { formatDiagnostic } from '../diagnostics.js';
import { loadAdjacentVars } from '../inventory/adjacent-vars.js';
import { notePasswords } from '../vars/password-vars.js';
import { addChildGroup, ensureGroup, ensureHost, hostsOfGroup } from '../inventory/model.js';
import type { Inventory } from '../inventory/types.js';
import type { InventoryChange } from '../modules/runtime.js';
import { newGroups, type RunContext } from './context.js';

/** Applies the changes; true when any of them changed the inventory (the task reports changed). */
export function applyInventoryChanges(run: RunContext, changes: readonly InventoryChange[]): boolean {
  const inv = run.plan.inventory;
  let changed = false;
  const made: Made = { groups: [], hosts: [] };
  for (const c of changes)
    changed = ('addHost' in c ? addHost(inv, c.addHost, made) : groupBy(inv, c.groupBy, made)) || changed;
  if (changed) {
    readAdjacentVars(run, made);
    run.groups = newGroups(run.plan);
    run.inventoryChanged = true;
  }
  return changed;
}

/** The groups and hosts the changes created, as they create them. */
interface Made {
  groups: string[];
  hosts: string[];
}

/** group_vars/ and host_vars/ of names the inventory did not have when the run was planned. */
function readAdjacentVars(run: RunContext, names: Made): void {
  if (!names.groups.length && !names.hosts.length) return;
  const { inventory, playbookVars, vault } = run.plan;
  for (const av of [...(inventory.adjacentVars ?? []), playbookVars]) {
    const r = loadAdjacentVars(av.dir, names, vault);
    for (const [, v] of [...r.vars.groupVars, ...r.vars.hostVars]) notePasswords(v, vault.revealed);
    for (const [g, v] of r.vars.groupVars) if (!av.groupVars.has(g)) av.groupVars.set(g, v);
    for (const [h, v] of r.vars.hostVars) if (!av.hostVars.has(h)) av.hostVars.set(h, v);
    for (const d of r.diagnostics) run.emit({ type: 'warning', message: formatDiagnostic(d) });
  }
}

/** A group made at run time hangs under `all`, as the inventory's own parentless groups do. */
function newGroup(inv: Inventory, name: string, made: Made): boolean {
  if (inv.groups.has(name)) return false;
  ensureGroup(inv, name);
  made.groups.push(name);
  if (name !== 'all') addChildGroup(inv, 'all', name);
  return true;
}

function addHost(inv: Inventory, a: Extract<InventoryChange, { addHost: unknown }>['addHost'], made: Made): boolean {
  let changed = false;
  if (!inv.hosts.has(a.name)) {
    ensureHost(inv, a.name, 'all');
    made.hosts.push(a.name);
    changed = true;
  }
  const host = inv.hosts.get(a.name)!;
  Object.assign(host.vars, a.vars);
  for (const g of a.groups) {
    changed = newGroup(inv, g, made) || changed;
    if (!host.groups.has(g)) {
      ensureHost(inv, a.name, g);
      changed = true;
    }
  }
  return changed;
}

function groupBy(inv: Inventory, g: Extract<InventoryChange, { groupBy: unknown }>['groupBy'], made: Made): boolean {
  let changed = false;
  for (const p of g.parents) changed = newGroup(inv, p, made) || changed;
  changed = newGroup(inv, g.group, made) || changed;
  for (const p of g.parents) {
    if (p === g.group || inv.groups.get(p)!.children.has(g.group)) continue;
    // A parent that would close a loop is left out, as Ansible's add_child_group refuses it.
    if (!addChildGroup(inv, p, g.group)) changed = true;
  }
  if (!hostsOfGroup(inv, g.group).includes(g.host)) {
    if (!inv.hosts.has(g.host)) made.hosts.push(g.host);
    ensureHost(inv, g.host, g.group);
    changed = true;
  }
  return changed;
}
