import { bool, choice, moduleArgs, str } from './args.js';
import { fileAttrs } from './file-attrs.js';
import type { ModuleSpec } from './types.js';

export const lineinfileModule: ModuleSpec = {
  name: 'lineinfile',
  aliases: ['ansible.builtin.lineinfile'],
  args: moduleArgs(
    {
      path: str(),
      regexp: str().optional(),
      search_string: str().optional(),
      state: choice('present', 'absent').optional(),
      line: str().optional(),
      backrefs: bool().optional(),
      insertafter: str().optional(),
      insertbefore: str().optional(),
      firstmatch: bool().optional(),
      create: bool().optional(),
      backup: bool().optional(),
      validate: str().optional(),
      ...fileAttrs,
    },
    { dest: 'path', destfile: 'path', name: 'path', regex: 'regexp', value: 'line' },
  ).superRefine((a, ctx) => {
    if (a.state !== 'absent' && a.line === undefined) ctx.addIssue({ code: 'custom', path: ['line'], message: 'is required with state=present' });
    if (a.insertafter !== undefined && a.insertbefore !== undefined)
      ctx.addIssue({ code: 'custom', path: ['insertbefore'], message: 'cannot be used together with insertafter' });
  }),
};
