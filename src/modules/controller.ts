// Modules that run on the controller only: they read variables, never a host.
import { bool, given, int, list, moduleArgs, raw, str } from './args.js';
import { z } from 'zod';
import type { ModuleSpec } from './types.js';

export const assertModule: ModuleSpec = {
  name: 'assert',
  aliases: ['ansible.builtin.assert'],
  local: true,
  args: moduleArgs({ that: list(), fail_msg: raw().optional(), success_msg: raw().optional(), quiet: bool().optional() }, { msg: 'fail_msg' }),
};

export const debugModule: ModuleSpec = {
  name: 'debug',
  aliases: ['ansible.builtin.debug'],
  local: true,
  args: moduleArgs({ msg: raw().optional(), var: str().optional(), verbosity: int().optional() }).superRefine((a, ctx) => {
    if (given(a, 'msg') && given(a, 'var')) ctx.addIssue({ code: 'custom', path: ['var'], message: 'cannot be used together with msg' });
  }),
};

export const failModule: ModuleSpec = {
  name: 'fail',
  aliases: ['ansible.builtin.fail'],
  local: true,
  args: moduleArgs({ msg: raw().optional() }),
};

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** set_fact takes any variable names; only the names themselves are checked. */
export const setFactModule: ModuleSpec = {
  name: 'set_fact',
  aliases: ['ansible.builtin.set_fact'],
  local: true,
  args: z.record(z.string(), z.unknown()).superRefine((a, ctx) => {
    for (const k of Object.keys(a)) {
      if (k === 'cacheable') continue;
      if (!IDENT.test(k)) ctx.addIssue({ code: 'custom', path: [k], message: 'is not a valid variable name (letters, digits and _, not starting with a digit)' });
    }
    if (Object.keys(a).filter((k) => k !== 'cacheable').length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'needs at least one variable to set' });
  }),
};

export const metaModule: ModuleSpec = {
  name: 'meta',
  aliases: ['ansible.builtin.meta'],
  local: true,
  freeForm: 'action',
  args: moduleArgs({
    action: z.enum(['flush_handlers', 'noop', 'refresh_inventory', 'clear_facts', 'clear_host_errors', 'end_play', 'end_host', 'end_batch', 'reset_connection'], {
      error: (i) => (i.input === undefined ? 'is required' : `must be one of flush_handlers, noop, refresh_inventory, clear_facts, clear_host_errors, end_play, end_host, end_batch, reset_connection; got '${String(i.input)}'`),
    }),
  }),
};

export const includeVarsModule: ModuleSpec = {
  name: 'include_vars',
  aliases: ['ansible.builtin.include_vars'],
  local: true,
  freeForm: 'file',
  args: moduleArgs({ file: str(), name: str().optional() }),
};
