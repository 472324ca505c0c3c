// ping: Ansible's connection test. Ansible's runs Python on the host; lvsplay's targets need no
// Python, so it proves what lvsplay needs instead: a login, a shell and (with become) the
// become method, by one round trip. `data: crash` fails the task, as Ansible's does.
import type { z } from 'zod';
import { sh } from '../transport/quote.js';
import { moduleArgs, str } from './args.js';
import type { HostActionModule } from './runtime.js';

const pingArgs = moduleArgs({ data: str().optional() });

export const pingModule: HostActionModule<z.output<typeof pingArgs>> = {
  name: 'ping',
  aliases: ['ansible.builtin.ping'],
  exec: 'action',
  args: pingArgs,
  async run(a, ctx) {
    const data = a.data ?? 'pong';
    if (data === 'crash') return { status: 'failed', changes: [], warnings: [], msg: 'boom' };
    if (!ctx.transport)
      return { status: 'failed', changes: [], warnings: [], msg: 'ping needs a connection to the host' };
    const cmd = sh`echo pong`;
    const r = await ctx.transport.run(cmd, ctx.runOpts);
    if (r.code !== 0 || r.stdout.trim() !== 'pong')
      return {
        status: 'failed',
        changes: [],
        warnings: [],
        msg: `the host's shell did not answer: exit ${r.code ?? r.signal ?? 'none'}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ''}`,
        commands: [cmd.redacted],
      };
    return { status: 'ok', changes: [], warnings: [], data: { ping: data }, commands: [cmd.redacted] };
  },
};
