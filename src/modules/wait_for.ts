import { choice, int, moduleArgs, str } from './args.js';
import type { ModuleSpec } from './types.js';

export const waitForModule: ModuleSpec = {
  name: 'wait_for',
  aliases: ['ansible.builtin.wait_for'],
  args: moduleArgs(
    {
      host: str().optional(),
      port: int().optional(),
      path: str().optional(),
      state: choice('started', 'stopped', 'present', 'absent', 'drained').optional(),
      search_regex: str().optional(),
      timeout: int().optional(),
      connect_timeout: int().optional(),
      delay: int().optional(),
      sleep: int().optional(),
      msg: str().optional(),
    },
    { dest: 'path' },
  ),
};
