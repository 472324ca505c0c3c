// slurp: a file of the host returned base64-encoded (`content`, `encoding`, `source`), as
// Ansible's slurp returns it. It reads only: the file probe's base64 content is the answer.
import type { z } from 'zod';
import { moduleArgs, str } from './args.js';
import { overlayPredicted, probeFiles, type ProbedFiles } from './fileinfo.js';
import type { PlanOutcome, StateModule } from './runtime.js';

const slurpArgs = moduleArgs({ src: str() }, { path: 'src' });

/** Ansible's answer (or its failure) for the probed file. */
export function slurpResult(src: string, probed: ProbedFiles): PlanOutcome {
  const f = probed.files[0]!;
  if (!f.exists) return { failed: `file not found: ${src}` };
  if (f.type === 'directory') return { failed: 'source is a directory and must be a file' };
  if (f.content === undefined) return { failed: `file is not readable: ${src}` };
  return { changes: [], data: { content: f.content.toString('base64'), source: src, encoding: 'base64' } };
}

export const slurpModule: StateModule<z.output<typeof slurpArgs>, ProbedFiles> = {
  name: 'slurp',
  aliases: ['ansible.builtin.slurp'],
  exec: 'state',
  args: slurpArgs,
  overlay: overlayPredicted,
  probe: (a) => probeFiles([{ path: a.src, what: { follow: true, content: true } }]),
  plan: (a, probed) => slurpResult(a.src, probed),
};
