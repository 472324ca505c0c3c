// Ansible's `omit`: a placeholder value; a module argument that renders to it is dropped, as if
// the task had not set it (`mode: "{{ file_mode | default(omit) }}"`).
import { createHash } from 'node:crypto';
import { isDict } from './jinja/python.js';

/** A string, as in Ansible, so it survives templating, filters and text. Unique per process. */
export const OMIT = `__omit_place_holder__${createHash('sha1').update(`${process.pid}:${Date.now()}:${Math.random()}`).digest('hex')}`;

export function isOmit(v: unknown): boolean {
  return v === OMIT;
}

/** Module arguments with every value equal to `omit` removed, in nested dicts and lists too. */
export function stripOmitted<T>(args: T): T {
  if (Array.isArray(args)) return args.filter((x) => !isOmit(x)).map(stripOmitted) as T;
  if (isDict(args)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(args)) if (!isOmit(v)) out[k] = stripOmitted(v);
    return out as T;
  }
  return args;
}
