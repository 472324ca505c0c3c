// service: SysV init, systemd and OpenRC behind one name; `systemd` and `sysvinit` answer too
// because, for the arguments accepted here, their meaning is the same.
import { bool, choice, moduleArgs, str } from './args.js';
import type { ModuleSpec } from './types.js';

export const serviceModule: ModuleSpec = {
  name: 'service',
  aliases: [
    'systemd',
    'systemd_service',
    'sysvinit',
    'ansible.builtin.service',
    'ansible.builtin.systemd',
    'ansible.builtin.systemd_service',
    'ansible.builtin.sysvinit',
  ],
  args: moduleArgs(
    {
      name: str().optional(),
      state: choice('started', 'stopped', 'restarted', 'reloaded').optional(),
      enabled: bool().optional(),
      pattern: str().optional(),
      daemon_reload: bool().optional(),
    },
    { service: 'name', unit: 'name', 'daemon-reload': 'daemon_reload' },
  ).superRefine((a, ctx) => {
    if (a.name === undefined && !a.daemon_reload) ctx.addIssue({ code: 'custom', path: ['name'], message: 'is required' });
  }),
};
