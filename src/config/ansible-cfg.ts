// ansible.cfg, found and read as Ansible does: the first of $ANSIBLE_CONFIG, ./ansible.cfg,
// ~/.ansible.cfg, /etc/ansible/ansible.cfg; INI read as Python's configparser reads it (keys
// case-insensitive, `key = value` or `key: value`, indented continuation lines, `#`/`;` comment
// lines, ` ;` inline comments, `%%` for a literal percent). Only the settings lvsplay honours
// are looked up; everything else is kept and ignored.
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { diag, type Diagnostic } from '../diagnostics.js';

export interface AnsibleCfg {
  /** The file read, if one was found. */
  path?: string;
  /** section -> key (lower case) -> value */
  sections: Map<string, Map<string, string>>;
}

export interface CfgLookup {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

export const DEFAULT_INVENTORY = '/etc/ansible/hosts';

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Which ansible.cfg Ansible would read, if any. */
export function findAnsibleCfg(opts: CfgLookup = {}): string | undefined {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const candidates: string[] = [];
  const fromEnv = env['ANSIBLE_CONFIG'];
  if (fromEnv) {
    const p = resolve(cwd, expandHome(fromEnv, opts));
    candidates.push(isDir(p) ? join(p, 'ansible.cfg') : p);
  }
  // Ansible ignores ./ansible.cfg in a world-writable directory (anyone could plant one).
  if (!worldWritable(cwd)) candidates.push(join(cwd, 'ansible.cfg'));
  candidates.push(join(opts.home ?? homedir(), '.ansible.cfg'), '/etc/ansible/ansible.cfg');
  return candidates.find(isFile);
}

function worldWritable(dir: string): boolean {
  try {
    return (statSync(dir).mode & 0o002) !== 0;
  } catch {
    return false;
  }
}

function expandHome(p: string, opts: CfgLookup): string {
  return p === '~' || p.startsWith('~/') ? join(opts.home ?? homedir(), p.slice(1)) : p;
}

/** Parses ansible.cfg text; problems are reported with their line. */
export function parseAnsibleCfg(text: string, file: string): { cfg: AnsibleCfg; diagnostics: Diagnostic[] } {
  const sections = new Map<string, Map<string, string>>();
  const diagnostics: Diagnostic[] = [];
  let current: Map<string, string> | undefined;
  let lastKey: string | undefined;
  let lastIndent = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const pos = { file, line: i + 1, col: 1 };
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const indent = raw.length - raw.trimStart().length;
    if (current && lastKey !== undefined && indent > lastIndent) {
      current.set(lastKey, `${current.get(lastKey)}\n${stripInline(trimmed)}`.trim());
      return;
    }
    const section = /^\[([^\]]+)\]/.exec(trimmed);
    if (section) {
      const name = section[1]!.trim();
      // Python's configparser (strict, as Ansible reads the file) refuses a section or an
      // option given twice, rather than let one silently win.
      if (sections.has(name))
        diagnostics.push(
          diag(`section [${name}] already exists`, pos, 'merge the two sections into one: Ansible refuses the file'),
        );
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      lastKey = undefined;
      return;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(trimmed);
    if (!kv) {
      diagnostics.push(
        diag(`cannot read line '${trimmed}' of ${file}`, pos, 'write settings as key = value under a [section]'),
      );
      return;
    }
    if (!current) {
      diagnostics.push(diag(`setting '${kv[1]}' comes before any [section]`, pos, 'put it under [defaults]'));
      return;
    }
    lastKey = kv[1]!.toLowerCase();
    lastIndent = indent;
    if (current.has(lastKey))
      diagnostics.push(
        diag(
          `option '${lastKey}' is set twice in its section`,
          pos,
          'keep one of the two lines: Ansible refuses the file',
        ),
      );
    current.set(lastKey, stripInline(kv[2]!));
  });
  return { cfg: { path: file, sections }, diagnostics };
}

/**
 * The typed settings lvsplay reads, checked as Ansible checks them: a value that is not a whole
 * number stops ansible-playbook (exit 5), and so does it here.
 */
