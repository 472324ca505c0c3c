// package: apt, dnf and yum behind one name (the executor detects which the host has).
import { bool, choice, given, int, list, moduleArgs, str } from './args.js';
import type { ModuleSpec } from './types.js';

export const packageArgs = moduleArgs(
  {
    name: list(),
    state: choice('present', 'installed', 'latest', 'absent', 'removed').optional(),
    update_cache: bool().optional(),
    cache_valid_time: int().optional(),
    install_recommends: bool().optional(),
    use: str().optional(),
  },
  { pkg: 'name', package: 'name', 'update-cache': 'update_cache', 'install-recommends': 'install_recommends' },
);

export const packageModule: ModuleSpec = {
  name: 'package',
  aliases: ['apt', 'dnf', 'yum', 'ansible.builtin.package', 'ansible.builtin.apt', 'ansible.builtin.dnf', 'ansible.builtin.yum'],
  args: packageArgs.superRefine((a, ctx) => {
    if (!given(a, 'name') && !a.update_cache) ctx.addIssue({ code: 'custom', path: ['name'], message: 'is required (or set update_cache: yes alone)' });
  }),
};
