// template: renders a controller template with the host's variables, then writes it as copy
// does. A render error fails the task with the template's own file:line.
import { overlayPredicted } from './fileinfo.js';
import { statSync } from 'node:fs';
import { formatDiagnostic, LvsplayError } from '../diagnostics.js';
import type { z } from 'zod';
import { Secret, type Revealed } from '../secret.js';
import { bool, moduleArgs, str } from './args.js';
import { collectWrite, planContentWrite, probeDest } from './copy.js';
import { fileAttrs } from './file-attrs.js';
import type { ProbedFiles } from './fileinfo.js';
import type { ModuleContext, PlanOutcome, StateModule } from './runtime.js';

const templateArgs = moduleArgs({
  src: str(),
  dest: str(),
  backup: bool().optional(),
  validate: str().optional(),
  force: bool().optional(),
  follow: bool().optional(),
  ...fileAttrs,
});

type TemplateArgs = Revealed<z.output<typeof templateArgs>>;

function planTemplate(a: TemplateArgs, probed: ProbedFiles, ctx: ModuleContext): PlanOutcome {
  const path = ctx.findFile('templates', a.src);
  if (!path)
    return {
      failed: `Could not find or access '${a.src}' on the controller (looked in templates/ of the role and beside the playbook)`,
    };
  let rendered: string | Secret;
  try {
    rendered = ctx.templar.renderFile(path, ctx.vars);
  } catch (e) {
    if (e instanceof LvsplayError) return { failed: e.diagnostics.map(formatDiagnostic).join('\n') };
    throw e;
  }
  const secret = rendered instanceof Secret;
  const text = rendered instanceof Secret ? rendered.reveal() : rendered;
  // Ansible's copy step gets the template's name as src; dest-as-directory uses its basename.
  return planContentWrite(a, probed, {
    content: Buffer.from(text),
    sourceMode: statSync(path).mode & 0o7777,
    afterHeader: a.src,
    secret,
  });
}

export const templateModule: StateModule<z.output<typeof templateArgs>, ProbedFiles> = {
  name: 'template',
  aliases: ['ansible.builtin.template'],
  exec: 'state',
  args: templateArgs,
  overlay: overlayPredicted,
  probe: (a, ctx) => probeDest(a, ctx),
  plan: planTemplate,
  collect: collectWrite,
};
