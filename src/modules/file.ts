import { bool, choice, moduleArgs, str } from './args.js';
import { fileAttrs } from './file-attrs.js';
import type { ModuleSpec } from './types.js';

export const fileModule: ModuleSpec = {
  name: 'file',
  aliases: ['ansible.builtin.file'],
  args: moduleArgs(
    {
      path: str(),
      state: choice('file', 'directory', 'link', 'absent', 'touch').optional(),
      src: str().optional(),
      recurse: bool().optional(),
      force: bool().optional(),
      ...fileAttrs,
    },
    { dest: 'path', name: 'path' },
  ),
};
