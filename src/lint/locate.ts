// Where a host's variable was set. The merged variables keep no positions once layers are
// combined, so this walks the original sources in Ansible's precedence order (role defaults,
// inventory group vars, group_vars/, the host line, host_vars/, role vars) and returns the
// place of the one that wins.
import { dirname } from 'node:path';
import type { SourcePos } from '../diagnostics.js';
import { findVarsFiles, loadVarsFile, sortedGroupsOf, type Inventory, type Vars } from '../inventory/index.js';
import type { RoleInstance } from '../playbook/model.js';
import type { VaultSecrets } from '../vars/vault.js';
import { keyPosOf, posOf } from '../yaml/load.js';

export type Locate = (host: string, key: string) => SourcePos | undefined;

export function makeLocator(
  inv: Inventory,
  playbookPath: string,
  rolesOf: (host: string) => RoleInstance[],
  vault: VaultSecrets,
): Locate {
  const files = new Map<string, Vars | undefined>();
  const read = (path: string): Vars | undefined => {
    if (!files.has(path)) files.set(path, loadVarsFile(path, vault).vars);
    return files.get(path);
  };
  const dirs = [...(inv.adjacentVars ?? []).map((a) => a.dir), dirname(playbookPath)];
  const adjacent = (sub: string, name: string): Vars[] =>
    dirs.flatMap((d) => findVarsFiles(`${d}/${sub}`, name).map(read)).filter((v): v is Vars => !!v);

  return (host, key) => {
    const groups = sortedGroupsOf(inv, host);
    const roles = rolesOf(host);
    const candidates: Vars[] = [
      ...roles.map((r) => r.defaults),
      ...['all', ...groups].map((g) => inv.groups.get(g)?.vars).filter((v): v is Vars => !!v),
      ...adjacent('group_vars', 'all'),
      ...groups.flatMap((g) => adjacent('group_vars', g)),
      ...(inv.hosts.get(host) ? [inv.hosts.get(host)!.vars] : []),
      ...adjacent('host_vars', host),
      ...roles.map((r) => r.vars),
    ];
    for (let i = candidates.length - 1; i >= 0; i--) {
      const c = candidates[i]!;
      if (Object.hasOwn(c, key)) return keyPosOf(c, key) ?? posOf(c);
    }
    return undefined;
  };
}
