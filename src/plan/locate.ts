// `lvsplay run site.yaml` from anywhere in the project: a playbook not found as given is looked
// for under playbooks/ of the project root.
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** The nearest directory upward holding ansible.cfg, package.json or playbooks/. */
export function projectRootOf(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (['ansible.cfg', 'package.json', 'playbooks'].some((m) => existsSync(join(dir, m)))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

/** The playbook path to read: as given, else playbooks/<name> in the project root. */
export function locatePlaybook(name: string, cwd: string): string | undefined {
  const direct = isAbsolute(name) ? name : resolve(cwd, name);
  if (isFile(direct)) return name;
  if (isAbsolute(name)) return undefined;
  const root = projectRootOf(cwd);
  if (!root) return undefined;
  const cand = join(root, 'playbooks', name);
  if (!isFile(cand)) return undefined;
  const rel = relative(cwd, cand);
  return rel.startsWith('..') ? cand : rel;
}
