// YAML (and JSON) inventories as Ansible's yaml plugin reads them: top-level keys are groups,
// each with optional `hosts`, `vars` and `children` maps; host keys may carry ranges and ports.
import { diag, type Diagnostic, type SourcePos } from '../diagnostics.js';
import { isNumericKey, keyPosOf, posOf, valuePosOf } from '../yaml/load.js';
import { addChildGroup, ensureGroup, ensureHost, setGroupVar } from './model.js';
import { expandHostEntry, HostRangeError } from './ranges.js';
import type { Inventory } from './types.js';

const SECTIONS = ['vars', 'children', 'hosts'] as const;

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'nothing';
  return typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}

/** Whether a parsed YAML document has the shape of an inventory (a mapping, not a plugin config). */
export function looksLikeYamlInventory(value: unknown): boolean {
  return isMap(value) && !('plugin' in value);
}

/** Reads a parsed YAML inventory into `inv`, returning every problem found. */
export function parseYamlInventory(value: unknown, file: string, inv: Inventory): Diagnostic[] {
  const ds: Diagnostic[] = [];
  const top: SourcePos = { file, line: 1, col: 1 };
  if (!isMap(value)) {
    ds.push(diag(`a YAML inventory must be a mapping of group names, found ${typeName(value)}`, posOf(value) ?? top, 'start with `all:` and list hosts under `hosts:`'));
    return ds;
  }
  if ('plugin' in value) {
    ds.push(
      diag(
        `inventory plugin configuration (plugin: ${String(value['plugin'])}) is not supported`,
        keyPosOf(value, 'plugin') ?? top,
        'write a static YAML or INI inventory (ansible-inventory --list -y can export one)',
      ),
    );
    return ds;
  }
  for (const name of Object.keys(value)) parseGroup(name, value[name], value, ds, inv);
  return ds;
}

function parseGroup(name: string, data: unknown, holder: Record<string, unknown>, ds: Diagnostic[], inv: Inventory): string | undefined {
  const where = keyPosOf(holder, name);
  if (data !== null && !isMap(data)) {
    ds.push(
      diag(`group '${name}' is ${typeName(data)}, not a mapping; Ansible skips it`, valuePosOf(holder, name) ?? where, 'give the group `hosts:`, `vars:` or `children:` maps', 'warning'),
    );
    return undefined;
  }
  const g = ensureGroup(inv, name, where);
  if (data === null) return name;
  for (const section of SECTIONS) {
    if (typeof data[section] === 'string') data[section] = { [data[section] as string]: null };
    const v = data[section];
    if (section in data && v !== null && !isMap(v)) {
      const hint =
        section === 'hosts' && Array.isArray(v)
          ? 'write hosts as a mapping: `hosts:` then one `name:` per line (a trailing colon, no dash)'
          : `write \`${section}:\` as a mapping`;
      ds.push(diag(`'${section}' of group '${name}' must be a mapping, found ${typeName(v)}`, valuePosOf(data, section), hint));
      return name;
    }
  }
  for (const key of Object.keys(data)) {
    const v = data[key];
    if (!(SECTIONS as readonly string[]).includes(key)) {
      ds.push(
        diag(`unexpected key '${key}' in group '${name}'; Ansible skips it`, keyPosOf(data, key), 'a group has only `hosts`, `vars` and `children` (nest other groups under `children`)', 'warning'),
      );
      continue;
    }
    if (!isMap(v)) continue;
    if (key === 'vars') {
      for (const k of Object.keys(v)) setGroupVar(g, k, v[k]);
    } else if (key === 'children') {
      for (const child of Object.keys(v)) {
        const sub = parseGroup(child, v[child], v, ds, inv);
        if (sub === undefined) continue;
        const loop = addChildGroup(inv, name, sub);
        if (loop) {
          ds.push(
            diag(
              `group '${sub}' cannot be a child of '${name}': that makes a loop (${loop.join(' -> ')})`,
              keyPosOf(v, child),
              'remove one of the children entries that form the loop',
            ),
          );
        }
      }
    } else {
      for (const entry of Object.keys(v)) parseHost(entry, v, name, ds, inv);
    }
  }
  return name;
}

function parseHost(entry: string, hosts: Record<string, unknown>, group: string, ds: Diagnostic[], inv: Inventory): void {
  const pos = keyPosOf(hosts, entry);
  if (isNumericKey(hosts, entry)) {
    // ansible-inventory 2.14 refuses it too ("Host pattern 1 must be a string").
    ds.push(diag(`host name ${entry} must be a string, not a number`, pos, `enclose it in quotation marks: '${entry}':`));
    return;
  }
  const vars = hosts[entry] ?? {};
  if (!isMap(vars)) {
    ds.push(diag(`variables of host '${entry}' must be a mapping, found ${typeName(vars)}`, valuePosOf(hosts, entry) ?? pos, 'write `host:` then indented `key: value` lines'));
    return;
  }
  let expanded;
  try {
    expanded = expandHostEntry(entry);
  } catch (e) {
    if (!(e instanceof HostRangeError)) throw e;
    ds.push(diag(`bad host range in '${entry}': ${e.message}`, pos, e.hint));
    return;
  }
  for (const name of expanded.hosts) {
    const h = ensureHost(inv, name, group, expanded.port, pos);
    for (const k of Object.keys(vars)) h.vars[k] = vars[k];
  }
}
