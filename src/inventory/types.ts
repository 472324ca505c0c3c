// The inventory model shared by the runner, the lab and the CLI. Loaders (INI, YAML) fill it;
// patterns select from it; nothing here connects anywhere.
import type { Diagnostic, SourcePos } from '../diagnostics.js';
import type { Vars, VarLayers } from '../vars/precedence.js';

export interface InventoryHost {
  name: string;
  /** Inline host vars from the inventory source(s) (INI `host k=v`, YAML `hosts: {h: {...}}`). */
  vars: Vars;
  /** Groups that list this host directly (not through children). */
  groups: Set<string>;
  pos?: SourcePos;
}

export interface InventoryGroup {
  name: string;
  /** `[g:vars]` / YAML `vars:` of the group. */
  vars: Vars;
  /** Hosts listed directly in the group, in order of first appearance. */
  hosts: string[];
  children: Set<string>;
  parents: Set<string>;
  pos?: SourcePos;
  /** `ansible_group_priority` set in the inventory source (default 1); orders groups of equal depth. */
  priority?: number;
}

/** `group_vars/` and `host_vars/` found in one directory (beside an inventory or a playbook). */
export interface AdjacentVars {
  dir: string;
  /** Group name -> its merged variables (files of a `group_vars/<g>/` directory merged in sorted order). */
  groupVars: Map<string, Vars>;
  hostVars: Map<string, Vars>;
}

export interface Inventory {
  /** Hosts in order of first appearance across all sources. */
  hosts: Map<string, InventoryHost>;
  groups: Map<string, InventoryGroup>;
  /** Inventory sources as given (files or directories). */
  sources: string[];
  /** group_vars/host_vars beside each source, one entry per source in order (as Ansible reads them). */
  adjacentVars?: AdjacentVars[];
}

export interface InventoryLoadResult {
  inventory: Inventory;
  diagnostics: Diagnostic[];
}

export type { Vars, VarLayers };
