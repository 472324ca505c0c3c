// command and shell: a command line as free form (`command: ls -l chdir=/tmp`) or `cmd:`.
import { bool, given, list, moduleArgs, str } from './args.js';
import type { ModuleSpec } from './types.js';

const common = {
  cmd: str().optional(),
  chdir: str().optional(),
  creates: str().optional(),
  removes: str().optional(),
  stdin: str().optional(),
  stdin_add_newline: bool().optional(),
  strip_empty_ends: bool().optional(),
};

const needsCommand = (a: Record<string, unknown>, ctx: { addIssue: (i: { code: 'custom'; path: string[]; message: string }) => void }) => {
  if (!given(a, 'cmd') && !given(a, 'argv')) ctx.addIssue({ code: 'custom', path: ['cmd'], message: 'is required: give the command as free form or cmd' });
};

export const commandModule: ModuleSpec = {
  name: 'command',
  aliases: ['ansible.builtin.command'],
  freeForm: 'cmd',
  rawFreeForm: true,
  predictable: false,
  args: moduleArgs({ ...common, argv: list().optional() }, { _raw_params: 'cmd' }).superRefine(needsCommand),
};

export const shellModule: ModuleSpec = {
  name: 'shell',
  aliases: ['ansible.builtin.shell'],
  freeForm: 'cmd',
  rawFreeForm: true,
  predictable: false,
  args: moduleArgs({ ...common, executable: str().optional() }, { _raw_params: 'cmd' }).superRefine(needsCommand),
};
