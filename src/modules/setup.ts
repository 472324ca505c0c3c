// setup / gather_facts: one round trip reading OS, distribution, addresses, init system, IPVS.
import { bool, int, list, moduleArgs, str } from './args.js';
import type { ModuleSpec } from './types.js';

export const setupModule: ModuleSpec = {
  name: 'setup',
  aliases: ['gather_facts', 'ansible.builtin.setup', 'ansible.builtin.gather_facts'],
  args: moduleArgs({
    gather_subset: list().optional(),
    gather_timeout: int().optional(),
    filter: list().optional(),
    fact_path: str().optional(),
    parallel: bool().optional(),
  }),
};