const INTEGER_SETTINGS: Array<[section: string, key: string]> = [
  ['defaults', 'forks'],
  ['defaults', 'timeout'],
];

/**
 * Errors in the values of the settings lvsplay honours, at their line. `range` holds those
 * ansible-playbook reports through its command-line parser (forks below 1: exit 2).
 */
export function checkCfgValues(cfg: AnsibleCfg, text: string): { type: Diagnostic[]; range: Diagnostic[] } {
  const out = { type: [] as Diagnostic[], range: [] as Diagnostic[] };
  const lines = text.split(/\r?\n/);
  const at = (key: string) => {
    const line = lines.findIndex((l) => new RegExp(`^\\s*${key}\\s*[=:]`, 'i').test(l));
    return cfg.path ? { file: cfg.path, line: line + 1, col: 1 } : undefined;
  };
  for (const [section, key] of INTEGER_SETTINGS) {
    const v = cfgValue(cfg, section, key);
    if (v === undefined) continue;
    if (!/^[+-]?\d+$/.test(v))
      out.type.push(diag(`[${section}] ${key} must be a whole number, not '${v}'`, at(key), `write ${key} = 5 (say)`));
    else if (key === 'forks' && Number(v) < 1)
      out.range.push(
        diag(`[${section}] forks must be 1 or more, not ${v}`, at(key), 'set forks = 5 (say), or remove the line'),
      );
  }
  return out;
}

function stripInline(v: string): string {
  const m = /\s;/.exec(v);
  return (m ? v.slice(0, m.index) : v).trim().replace(/%%/g, '%');
}

export function readAnsibleCfg(opts: CfgLookup = {}): {
  cfg: AnsibleCfg;
  diagnostics: Diagnostic[];
  /** Values out of range (forks = 0). */
  range?: Diagnostic[];
} {
  const path = findAnsibleCfg(opts);
  if (!path) return { cfg: { sections: new Map() }, diagnostics: [] };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return {
      cfg: { sections: new Map() },
      diagnostics: [
        diag(
          `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
          undefined,
          'check its permissions or set ANSIBLE_CONFIG',
        ),
      ],
    };
  }
  const parsed = parseAnsibleCfg(text, path);
  const values = checkCfgValues(parsed.cfg, text);
  return { ...parsed, diagnostics: [...parsed.diagnostics, ...values.type], range: values.range };
}

/** A setting from `[section]`, falling back to configparser's [DEFAULT] section. */
export function cfgValue(cfg: AnsibleCfg, section: string, key: string): string | undefined {
  return cfg.sections.get(section)?.get(key.toLowerCase()) ?? cfg.sections.get('DEFAULT')?.get(key.toLowerCase());
}

/**
 * A path-list setting (`inventory`, `roles_path`): comma separated (roles_path also takes ':'),
 * `~` expanded, relative entries resolved from the config file's directory.
 */
export function cfgPathList(
  cfg: AnsibleCfg,
  section: string,
  key: string,
  opts: CfgLookup & { separators?: RegExp } = {},
): string[] | undefined {
  const v = cfgValue(cfg, section, key);
  if (v === undefined) return undefined;
  const base = cfg.path ? dirname(cfg.path) : (opts.cwd ?? process.cwd());
  return v
    .split(opts.separators ?? /,/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((p) => resolvePath(expandHome(p, opts), base));
}

function resolvePath(p: string, base: string): string {
  return isAbsolute(p) ? p : resolve(base, p);
}

/**
 * The inventory sources when no `-i` is given: $ANSIBLE_INVENTORY, else ansible.cfg's
 * `[defaults] inventory`, else /etc/ansible/hosts.
 */
export function defaultInventorySources(cfg: AnsibleCfg, opts: CfgLookup = {}): string[] {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const fromEnv = env['ANSIBLE_INVENTORY'];
  if (fromEnv)
    return fromEnv
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((p) => resolvePath(expandHome(p, opts), cwd));
  return cfgPathList(cfg, 'defaults', 'inventory', opts) ?? [DEFAULT_INVENTORY];
}
