import { bool, choice, moduleArgs, str } from './args.js';
import type { ModuleSpec } from './types.js';

export const sysctlModule: ModuleSpec = {
  name: 'sysctl',
  aliases: ['ansible.posix.sysctl'],
  args: moduleArgs(
    {
      name: str(),
      value: str().optional(),
      state: choice('present', 'absent').optional(),
      reload: bool().optional(),
      sysctl_file: str().optional(),
      sysctl_set: bool().optional(),
      ignoreerrors: bool().optional(),
    },
    { key: 'name', val: 'value' },
  ).superRefine((a, ctx) => {
    if (a.state !== 'absent' && a.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: 'is required with state=present' });
  }),
};
