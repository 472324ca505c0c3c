// group_vars/ and host_vars/ directories, found beside an inventory source (and, through the
// playbook loader, beside a playbook), read as Ansible's host_group_vars plugin reads them:
// for each group or host name the first of `name`, `name.yml`, `name.yaml`, `name.json`;
// a directory `name/` contributes all its files, recursively, merged in sorted order.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { diag, LvsplayError, type Diagnostic } from '../diagnostics.js';
import { loadYaml } from '../yaml/load.js';
import { decryptVaultText, isVaultEncrypted, secretLeaves, type VaultSecrets } from '../vars/vault.js';
import type { AdjacentVars, Vars } from './types.js';

export const VARS_FILE_EXTENSIONS = ['.yml', '.yaml', '.json'];

export interface AdjacentVarsResult {
  vars: AdjacentVars;
  diagnostics: Diagnostic[];
}

export interface AdjacentNames {
  groups: Iterable<string>;
  hosts: Iterable<string>;
}

function kindOf(path: string): 'file' | 'dir' | undefined {
  try {
    const st = statSync(path);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

/** Ansible's find_vars_files: the files that hold `name`'s variables under `base`, in merge order. */
export function findVarsFiles(base: string, name: string): string[] {
  for (const ext of ['', ...VARS_FILE_EXTENSIONS]) {
    const full = join(base, name + ext);
    const kind = kindOf(full);
    if (kind === 'dir') return dirVarsFiles(full);
    if (kind === 'file') return [full];
  }
  return [];
}

function dirVarsFiles(dir: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue; // hidden files and editor backups
    const full = join(dir, entry);
    const ext = extname(entry);
    const kind = kindOf(full);
    if (kind === 'dir' && !ext) out.push(...dirVarsFiles(full));
    else if (kind === 'file' && (!ext || VARS_FILE_EXTENSIONS.includes(ext))) out.push(full);
  }
  return out;
}

/**
 * Reads one variables file (YAML or JSON, possibly vault-encrypted as a whole). An empty file
 * gives no variables; anything but a mapping is an error.
 */
export function loadVarsFile(path: string, secrets: VaultSecrets | undefined): { vars: Vars | undefined; diagnostics: Diagnostic[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    return { vars: undefined, diagnostics: [diag(`cannot read variables file ${path}: ${code}`, { file: path, line: 1, col: 1 }, 'check its permissions')] };
  }
  const vaulted = isVaultEncrypted(text);
  if (vaulted) {
    try {
      text = decryptVaultText(text, secrets ?? { passwords: [] }, { file: path, line: 1, col: 1 });
    } catch (e) {
      if (e instanceof LvsplayError) return { vars: undefined, diagnostics: e.diagnostics };
      throw e;
    }
  }
  const { value, diagnostics } = loadYaml(text, path);
  if (diagnostics.length) return { vars: undefined, diagnostics };
  if (value === null || value === undefined) return { vars: undefined, diagnostics: [] };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return {
      vars: undefined,
      diagnostics: [diag(`variables file ${path} must hold a mapping of variable names, found ${Array.isArray(value) ? 'a list' : typeof value}`, { file: path, line: 1, col: 1 }, 'write `name: value` lines')],
    };
  }
  return { vars: vaulted && secrets ? secretLeaves(value as Vars, secrets) : (value as Vars), diagnostics: [] };
}

/**
 * Every group and host name that group_vars/ and host_vars/ under `dir` have a file or directory
 * for, whether the inventory has that name or not (a group or host made at run time may).
 */
export function adjacentEntryNames(dir: string): string[] {
  const names = new Set<string>();
  for (const sub of ['group_vars', 'host_vars']) {
    let entries: string[];
    try {
      entries = readdirSync(join(dir, sub));
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.startsWith('.') || entry.endsWith('~')) continue;
      const ext = extname(entry);
      names.add(VARS_FILE_EXTENSIONS.includes(ext) ? entry.slice(0, -ext.length) : entry);
    }
  }
  return [...names];
}

/** Loads group_vars/ and host_vars/ under `dir` for the given names. */
export function loadAdjacentVars(dir: string, names: AdjacentNames, secrets?: VaultSecrets): AdjacentVarsResult {
  const vars: AdjacentVars = { dir, groupVars: new Map(), hostVars: new Map() };
  const diagnostics: Diagnostic[] = [];
  const read = (sub: 'group_vars' | 'host_vars', entities: Iterable<string>, into: Map<string, Vars>): void => {
    const base = join(dir, sub);
    const kind = kindOf(base);
    if (kind === undefined) return;
    if (kind !== 'dir') {
      diagnostics.push(diag(`${base} is not a directory; its variables are ignored`, { file: base, line: 1, col: 1 }, `make ${sub} a directory of per-${sub === 'group_vars' ? 'group' : 'host'} files`, 'warning'));
      return;
    }
    for (const name of entities) {
      if (name.startsWith('/')) continue; // chroot-style host names, which Ansible skips too
      let merged: Vars | undefined;
      for (const file of findVarsFiles(base, name)) {
        const r = loadVarsFile(file, secrets);
        diagnostics.push(...r.diagnostics);
        if (r.vars && Object.keys(r.vars).length) merged = merged ? { ...merged, ...r.vars } : r.vars;
      }
      if (merged) into.set(name, merged);
    }
  };
  read('group_vars', names.groups, vars.groupVars);
  read('host_vars', names.hosts, vars.hostVars);
  return { vars, diagnostics };
}
