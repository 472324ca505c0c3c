// `--limit` for listings: a copy of the inventory that keeps only the chosen hosts (groups stay,
// as ansible-inventory --limit keeps empty groups in the tree).
import type { Inventory } from './types.js';

export function restrictInventory(inv: Inventory, keep: readonly string[]): Inventory {
  const wanted = new Set(keep);
  const hosts = new Map([...inv.hosts].filter(([name]) => wanted.has(name)));
  const groups = new Map(
    [...inv.groups].map(([name, g]) => [name, { ...g, hosts: g.hosts.filter((h) => wanted.has(h)) }] as const),
  );
  return { ...inv, hosts, groups };
}
