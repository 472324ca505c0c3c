// What Ansible itself would run for a module name, from the list generated off the installed
// ansible-core and collections (ansible-modules.ts): the line between "lvsplay lacks this" (a
// warning at load, a failure where the task runs) and "nobody has this" (a load error).
import { ANSIBLE_MODULE_OPTIONS, ANSIBLE_MODULES, ANSIBLE_VERSIONS } from './ansible-modules.js';

/** The FQCN Ansible runs for `name`, or undefined when no installed collection has it. */
export function ansibleModuleOf(name: string): string | undefined {
  return Object.hasOwn(ANSIBLE_MODULES, name) ? ANSIBLE_MODULES[name] : undefined;
}

/** The option names (and aliases) Ansible's module `name` takes, when known. */
export function ansibleOptionsOf(name: string): readonly string[] | undefined {
  const fqcn = ansibleModuleOf(name);
  return fqcn && Object.hasOwn(ANSIBLE_MODULE_OPTIONS, fqcn) ? ANSIBLE_MODULE_OPTIONS[fqcn] : undefined;
}

/** Every module name Ansible resolves (for "did you mean"). */
export function ansibleModuleNames(): string[] {
  return Object.keys(ANSIBLE_MODULES);
}

/** "ansible-core 2.14.18", the Ansible the names were read from. */
export const ANSIBLE_CORE = `ansible-core ${ANSIBLE_VERSIONS['ansible-core']}`;
