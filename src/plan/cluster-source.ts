// Where status, verify and graph read the cluster from: the inventories and the playbook that
// applies the bundled roles, loaded exactly as `lvsplay run` loads them.
import { loadAndPlan, type Plan, type RunOptions } from './load-and-plan.js';

export const SITE_PLAYBOOK = 'playbooks/site.yaml';

export interface ClusterSource {
  inventory?: string[];
  /** The playbook whose plays apply the cluster roles; site.yaml by default. */
  playbook?: string;
  vaultPasswordFile?: string[];
  cwd?: string;
}

/** The plan `run` would make of the cluster's playbook; `extra` adds run options (limit, check). */
export function planOf(src: ClusterSource, extra: Omit<RunOptions, 'playbook'> = {}): Plan {
  return loadAndPlan({
    ...extra,
    playbook: src.playbook ?? SITE_PLAYBOOK,
    ...(src.inventory?.length ? { inventory: src.inventory } : {}),
    ...(src.vaultPasswordFile?.length ? { vaultPasswordFile: src.vaultPasswordFile } : {}),
    ...(src.cwd ? { cwd: src.cwd } : {}),
  });
}
