// Every variable name some static source defines, for the undefined-variable check.
import { adjacentEntryNames, loadAdjacentVars } from '../inventory/adjacent-vars.js';
import type { AdjacentVars, Inventory } from '../inventory/index.js';
import type { Vars } from '../vars/precedence.js';
import type { VaultSecrets } from '../vars/vault.js';

export function knownNames(
  inv: Inventory,
  playbookVars: AdjacentVars | undefined,
  extraVars: Vars,
  fromPlaybook: Set<string>,
): Set<string> {
  const known = new Set<string>(fromPlaybook);
  const add = (v: Vars | undefined) => {
    if (v) for (const k of Object.keys(v)) known.add(k);
  };
  for (const h of inv.hosts.values()) add(h.vars);
  for (const g of inv.groups.values()) add(g.vars);
  for (const a of [...(inv.adjacentVars ?? []), ...(playbookVars ? [playbookVars] : [])]) {
    for (const v of a.groupVars.values()) add(v);
    for (const v of a.hostVars.values()) add(v);
  }
  add(extraVars);
  return known;
}

/**
 * The variables of group_vars/ and host_vars/ files that no inventory name reads yet: a playbook
 * that makes groups or hosts at run time (group_by, add_host) may make those names, and then
 * their files are read. Their errors are reported if and when that happens.
 */
export function runtimeAdjacentNames(dirs: readonly string[], vault: VaultSecrets): Set<string> {
  const known = new Set<string>();
  for (const dir of dirs) {
    const names = adjacentEntryNames(dir);
    const r = loadAdjacentVars(dir, { groups: names, hosts: names }, vault);
    for (const v of [...r.vars.groupVars.values(), ...r.vars.hostVars.values()])
      for (const k of Object.keys(v)) known.add(k);
  }
  return known;
}
