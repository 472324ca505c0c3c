import { bool, choice, moduleArgs, str } from './args.js';
import { fileAttrs } from './file-attrs.js';
import type { ModuleSpec } from './types.js';

export const blockinfileModule: ModuleSpec = {
  name: 'blockinfile',
  aliases: ['ansible.builtin.blockinfile'],
  args: moduleArgs(
    {
      path: str(),
      block: str().optional(),
      state: choice('present', 'absent').optional(),
      marker: str().optional(),
      marker_begin: str().optional(),
      marker_end: str().optional(),
      insertafter: str().optional(),
      insertbefore: str().optional(),
      create: bool().optional(),
      backup: bool().optional(),
      validate: str().optional(),
      append_newline: bool().optional(),
      prepend_newline: bool().optional(),
      ...fileAttrs,
    },
    { dest: 'path', destfile: 'path', name: 'path', content: 'block' },
  ),
};
