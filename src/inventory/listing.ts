// The shapes `ansible-inventory` prints, built as plain data (and text for --graph) so the CLI
// only writes them out: --list (JSON with _meta.hostvars), --list --yaml, --graph, --host.
import { stringify, type ScalarTag, type Tags } from 'yaml';
import { isSecret } from '../secret.js';
import { UnsafeText, VaultText } from '../yaml/load.js';
import type { Inventory, Vars } from './types.js';
import { hostVarsOf } from './vars.js';

/** Variables Ansible keeps to itself and never lists (inventory_file, inventory_dir). */
const INTERNAL = new Set(['inventory_file', 'inventory_dir']);

/** Values as ansible-inventory writes them: vault text as `{__ansible_vault: ...}`, secrets masked. */
export function toPlain(v: unknown): unknown {
  if (v instanceof VaultText) return { __ansible_vault: v.ciphertext };
  if (v instanceof UnsafeText) return v.text;
  if (isSecret(v)) return v.toJSON();
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof Set) return [...v].map(toPlain);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = toPlain((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export function listedHostVars(inv: Inventory, host: string): Vars {
  const vars = hostVarsOf(inv, host);
  for (const k of INTERNAL) delete vars[k];
  return toPlain(vars) as Vars;
}

/** Group variables as `--graph --vars` shows them: the group's own plus its group_vars files. */
export function listedGroupVars(inv: Inventory, group: string): Vars {
  const g = inv.groups.get(group);
  const out: Vars = { ...(g?.vars ?? {}) };
  for (const d of inv.adjacentVars ?? []) Object.assign(out, d.groupVars.get(group) ?? {});
  if (g?.priority !== undefined && g.priority !== 1) out['ansible_group_priority'] = g.priority;
  return toPlain(out) as Vars;
}

type ListGroup = { hosts?: string[]; children?: string[] };

/** `ansible-inventory --list`. */
export function inventoryList(inv: Inventory): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  const visit = (name: string): void => {
    const g = inv.groups.get(name)!;
    const entry: ListGroup = {};
    if (name !== 'all' && g.hosts.length) entry.hosts = [...g.hosts];
    if (g.children.size) entry.children = [...g.children];
    if (entry.hosts || entry.children) out[name] = entry;
    for (const c of g.children) {
      if (!seen.has(c)) {
        visit(c);
        seen.add(c);
      }
    }
  };
  visit('all');
  const hostvars: Record<string, Vars> = {};
  for (const h of inv.hosts.keys()) {
    const vars = listedHostVars(inv, h);
    if (Object.keys(vars).length) hostvars[h] = vars;
  }
  out['_meta'] = { hostvars };
  return out;
}

/** `ansible-inventory --list --yaml`: nested groups, each host's variables at its first mention. */
export function inventoryYaml(inv: Inventory): Record<string, unknown> {
  const seen = new Set<string>();
  const visit = (name: string): Record<string, unknown> => {
    const g = inv.groups.get(name)!;
    const entry: Record<string, unknown> = {};
    const children: Record<string, unknown> = {};
    for (const c of g.children) if (c !== 'all') Object.assign(children, { [c]: visit(c) });
    if (Object.keys(children).length) entry['children'] = children;
    if (name !== 'all' && g.hosts.length) {
      const hosts: Record<string, unknown> = {};
      for (const h of g.hosts) {
        const vars = seen.has(h) ? {} : listedHostVars(inv, h);
        seen.add(h);
        hosts[h] = vars;
      }
      entry['hosts'] = hosts;
    }
    return entry;
  };
  return { all: visit('all') };
}

/** Python's str() of a value, as `--graph --vars` prints `{name = value}`. */
function pyStr(v: unknown, nested = false): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return nested ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : v;
  if (Array.isArray(v)) return `[${v.map((x) => pyStr(x, true)).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${pyStr(k, true)}: ${pyStr(x, true)}`)
      .join(', ')}}`;
  }
  return String(v);
}

function graphName(name: string, depth: number): string {
  return depth ? `${'  |'.repeat(depth)}--${name}` : name;
}

function graphVars(vars: Vars, depth: number): string[] {
  return Object.keys(vars)
    .sort()
    .map((k) => graphName(`{${k} = ${pyStr(vars[k])}}`, depth));
}

/** `ansible-inventory --graph [GROUP] [--vars]`; undefined when the group does not exist. */
export function inventoryGraph(inv: Inventory, start = 'all', withVars = false): string | undefined {
  if (!inv.groups.has(start)) return undefined;
  const lines: string[] = [];
  const visit = (name: string, depth: number): void => {
    const g = inv.groups.get(name)!;
    lines.push(graphName(`@${name}:`, depth));
    for (const c of g.children) visit(c, depth + 1);
    if (name !== 'all') {
      for (const h of g.hosts) {
        lines.push(graphName(h, depth + 1));
        if (withVars) lines.push(...graphVars(listedHostVars(inv, h), depth + 2));
      }
    }
    if (withVars) lines.push(...graphVars(listedGroupVars(inv, name), depth + 1));
  };
  visit(start, 0);
  return lines.join('\n');
}

/** JSON with keys sorted at every level and 4-space indent, as ansible-inventory writes it. */
export function sortedJson(v: unknown): string {
  const sort = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sort);
    if (typeof x === 'object' && x !== null) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) out[k] = sort((x as Record<string, unknown>)[k]);
      return out;
    }
    return x;
  };
  return JSON.stringify(sort(toPlain(v)), null, 4);
}

/**
 * YAML as ansible-inventory writes it (PyYAML: keys sorted, single quotes), in YAML 1.1 so that a
 * string such as 'no', 'yes' or 'on' stays quoted and reads back as a string, not a boolean.
 * PyYAML's booleans are YAML 1.1's without y and n, so `y` is written bare, as Ansible does.
 */
export function toYamlText(v: unknown): string {
  return stringify(toPlain(v), {
    indent: 2,
    // PyYAML writes a list under a key without indenting it.
    indentSeq: false,
    lineWidth: 0,
    version: '1.1',
    sortMapEntries: true,
    singleQuote: true,
    customTags: (tags: Tags): Tags =>
      tags.map((t) => (typeof t === 'object' && t.tag === BOOL_TAG ? ({ ...t, test: PYYAML_BOOL } as ScalarTag) : t)),
  });
}

const BOOL_TAG = 'tag:yaml.org,2002:bool';
const PYYAML_BOOL = /^(?:[Yy]es|YES|[Nn]o|NO|[Tt]rue|TRUE|[Ff]alse|FALSE|[Oo]n|ON|[Oo]ff|OFF)$/;
