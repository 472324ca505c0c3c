// raw: the free form run as written by the host's shell (or `executable`), nothing else: no
// Python, no guards. It always reports changed, as Ansible's raw does; check mode cannot know
// what it would do, so it says "unknown" rather than run it.
import type { z } from 'zod';
import { sh, raw as rawShell } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { moduleArgs, str } from './args.js';
import type { StateModule } from './runtime.js';

const rawArgs = moduleArgs({ free_form: str(), executable: str().optional() }, { _raw_params: 'free_form' });

type RawArgs = z.output<typeof rawArgs>;

/** The line as it runs: the operator's own shell text, in a subshell so `exit` ends only it. */
export function rawCommand(a: { free_form: string; executable?: string | undefined }) {
  return a.executable ? sh`${a.executable} -c ${a.free_form}` : sh`( ${rawShell(a.free_form)}\n)`;
}

/** Ansible's raw result: output kept as it came (raw does not strip it), failed on a non-zero exit. */
export function rawResult(r: ExecResult | undefined): { data: Record<string, unknown>; failed?: string } {
  const rc = r?.code ?? -1;
  const stdout = r?.stdout ?? '';
  const stderr = r?.stderr ?? '';
  const lines = (s: string) => s.split(/\r?\n/).filter((l, i, all) => l !== '' || i < all.length - 1);
  const data = { rc, stdout, stderr, stdout_lines: lines(stdout), stderr_lines: lines(stderr) };
  if (r?.timedOut) return { data, failed: 'the command timed out' };
  return rc === 0 ? { data } : { data, failed: 'non-zero return code' };
}

export const rawModule: StateModule<RawArgs, undefined> = {
  name: 'raw',
  aliases: ['ansible.builtin.raw'],
  freeForm: 'free_form',
  rawFreeForm: true,
  predictable: false,
  exec: 'state',
  args: rawArgs,
  probe: () => undefined,
  plan: (a) => {
    const line = rawCommand(a);
    return { changes: [{ summary: `run: ${line.redacted}`, steps: [{ run: line, okCodes: 'any', stdin: '' }] }] };
  },
  collect: (_a, _s, applied) => rawResult(applied.at(-1)),
};
