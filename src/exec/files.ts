// Where a task's `src:` is looked for on the controller, as Ansible does: the role's files/ or
// templates/ directory, then beside the task file, then the playbook's directory.
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

export function findInPaths(
  kind: 'files' | 'templates',
  name: string,
  searchPath: readonly string[],
): string | undefined {
  if (isAbsolute(name)) return existsSync(name) ? name : undefined;
  for (const base of searchPath) {
    for (const p of [join(base, kind, name), join(base, name)]) if (existsSync(p)) return p;
  }
  return undefined;
}
