// Inventory sources as `-i` takes them, merged in order into one Inventory: a file (YAML or
// INI, told apart as Ansible's yaml-then-ini plugin chain does), a directory (every file in
// it, skipping what Ansible skips), or a comma list of hosts `h1,h2,`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { diag, type Diagnostic } from '../diagnostics.js';
import { loadYaml } from '../yaml/load.js';
import type { VaultSecrets } from '../vars/vault.js';
import { loadAdjacentVars } from './adjacent-vars.js';
import { parseIniInventory } from './ini.js';
import { emptyInventory, ensureHost, reconcile } from './model.js';
import { parseAddress } from './ranges.js';
import type { Inventory, InventoryLoadResult } from './types.js';
import { looksLikeYamlInventory, parseYamlInventory } from './yaml-inventory.js';

export interface LoadInventoryOptions {
  cwd?: string;
  vault?: VaultSecrets;
}

const YAML_EXTENSIONS = ['.yml', '.yaml', '.json'];
// Ansible's INVENTORY_IGNORE_EXTS default (REJECT_EXTS plus .orig .ini .cfg .retry) and its
// always-ignored names: inside a directory source, `hosts.ini` is skipped just as Ansible does.
const IGNORED_IN_DIRECTORY = [/^\./, /^host_vars$/, /^group_vars$/, /^vars_plugins$/];
const IGNORED_EXTENSIONS = ['.pyc', '.pyo', '.swp', '.bak', '~', '.rpm', '.md', '.txt', '.rst', '.orig', '.ini', '.cfg', '.retry'];

export function isIgnoredInDirectory(name: string): boolean {
  return IGNORED_IN_DIRECTORY.some((re) => re.test(name)) || IGNORED_EXTENSIONS.some((e) => name.endsWith(e));
}

function statOf(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

export function loadInventory(sources: string[], opts: LoadInventoryOptions = {}): InventoryLoadResult {
  const cwd = opts.cwd ?? process.cwd();
  const inv = emptyInventory([...sources]);
  const diagnostics: Diagnostic[] = [];
  const varsDirs: string[] = [];
  for (const source of sources) {
    if (!source) continue;
    const full = isAbsolute(source) ? source : resolve(cwd, source);
    const st = statOf(full);
    if (!st && source.includes(',')) {
      readHostList(source, inv);
      continue;
    }
    if (!st) {
      diagnostics.push(diag(`inventory source ${source} does not exist`, undefined, 'check the -i path (a list of hosts needs a comma: -i host1,)'));
      continue;
    }
    // Displayed paths stay as the user wrote them, so diagnostics point where they look.
    if (st.isDirectory()) {
      readDirectory(full, source, inv, diagnostics);
      varsDirs.push(full);
    } else {
      readFile(full, source, inv, diagnostics);
      varsDirs.push(dirname(full));
    }
  }
  reconcile(inv);
  const loaded = new Map<string, ReturnType<typeof loadAdjacentVars>>();
  for (const dir of varsDirs) {
    let r = loaded.get(dir);
    if (!r) {
      r = loadAdjacentVars(dir, { groups: inv.groups.keys(), hosts: inv.hosts.keys() }, opts.vault);
      loaded.set(dir, r);
      diagnostics.push(...r.diagnostics.map((d) => relativeTo(d, cwd)));
    }
    inv.adjacentVars!.push(r.vars);
  }
  return { inventory: inv, diagnostics };
}

/** group_vars files are found by absolute path; show them relative to where the user stands. */
function relativeTo(d: Diagnostic, cwd: string): Diagnostic {
  if (!d.pos || !d.pos.file.startsWith(cwd + '/')) return d;
  return { ...d, pos: { ...d.pos, file: d.pos.file.slice(cwd.length + 1) } };
}

function readHostList(list: string, inv: Inventory): void {
  for (const part of list.split(',')) {
    const h = part.trim();
    if (!h) continue;
    const parsed = parseAddress(h);
    const name = parsed && !parsed.host.includes('[') ? parsed.host : h;
    if (!inv.hosts.has(name)) ensureHost(inv, name, 'ungrouped', parsed?.host.includes('[') ? undefined : parsed?.port);
  }
}

function readDirectory(full: string, shown: string, inv: Inventory, ds: Diagnostic[]): void {
  let entries: string[];
  try {
    entries = readdirSync(full).sort();
  } catch (e) {
    ds.push(diag(`cannot read inventory directory ${shown}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, undefined, 'check its permissions'));
    return;
  }
  for (const entry of entries) {
    if (isIgnoredInDirectory(entry)) continue;
    const child = `${full}/${entry}`;
    const childShown = `${shown.replace(/\/+$/, '')}/${entry}`;
    const st = statOf(child);
    if (st?.isDirectory()) readDirectory(child, childShown, inv, ds);
    else if (st?.isFile()) readFile(child, childShown, inv, ds);
  }
}

function readFile(full: string, shown: string, inv: Inventory, ds: Diagnostic[]): void {
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (e) {
    ds.push(diag(`cannot read inventory file ${shown}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file: shown, line: 1, col: 1 }, 'check its permissions'));
    return;
  }
  if (text.startsWith('#!')) {
    ds.push(
      diag(`${shown} is an inventory script, which is not supported`, { file: shown, line: 1, col: 1 }, 'save its output as a static inventory (ansible-inventory -i SCRIPT --list -y > hosts.yml)'),
    );
    return;
  }
  const ext = extname(basename(full));
  if (ext === '' || YAML_EXTENSIONS.includes(ext)) {
    const y = loadYaml(text, shown);
    if (!y.diagnostics.length && looksLikeYamlInventory(y.value)) {
      ds.push(...parseYamlInventory(y.value, shown, inv));
      return;
    }
    if (YAML_EXTENSIONS.includes(ext)) {
      // Ansible falls back to the INI reader even for .yml; keep that only when it reads cleanly.
      if (!parseIniInventory(text, shown, emptyInventory()).length) {
        ds.push(...parseIniInventory(text, shown, inv));
        return;
      }
      if (y.diagnostics.length) ds.push(...y.diagnostics);
      else if (y.value !== null && y.value !== undefined) ds.push(...parseYamlInventory(y.value, shown, inv));
      return;
    }
  }
  ds.push(...parseIniInventory(text, shown, inv));
}
