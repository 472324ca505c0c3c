// Ansible's variable precedence, lowest first. Every loader hands its variables in as one of
// these layers; `mergeLayers` is the only place that decides who wins. Documented in the
// README's precedence table and tested row by row.

import type { SourcePos } from '../diagnostics.js';
import { keyPosOf, setPos, valuePosOf } from '../yaml/load.js';

export type Vars = Record<string, unknown>;

export const LAYERS = [
  'roleDefaults', //              role defaults/main.yml
  'inventoryFileGroupVars', //    [group:vars] in an INI file, `vars:` of a group in YAML
  'inventoryGroupVarsAll', //     group_vars/all beside the inventory
  'playbookGroupVarsAll', //      group_vars/all beside the playbook
  'inventoryGroupVars', //        group_vars/<group> beside the inventory
  'playbookGroupVars', //         group_vars/<group> beside the playbook
  'inventoryFileHostVars', //     inline host vars in the inventory file
  'inventoryHostVars', //         host_vars/<host> beside the inventory
  'playbookHostVars', //          host_vars/<host> beside the playbook
  'facts', //                     gathered facts (ansible_facts, ansible_*)
  'playVars', //                  play `vars:`
  'playVarsFiles', //             play `vars_files:`
  'roleVars', //                  role vars/main.yml
  'blockVars', //                 `vars:` of an enclosing block
  'taskVars', //                  `vars:` of the task
  'includeVars', //               include_vars
  'setFacts', //                  set_fact and register
  'roleParams', //                role params (roles: - role: x, param: y)
  'includeParams', //             include_tasks/include_role vars
  'extraVars', //                 -e (always wins)
] as const;

export type LayerName = (typeof LAYERS)[number];

/**
 * What `hostvars[h]` holds: Ansible builds it without a play or a task, so it has the inventory's
 * variables, facts, include_vars, set_fact/register and -e, but no play, role, block or task vars.
 */
export const HOSTVARS_LAYERS: ReadonlySet<LayerName> = new Set<LayerName>([
  'inventoryFileGroupVars',
  'inventoryGroupVarsAll',
  'playbookGroupVarsAll',
  'inventoryGroupVars',
  'playbookGroupVars',
  'inventoryFileHostVars',
  'inventoryHostVars',
  'playbookHostVars',
  'facts',
  'includeVars',
  'setFacts',
  'extraVars',
]);
export type VarLayers = Partial<Record<LayerName, Vars>>;

/**
 * Merges layers by precedence. Like Ansible's default `hash_behaviour = replace`, a higher layer
 * replaces a dict wholesale instead of merging into it.
 */
export function mergeLayers(layers: VarLayers): Vars {
  const out: Vars = {};
  // Keep where each winning value was written, so errors in lazily templated variables can
  // still point at their file:line.
  const places = new Map<string, SourcePos>();
  for (const name of LAYERS) {
    const l = layers[name];
    if (!l) continue;
    Object.assign(out, l);
    for (const key of Object.keys(l)) {
      const at = keyPosOf(l, key) ? valuePosOf(l, key) : undefined;
      if (at) places.set(key, at);
      else places.delete(key);
    }
  }
  const first = places.values().next();
  if (!first.done) setPos(out, first.value, places);
  return out;
}

/** Which layer gave a variable its value (for `inventory --host` and debugging). */
export function winningLayer(layers: VarLayers, key: string): LayerName | undefined {
  let found: LayerName | undefined;
  for (const name of LAYERS) if (layers[name] && Object.hasOwn(layers[name]!, key)) found = name;
  return found;
}
