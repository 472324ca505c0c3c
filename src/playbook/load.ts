// A playbook file -> the typed model, with every mistake collected as a diagnostic.
import { dirname, isAbsolute, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { Diagnostic, SourcePos } from '../diagnostics.js';
import type { VaultSecrets } from '../vars/vault.js';
import { valuePosOf, keyPosOf, posOf } from '../yaml/load.js';
import { isMapping, newContext, readYaml, report, type LoadContext } from './context.js';
import type { Play, Playbook } from './model.js';
import { parsePlay } from './play.js';
import { parseScope } from './scope.js';

export interface LoadOptions {
  /** roles_path from ansible.cfg (absolute), searched after `roles/` beside the playbook. */
  rolesPath?: string[];
  /** The project root: its `roles/` is searched too. */
  projectRoot?: string;
  /** collections_path from ansible.cfg (absolute), searched after `collections/` beside the playbook. */
  collectionsPath?: string[];
  vault?: VaultSecrets;
}

export interface LoadedPlaybook {
  playbook: Playbook;
  diagnostics: Diagnostic[];
  /** Names the playbook can define, for the undefined-variable check. */
  definedNames: Set<string>;
  /** Some variables come from files chosen at run time: the check must stay silent. */
  dynamicVars: boolean;
}

const IMPORT_PLAYBOOK = new Set(['import_playbook', 'ansible.builtin.import_playbook']);

export function loadPlaybook(path: string, opts: LoadOptions = {}): LoadedPlaybook {
  const abs = resolve(path);
  const dir = dirname(abs);
  const rolesPath = [resolve(dir, 'roles'), ...(opts.rolesPath ?? [])];
  if (opts.projectRoot) rolesPath.push(resolve(opts.projectRoot, 'roles'));
  rolesPath.push(dir);
  const collectionsPath = [resolve(dir, 'collections'), ...(opts.collectionsPath ?? [])];
  const ctx = newContext(dir, [...new Set(rolesPath)], opts.vault, [...new Set(collectionsPath)]);
  const plays = readPlays(ctx, abs, path, { file: path, line: 1, col: 1 });
  return {
    playbook: { path, plays },
    diagnostics: ctx.diagnostics,
    definedNames: ctx.definedNames,
    dynamicVars: ctx.dynamicVars,
  };
}

function readPlays(ctx: LoadContext, abs: string, shown: string, at: SourcePos): Play[] {
  if (ctx.importing.includes(abs)) {
    report(ctx, `playbook ${shown} imports itself`, at, 'break the import_playbook cycle');
    return [];
  }
  if (!existsSync(abs)) {
    report(
      ctx,
      `the playbook ${shown} could not be found`,
      at.line === 1 && at.file === shown ? undefined : at,
      'check the path',
    );
    return [];
  }
  const value = readYaml(ctx, abs);
  if (value === undefined) return [];
  if (value === null && ctx.importing.length) return [];
  if (value === null) {
    // As ansible-playbook: an empty playbook is a mistake (a wrong file?), not a success.
    report(ctx, 'the playbook is empty', { file: abs, line: 1, col: 1 }, 'add plays, or give the right file');
    return [];
  }
  if (!Array.isArray(value)) {
    report(
      ctx,
      'a playbook must be a YAML list of plays',
      posOf(value) ?? { file: abs, line: 1, col: 1 },
      'start each play with "- hosts: ..."',
    );
    return [];
  }
  ctx.importing.push(abs);
  try {
    const plays: Play[] = [];
    value.forEach((raw, i) => {
      const pos = valuePosOf(value, i) ?? { file: abs, line: 1, col: 1 };
      if (!isMapping(raw)) {
        report(ctx, 'a play must be a mapping with hosts: and tasks:', pos, 'start the play with "- hosts: ..."');
        return;
      }
      const imp = Object.keys(raw).find((k) => IMPORT_PLAYBOOK.has(k));
      if (imp) {
        plays.push(...importPlaybook(ctx, raw, imp, dirname(abs), pos));
        return;
      }
      const play = parsePlay(ctx, raw, abs, dirname(abs), pos);
      if (play) plays.push(play);
    });
    return plays;
  } finally {
    ctx.importing.pop();
  }
}

function importPlaybook(
  ctx: LoadContext,
  raw: Record<string, unknown>,
  key: string,
  dir: string,
  pos: SourcePos,
): Play[] {
  const target = raw[key];
  const allowed = new Set([key, 'name', 'when', 'vars', 'tags']);
  for (const k of Object.keys(raw))
    if (!allowed.has(k))
      report(
        ctx,
        `'${k}' cannot be used with import_playbook`,
        keyPosOf(raw, k) ?? pos,
        `only ${[...allowed].join(', ')} may sit beside it`,
      );
  if (typeof target !== 'string') {
    report(
      ctx,
      'import_playbook needs a playbook file name',
      valuePosOf(raw, key) ?? pos,
      'write import_playbook: other.yaml',
    );
    return [];
  }
  const abs = isAbsolute(target) ? target : resolve(dir, target);
  const scope = parseScope(
    ctx,
    raw,
    ['when', 'vars', 'tags'].filter((k) => k in raw),
    pos,
    'task',
  );
  const plays = readPlays(ctx, abs, target, valuePosOf(raw, key) ?? pos);
  // The import's keywords reach every play it brings in.
  for (const p of plays) {
    p.tags = [...scope.tags, ...p.tags];
    p.when = [...scope.when, ...p.when];
    p.vars = { ...scope.vars, ...p.vars };
  }
  return plays;
}
