// Building an Inventory the way Ansible's InventoryData does: the implicit `all` and
// `ungrouped` groups, group edges that refuse cycles, and the reconcile step that hangs
// parentless groups under `all` and groupless hosts under `ungrouped`.
import type { SourcePos } from '../diagnostics.js';
import type { Inventory, InventoryGroup, InventoryHost } from './types.js';

export function emptyInventory(sources: string[] = []): Inventory {
  const inv: Inventory = { hosts: new Map(), groups: new Map(), sources, adjacentVars: [] };
  ensureGroup(inv, 'all');
  ensureGroup(inv, 'ungrouped');
  addChildGroup(inv, 'all', 'ungrouped');
  return inv;
}

export function ensureGroup(inv: Inventory, name: string, pos?: SourcePos): InventoryGroup {
  let g = inv.groups.get(name);
  if (!g) {
    g = { name, vars: {}, hosts: [], children: new Set(), parents: new Set() };
    if (pos) g.pos = pos;
    inv.groups.set(name, g);
  }
  return g;
}

/**
 * Adds a host (once; like Ansible, a port given on a later mention is ignored) and lists it
 * directly in `group` when one is given.
 */
export function ensureHost(inv: Inventory, name: string, group?: string, port?: number, pos?: SourcePos): InventoryHost {
  let h = inv.hosts.get(name);
  if (!h) {
    h = { name, vars: {}, groups: new Set() };
    if (pos) h.pos = pos;
    if (port !== undefined) h.vars['ansible_port'] = port;
    inv.hosts.set(name, h);
  }
  if (group !== undefined) {
    const g = ensureGroup(inv, group);
    if (!h.groups.has(group)) {
      h.groups.add(group);
      g.hosts.push(name);
    }
  }
  return h;
}

/** Ansible replaces a dict-valued var wholesale (hash_behaviour=replace); priority is not a var. */
export function setGroupVar(g: InventoryGroup, key: string, value: unknown): void {
  if (key === 'ansible_group_priority') {
    const n = Number(value);
    if (Number.isInteger(n)) g.priority = n;
    return;
  }
  g.vars[key] = value;
}

/** Groups above `name` (not including it). */
export function ancestorsOf(inv: Inventory, name: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(inv.groups.get(name)?.parents ?? [])];
  while (stack.length) {
    const g = stack.pop()!;
    if (seen.has(g)) continue;
    seen.add(g);
    stack.push(...(inv.groups.get(g)?.parents ?? []));
  }
  return seen;
}

/**
 * Makes `child` a child group of `parent`. Returns the loop the edge would close, e.g.
 * ['c', 'a', 'b', 'c'] for parent c and child a, instead of adding it.
 */
export function addChildGroup(inv: Inventory, parent: string, child: string): string[] | undefined {
  const p = ensureGroup(inv, parent);
  const c = ensureGroup(inv, child);
  if (p.children.has(child)) return undefined;
  if (parent === child) return [parent, child];
  if (ancestorsOf(inv, parent).has(child)) return [parent, ...pathDown(inv, child, parent)];
  p.children.add(child);
  c.parents.add(parent);
  return undefined;
}

/** A path of child edges from `from` down to `to` (both included), used to name a loop. */
function pathDown(inv: Inventory, from: string, to: string): string[] {
  const prev = new Map<string, string>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length) {
    const g = queue.shift()!;
    if (g === to) break;
    for (const k of inv.groups.get(g)?.children ?? []) {
      if (seen.has(k)) continue;
      seen.add(k);
      prev.set(k, g);
      queue.push(k);
    }
  }
  const path = [to];
  for (let g = to; g !== from && prev.has(g); ) {
    g = prev.get(g)!;
    path.unshift(g);
  }
  return path;
}

/** Ansible's reconcile_inventory: run once after every source has been read. */
export function reconcile(inv: Inventory): void {
  for (const g of inv.groups.values()) {
    if (g.name !== 'all' && g.parents.size === 0) addChildGroup(inv, 'all', g.name);
  }
  const ungrouped = inv.groups.get('ungrouped')!;
  for (const h of inv.hosts.values()) {
    const others = [...h.groups].filter((g) => g !== 'all' && g !== 'ungrouped');
    if (h.groups.has('ungrouped')) {
      if (others.length) {
        h.groups.delete('ungrouped');
        ungrouped.hosts = ungrouped.hosts.filter((n) => n !== h.name);
      }
    } else if (others.length === 0) {
      h.groups.add('ungrouped');
      ungrouped.hosts.push(h.name);
    }
  }
}

/** Distance from `all` along the longest parent chain, as Ansible's Group.depth. */
export function groupDepths(inv: Inventory): Map<string, number> {
  const depth = new Map<string, number>();
  const visit = (name: string, onPath: Set<string>): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const g = inv.groups.get(name);
    let d = 0;
    if (g && name !== 'all' && !onPath.has(name)) {
      onPath.add(name);
      for (const p of g.parents) d = Math.max(d, visit(p, onPath) + 1);
      onPath.delete(name);
    }
    depth.set(name, d);
    return d;
  };
  for (const name of inv.groups.keys()) visit(name, new Set());
  return depth;
}

/** Every group a host belongs to, directly or through parents (including `all`). */
export function groupsOfHost(inv: Inventory, host: string): Set<string> {
  const h = inv.hosts.get(host);
  const out = new Set<string>();
  if (!h) return out;
  for (const g of h.groups) {
    out.add(g);
    for (const a of ancestorsOf(inv, g)) out.add(a);
  }
  out.add('all');
  return out;
}

/**
 * Hosts of a group and its descendants in Ansible's order: the group's own hosts, then those of
 * its children, then of each deeper level (Ansible walks a level as a Python set, so its order
 * inside a level of grandchildren is arbitrary; ours is the order the groups were declared).
 */
export function hostsOfGroup(inv: Inventory, name: string): string[] {
  const ordered = [name];
  const seen = new Set(ordered);
  for (let i = 0; i < ordered.length; i++) {
    for (const k of inv.groups.get(ordered[i]!)?.children ?? []) {
      if (!seen.has(k)) {
        seen.add(k);
        ordered.push(k);
      }
    }
  }
  const out: string[] = [];
  const listed = new Set<string>();
  for (const g of ordered) {
    for (const h of inv.groups.get(g)?.hosts ?? []) {
      if (!listed.has(h)) {
        listed.add(h);
        out.push(h);
      }
    }
  }
  return out;
}
