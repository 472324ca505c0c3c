// Where Ansible looks for things a task names by a relative path.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { LoadContext, TaskSite } from './context.js';

const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
const first = (cands: string[], ok: (p: string) => boolean = existsSync) => cands.find(ok);

/** An include_tasks/import_tasks file: beside the current file, in the role's tasks/, beside the playbook. */
export function findTaskFile(ctx: LoadContext, name: string, site: TaskSite): string | undefined {
  if (isAbsolute(name)) return isFile(name) ? name : undefined;
  const cands = [resolve(site.dir, name)];
  if (site.role) cands.push(join(site.role.path, 'tasks', name), join(site.role.path, name));
  cands.push(resolve(ctx.playbookDir, name));
  return first(cands, isFile);
}

/** A file or template source, searched as Ansible does: role subdir, role, task dir, playbook. */
export function findSource(
  ctx: LoadContext,
  name: string,
  subdir: 'files' | 'templates' | 'vars',
  site: TaskSite,
): string | undefined {
  if (isAbsolute(name)) return existsSync(name) ? name : undefined;
  const cands: string[] = [];
  if (site.role)
    cands.push(join(site.role.path, subdir, name), join(site.role.path, name), join(site.role.path, 'tasks', name));
  cands.push(
    resolve(site.dir, subdir, name),
    resolve(site.dir, name),
    resolve(ctx.playbookDir, subdir, name),
    resolve(ctx.playbookDir, name),
  );
  return first(cands);
}

/** main.yml, main.yaml or main (and the same for tasks_from names without an extension). */
export function findMainFile(dir: string, base = 'main'): string | undefined {
  return first(
    [join(dir, `${base}.yml`), join(dir, `${base}.yaml`), join(dir, base), join(dir, `${base}.json`)],
    isFile,
  );
}
