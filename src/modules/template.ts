import { bool, moduleArgs, str } from './args.js';
import { fileAttrs } from './file-attrs.js';
import type { ModuleSpec } from './types.js';

export const templateModule: ModuleSpec = {
  name: 'template',
  aliases: ['ansible.builtin.template'],
  args: moduleArgs({
    src: str(),
    dest: str(),
    backup: bool().optional(),
    validate: str().optional(),
    force: bool().optional(),
    ...fileAttrs,
  }),
};
