// Every variable name some static source defines, for the undefined-variable check.
import type { AdjacentVars, Inventory } from '../inventory/index.js';
import type { Vars } from '../vars/precedence.js';

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
