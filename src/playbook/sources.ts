// copy/template/include_vars name files on the controller: a missing one is known before any
// connection, so it is reported now.
import type { SourcePos } from '../diagnostics.js';
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
  if (findSource(ctx, name, which, site)) return;
  const where = site.role ? `${site.role.path}/${which}/` : `${which}/ beside the playbook`;
  report(
    ctx,
    `${task.action}: ${key} '${name}' not found`,
    (source && valuePosOf(source, key)) ?? pos,
    `put the file in ${where} or fix the name`,
  );
}
