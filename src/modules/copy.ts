import { bool, given, moduleArgs, raw, str } from './args.js';
import { fileAttrs } from './file-attrs.js';
import type { ModuleSpec } from './types.js';

export const copyModule: ModuleSpec = {
  name: 'copy',
  aliases: ['ansible.builtin.copy'],
  args: moduleArgs(
    {
      src: str().optional(),
      // Ansible copies non-string content as JSON; keep it raw so the executor can do the same.
      content: raw().optional(),
      dest: str(),
      backup: bool().optional(),
      validate: str().optional(),
      force: bool().optional(),
      remote_src: bool().optional(),
      ...fileAttrs,
    },
    { thirsty: 'force' },
  ).superRefine((a, ctx) => {
    if (given(a, 'src') && given(a, 'content')) ctx.addIssue({ code: 'custom', path: ['content'], message: 'cannot be used together with src' });
    if (!given(a, 'src') && !given(a, 'content')) ctx.addIssue({ code: 'custom', path: ['src'], message: 'or content is required' });
  }),
};
