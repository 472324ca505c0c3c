// copy/template/include_vars name files on the controller: a missing one is known before any
// connection, so it is reported now.
import { readFileSync } from 'node:fs';
import type { SourcePos } from '../diagnostics.js';
import { checkTemplateFile, templateIncludeDirs } from '../vars/template-check.js';
import { isTemplated } from '../modules/args.js';
import { valuePosOf } from '../yaml/load.js';
import { report, type LoadContext, type TaskSite } from './context.js';
import type { Task } from './model.js';
import { findSource } from './paths.js';

export function checkSourceFile(
  ctx: LoadContext,
  task: Task,
  site: TaskSite,
  pos: SourcePos,
  source: object | undefined,
): void {
  const which =
    task.action === 'template'
      ? 'templates'
      : task.action === 'copy'
        ? 'files'
        : task.action === 'include_vars'
          ? 'vars'
          : undefined;
  if (!which) return;
  const key = which === 'vars' ? 'file' : 'src';
  const name = task.args[key];
  if (typeof name !== 'string' || isTemplated(name) || task.args.remote_src === true) return;
  const found = findSource(ctx, name, which, site);
  if (found) {
    if (which === 'templates') checkTemplateOnce(ctx, found, site);
    return;
  }
  const where = site.role ? `${site.role.path}/${which}/` : `${which}/ beside the playbook`;
  report(
    ctx,
    `${task.action}: ${key} '${name}' not found`,
    (source && valuePosOf(source, key)) ?? pos,
    `put the file in ${where} or fix the name`,
  );
}

const checkedTemplates = new WeakMap<LoadContext, Set<string>>();

/** The template file a task renders, checked once per load (tasks often share one). */
function checkTemplateOnce(ctx: LoadContext, path: string, site: TaskSite): void {
  const seen = checkedTemplates.get(ctx) ?? new Set<string>();
  checkedTemplates.set(ctx, seen);
  if (seen.has(path)) return;
  seen.add(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return; // unreadable: the run reports it with the host
  }
  const bases = [...(site.role ? [site.role.path] : []), ctx.playbookDir];
  ctx.diagnostics.push(...checkTemplateFile(path, text, templateIncludeDirs(path, bases)));
}
