// INI inventories, read line by line as Ansible's ini plugin reads them: hosts before any
// section are ungrouped; `[g]`, `[g:vars]`, `[g:children]` sections; a group may be named in
// `:children` before its own section. Unlike Ansible, which stops at the first problem, every
// bad line is reported and the rest of the file is still read.
import { closest, diag, type Diagnostic, type SourcePos } from '../diagnostics.js';
import { setPos } from '../yaml/load.js';
import { addChildGroup, ensureGroup, ensureHost, setGroupVar } from './model.js';
import { iniValue } from '../vars/python-literal.js';
import { expandHostEntry, HostRangeError } from './ranges.js';
import { shlexSplit, ShlexError } from '../shlex.js';
import type { Inventory, Vars } from './types.js';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;
const SECTION_TYPES = ['hosts', 'vars', 'children'];

type State = 'hosts' | 'vars' | 'children';

interface Pending {
  state: 'vars' | 'children';
  pos: SourcePos;
  /** Groups whose `:children` section names this one, with where. */
  parents: Array<{ name: string; pos: SourcePos }>;
}

/** Reads INI inventory text into `inv`, returning every problem found. */
export function parseIniInventory(text: string, file: string, inv: Inventory): Diagnostic[] {
  const ds: Diagnostic[] = [];
  const pending = new Map<string, Pending>();
  let group = 'ungrouped';
  let state: State = 'hosts';
  const keyPlaces = new WeakMap<object, Map<string, SourcePos>>();
  const remember = (vars: Vars, key: string, pos: SourcePos): void => {
    let m = keyPlaces.get(vars);
    if (!m) keyPlaces.set(vars, (m = new Map()));
    m.set(key, pos);
    setPos(vars, pos, m);
  };

  const addChild = (parent: string, child: string, pos: SourcePos): void => {
    const loop = addChildGroup(inv, parent, child);
    if (loop) {
      ds.push(
        diag(
          `group '${child}' cannot be a child of '${parent}': that makes a loop (${loop.join(' -> ')})`,
          pos,
          'remove one of the :children entries that form the loop',
        ),
      );
    }
  };
  const resolvePendingChildren = (name: string): void => {
    const p = pending.get(name);
    if (!p) return;
    pending.delete(name);
    for (const parent of p.parents) {
      addChild(parent.name, name, parent.pos);
      if (pending.get(parent.name)?.state === 'children') resolvePendingChildren(parent.name);
    }
  };

  const lines = text.split(/\r\n|\n|\r/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line[0] === '#' || line[0] === ';') return;
    const pos: SourcePos = { file, line: index + 1, col: raw.length - raw.trimStart().length + 1 };
    const at = (fragment: string): SourcePos => ({ ...pos, col: Math.max(raw.indexOf(fragment), 0) + 1 });

    const section = SECTION.exec(line);
    if (!section && line[0] === '[' && !line.includes(']')) {
      ds.push(diag(`section header '${line}' is not closed`, pos, `write [${line.slice(1)}]`));
      return;
    }
    if (section) {
      const name = section[1]!;
      const type = section[2] ?? 'hosts';
      if (!SECTION_TYPES.includes(type)) {
        const guess = closest(type, SECTION_TYPES);
        ds.push(
          diag(
            `section [${name}:${type}] has unknown type '${type}'`,
            at(`:${type}`),
            guess ? `did you mean [${name}:${guess}]? A section is [group], [group:vars] or [group:children]` : 'a section is [group], [group:vars] or [group:children]',
          ),
        );
        // Read what follows as hosts of the group, so later lines still get checked.
        group = name;
        state = 'hosts';
        ensureGroup(inv, name, pos);
        return;
      }
      group = name;
      state = type as State;
      if (!inv.groups.has(name)) {
        // [g:vars] alone does not declare g; it must be declared somewhere in this file.
        if (state === 'vars' && !pending.has(name)) pending.set(name, { state, pos, parents: [] });
        ensureGroup(inv, name, pos);
      } else if (!inv.groups.get(name)!.pos && name !== 'all' && name !== 'ungrouped') {
        inv.groups.get(name)!.pos = pos;
      }
      if (state !== 'vars' && pending.has(name)) {
        if (pending.get(name)!.state === 'children') resolvePendingChildren(name);
        else pending.delete(name);
      }
      return;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      ds.push(
        diag(
          `invalid section header ${line}`,
          pos,
          'a group name cannot contain spaces, ":" or "]"; write [group], [group:vars] or [group:children]',
        ),
      );
      return;
    }

    if (state === 'hosts') parseHostLine(line, pos, at);
    else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) {
        ds.push(diag(`expected key=value in [${group}:vars], got '${line}'`, pos, 'write one variable per line as key=value'));
        return;
      }
      const key = line.slice(0, eq).trim();
      const g = ensureGroup(inv, group);
      setGroupVar(g, key, iniValue(line.slice(eq + 1).trim()));
      remember(g.vars, key, pos);
    } else {
      const m = GROUP_NAME.exec(line);
      if (!m) {
        ds.push(diag(`expected a group name in [${group}:children], got '${line}'`, pos, 'list one group name per line (hosts belong in a [group] section)'));
        return;
      }
      const child = m[1]!;
      if (!inv.groups.has(child)) {
        const p = pending.get(child);
        if (p) p.parents.push({ name: group, pos });
        else pending.set(child, { state: 'children', pos, parents: [{ name: group, pos }] });
      } else addChild(group, child, pos);
    }
  });

  function parseHostLine(line: string, pos: SourcePos, at: (f: string) => SourcePos): void {
    let tokens: string[];
    try {
      tokens = shlexSplit(line, { comments: true });
    } catch (e) {
      if (!(e instanceof ShlexError)) throw e;
      ds.push(diag(`cannot read host line '${line}': ${e.message.toLowerCase()}`, pos, 'close the quote or escape it with a backslash'));
      return;
    }
    const entry = tokens[0];
    if (entry === undefined) return;
    let expanded;
    try {
      expanded = expandHostEntry(entry);
    } catch (e) {
      if (!(e instanceof HostRangeError)) throw e;
      ds.push(diag(`bad host range in '${entry}': ${e.message}`, at(entry), e.hint));
      return;
    }
    if (entry.endsWith(':') && expanded.port === undefined) {
      ds.push(diag(`host '${entry}' ends with ':' but no port follows`, at(entry), 'write host:port, or remove the trailing colon'));
      return;
    }
    if (expanded.hosts.includes('---')) {
      ds.push(diag(`'---' is not a host name: this looks like a YAML file read as INI`, pos, 'give the file a .yml extension or fix its YAML'));
      return;
    }
    const vars: Array<[string, unknown, SourcePos]> = [];
    let bad = false;
    for (const t of tokens.slice(1)) {
      const eq = t.indexOf('=');
      if (eq < 0) {
        ds.push(diag(`expected key=value after the host name, got '${t}'`, at(t), 'write inline host variables as key=value, quoting values with spaces'));
        bad = true;
        continue;
      }
      vars.push([t.slice(0, eq), iniValue(t.slice(eq + 1)), at(t.slice(0, eq + 1))]);
    }
    if (bad) return;
    for (const name of expanded.hosts) {
      const h = ensureHost(inv, name, group, expanded.port, pos);
      for (const [k, v, kpos] of vars) {
        h.vars[k] = v;
        remember(h.vars, k, kpos);
      }
    }
  }

  for (const [name, p] of pending) {
    if (p.state === 'vars') {
      ds.push(
        diag(`section [${name}:vars] is for group '${name}', which this file never declares`, p.pos, `declare it with a [${name}] or [${name}:children] section, or fix the name`),
      );
    } else {
      const guess = closest(name, inv.groups.keys());
      for (const parent of p.parents) {
        ds.push(
          diag(
            `[${parent.name}:children] names group '${name}', which is never declared`,
            parent.pos,
            guess ? `did you mean '${guess}'? Otherwise add a [${name}] section` : `add a [${name}] section (it may be empty) or remove the line`,
          ),
        );
      }
    }
  }
  return ds;
}
