// What the loader carries while it walks a playbook: the diagnostics it has found so far, where
// roles are searched, and a cache of parsed files (a role used by two plays is read once).
import { diag, type Diagnostic, type SourcePos } from '../diagnostics.js';
import { readFileSync } from 'node:fs';
import { LvsplayError } from '../diagnostics.js';
import {
  decryptVaultText,
  isVaultEncrypted,
  NO_VAULT_SECRETS,
  secretLeaves,
  type VaultSecrets,
} from '../vars/vault.js';
import { loadYaml } from '../yaml/load.js';
import type { RoleInstance } from './model.js';

export interface LoadContext {
  diagnostics: Diagnostic[];
  /** Directories searched for roles, in order. */
  rolesPath: string[];
  /** Directories holding `ansible_collections/` (playbook-adjacent `collections/`, collections_path). */
  collectionsPath: string[];
  /** The `collections:` of the play being read: short role names are looked for in them too. */
  playCollections: string[];
  /** Directory of the top playbook (`playbook_dir`). */
  playbookDir: string;
  /** Files being imported right now, to refuse import cycles. */
  importing: string[];
  files: Map<string, unknown>;
  vault: VaultSecrets;
  /** Every variable name the playbook itself can define (vars, register, set_fact, role files). */
  definedNames: Set<string>;
  /** Set when some variables come from a file chosen at run time: names cannot be known statically. */
  dynamicVars: boolean;
}

export function newContext(
  playbookDir: string,
  rolesPath: string[],
  vault: VaultSecrets = NO_VAULT_SECRETS,
  collectionsPath: string[] = [],
): LoadContext {
  return {
    diagnostics: [],
    rolesPath,
    collectionsPath,
    playCollections: [],
    playbookDir,
    importing: [],
    files: new Map(),
    vault,
    definedNames: new Set(),
    dynamicVars: false,
  };
}

/** Where the task list being read lives: relative names resolve from here. */
export interface TaskSite {
  file: string;
  dir: string;
  role?: RoleInstance;
  handlers: boolean;
}

/** Parses a YAML file once; its problems are reported once. */
export function readYaml(ctx: LoadContext, path: string, as: 'vars' | 'tasks' = 'tasks'): unknown {
  if (ctx.files.has(path)) return ctx.files.get(path);
  const { value, diagnostics } = loadMaybeVaulted(ctx, path, as);
  ctx.diagnostics.push(...diagnostics);
  const v = diagnostics.some((d) => d.severity === 'error') ? undefined : value;
  ctx.files.set(path, v);
  return v;
}

export function report(ctx: LoadContext, message: string, pos: SourcePos | undefined, hint?: string): void {
  ctx.diagnostics.push(diag(message, pos, hint));
}

export function warn(ctx: LoadContext, message: string, pos: SourcePos | undefined, hint?: string): void {
  ctx.diagnostics.push(diag(message, pos, hint, 'warning'));
}

export function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * A YAML file that may be vault-encrypted as a whole (vars files usually are): the strings of a
 * vaulted variables file are secrets.
 */
function loadMaybeVaulted(
  ctx: LoadContext,
  path: string,
  as: 'vars' | 'tasks',
): { value: unknown; diagnostics: Diagnostic[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return {
      value: undefined,
      diagnostics: [
        diag(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, undefined, 'check the path'),
      ],
    };
  }
  const raw = text;
  if (isVaultEncrypted(text)) {
    try {
      text = decryptVaultText(text, ctx.vault, { file: path, line: 1, col: 1 });
    } catch (e) {
      if (e instanceof LvsplayError) return { value: undefined, diagnostics: e.diagnostics };
      throw e;
    }
  }
  const loaded = loadYaml(text, path);
  if (as === 'vars' && isVaultEncrypted(raw)) loaded.value = secretLeaves(loaded.value, ctx.vault);
  return loaded;
}
