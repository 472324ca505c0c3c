// Modules that run on the controller only: they read variables, never a host. Their arguments
// arrive already templated by the executor; `assert` conditions and `debug var` are evaluated
// here against the task's variables.
import { LvsplayError, formatDiagnostic } from '../diagnostics.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { isSecret, textOf } from '../secret.js';
import { isVaultEncrypted } from '../vars/vault.js';
import { loadYaml, VaultText } from '../yaml/load.js';
import type { Vars } from '../vars/precedence.js';
import { isDict } from '../vars/jinja/python.js';
import { bool, given, int, list, moduleArgs, raw, str } from './args.js';
import * as z from 'zod';
import type { ActionResult, ControllerModule, ModuleContext } from './runtime.js';
import type { ModuleSpec } from './types.js';
import { GuardedRegExp } from '../regex-guard.js';

const done = (status: ActionResult['status'], extra: Partial<ActionResult> = {}): ActionResult => ({
  status,
  changes: [],
  warnings: [],
  ...extra,
});

const asText = (v: unknown): string => (typeof v === 'string' ? v : isSecret(v) ? v.toString() : JSON.stringify(v));

/** An error from templating a condition or a variable, as one line for the result. */
const why = (e: unknown): string =>
  e instanceof LvsplayError ? e.diagnostics.map(formatDiagnostic).join('\n') : (e as Error).message;

const assertArgs = moduleArgs(
  { that: list(), fail_msg: raw().optional(), success_msg: raw().optional(), quiet: bool().optional() },
  { msg: 'fail_msg' },
);

export const assertModule: ControllerModule<z.output<typeof assertArgs>> = {
  name: 'assert',
  aliases: ['ansible.builtin.assert'],
  local: true,
  exec: 'action',
  args: assertArgs,
  async run(a, ctx) {
    for (const cond of a.that) {
      let holds: boolean;
      try {
        holds = ctx.templar.evalCondition(cond, ctx.vars, ctx.where);
      } catch (e) {
        return done('failed', {
          msg: `The conditional check '${asText(cond)}' failed: ${why(e)}`,
          data: { assertion: cond },
          ...(a.quiet ? {} : { verboseAlways: 'result' as const }),
        });
      }
      if (!holds) {
        return done('failed', {
          msg: a.fail_msg !== undefined ? asText(a.fail_msg) : 'Assertion failed',
          data: { assertion: cond, evaluated_to: false },
          ...(a.quiet ? {} : { verboseAlways: 'result' as const }),
        });
      }
    }
    const msg = a.success_msg !== undefined ? asText(a.success_msg) : 'All assertions passed';
    return done('ok', { msg, ...(a.quiet ? {} : { verboseAlways: 'result' as const }) });
  },
};

/**
 * debug prints a `msg` that is given but None (`msg: "{{ nothing }}"`) as null, as Ansible's
 * action does; modules' arguments drop a None, so it travels as this marker.
 */
const NULL_MSG = Object.freeze({ debugMsg: null });

const debugArgs = z.preprocess(
  (input) => (isDict(input) && Object.hasOwn(input, 'msg') && input.msg === null ? { ...input, msg: NULL_MSG } : input),
  moduleArgs({ msg: raw().optional(), var: str().optional(), verbosity: int().optional() }).superRefine((a, ctx) => {
    if (given(a, 'msg') && given(a, 'var'))
      ctx.addIssue({ code: 'custom', path: ['var'], message: 'cannot be used together with msg' });
  }),
);

/** `var:` names a variable or an expression (`result.stdout`), rendered as Ansible does. */
function debugVar(name: string, ctx: ModuleContext): unknown {
  try {
    return ctx.templar.render(`{{ ${name} }}`, ctx.vars, ctx.where);
  } catch (e) {
    if (e instanceof LvsplayError && /undefined/i.test(e.message + e.diagnostics.map((d) => d.message).join(' ')))
      return 'VARIABLE IS NOT DEFINED!';
    throw e;
  }
}

export const debugModule: ControllerModule<z.output<typeof debugArgs>> = {
  name: 'debug',
  aliases: ['ansible.builtin.debug'],
  local: true,
  exec: 'action',
  args: debugArgs,
  async run(a, ctx) {
    const level = Number(ctx.vars.ansible_verbosity ?? 0);
    if ((a.verbosity ?? 0) > level)
      return done('skipped', {
        msg: 'Verbosity threshold not met.',
        data: { skipped_reason: 'Verbosity threshold not met.' },
      });
    if (a.var !== undefined) {
      let value: unknown;
      try {
        value = debugVar(String(a.var), ctx);
      } catch (e) {
        return done('failed', { msg: why(e) });
      }
      return done('ok', { data: { [String(a.var)]: value }, verboseAlways: 'data' });
    }
    const msg = a.msg === undefined ? 'Hello world!' : a.msg === NULL_MSG ? null : a.msg;
    // A string message is the result's msg; a list or mapping stays structured, as Ansible shows it.
    return typeof msg === 'string'
      ? done('ok', { msg, data: { msg }, verboseAlways: 'data' })
      : done('ok', { data: { msg }, verboseAlways: 'data' });
  },
};

const failArgs = moduleArgs({ msg: raw().optional() });

export const failModule: ControllerModule<z.output<typeof failArgs>> = {
  name: 'fail',
  aliases: ['ansible.builtin.fail'],
  local: true,
  exec: 'action',
  args: failArgs,
  async run(a) {
    return done('failed', { msg: a.msg === undefined ? 'Failed as requested from task' : asText(a.msg) });
  },
};

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BOOLEAN_WORDS = new Set(['true', 'false', 'yes', 'no']);

/** set_fact takes any variable names; only the names themselves are checked. */
const setFactArgs = z.record(z.string(), z.unknown()).superRefine((a, ctx) => {
  for (const k of Object.keys(a)) {
    if (k === 'cacheable') continue;
    if (!IDENT.test(k))
      ctx.addIssue({
        code: 'custom',
        path: [k],
        message: 'is not a valid variable name (letters, digits and _, not starting with a digit)',
      });
  }
  if (Object.keys(a).filter((k) => k !== 'cacheable').length === 0)
    ctx.addIssue({ code: 'custom', path: [], message: 'needs at least one variable to set' });
});

export const setFactModule: ControllerModule<z.output<typeof setFactArgs>> = {
  name: 'set_fact',
  aliases: ['ansible.builtin.set_fact'],
  local: true,
  exec: 'action',
  args: setFactArgs,
  async run(a) {
    // `cacheable` asks Ansible to keep the facts in its fact cache; a run here has none to keep.
    // With jinja2_native off (its default), Ansible's set_fact turns the strings true/false/yes/no
    // (any case) into booleans, whether they came from a template or were written so.
    const facts: Vars = Object.fromEntries(
      Object.entries(a)
        .filter(([k]) => k !== 'cacheable')
        .map(([k, v]) => [
          k,
          typeof v === 'string' && BOOLEAN_WORDS.has(v.toLowerCase()) ? /^(true|yes)$/i.test(v) : v,
        ]),
    );
    return done('ok', { setFacts: facts, data: { ansible_facts_set: Object.keys(facts) } });
  },
};

export const metaModule: ModuleSpec = {
  name: 'meta',
  aliases: ['ansible.builtin.meta'],
  local: true,
  freeForm: 'action',
  args: moduleArgs({
    action: z.enum(
      [
        'flush_handlers',
        'noop',
        'refresh_inventory',
        'clear_facts',
        'clear_host_errors',
        'end_play',
        'end_host',
        'end_batch',
        'reset_connection',
      ],
      {
        error: (i) =>
          i.input === undefined
            ? 'is required'
            : `must be one of flush_handlers, noop, refresh_inventory, clear_facts, clear_host_errors, end_play, end_host, end_batch, reset_connection; got '${String(i.input)}'`,
      },
    ),
  }),
};

const includeVarsArgs = moduleArgs({
  file: str().optional(),
  dir: str().optional(),
  name: str().optional(),
  depth: int().optional(),
  files_matching: str().optional(),
  ignore_files: list().optional(),
  extensions: list().optional(),
}).superRefine((a, ctx) => {
  if (!given(a, 'file') && !given(a, 'dir'))
    ctx.addIssue({ code: 'custom', path: ['file'], message: 'is required: give file (or dir)' });
  if (given(a, 'file') && given(a, 'dir'))
    ctx.addIssue({ code: 'custom', path: ['dir'], message: 'cannot be used together with file' });
});

type IncludeVarsArgs = z.output<typeof includeVarsArgs>;

/** Ansible's _find_needle('vars', name): the role's vars/, then beside the task, then the playbook's. */
function findVarsPath(name: string, searchPath: readonly string[]): string | undefined {
  if (isAbsolute(name)) return existsSync(name) ? name : undefined;
  for (const base of searchPath)
    for (const p of [join(base, 'vars', name), join(base, name)]) if (existsSync(p)) return p;
  return undefined;
}

/** One variables file: YAML or JSON, maybe vault-encrypted as a whole (decrypted by the templar). */
function readVarsFile(path: string, ctx: ModuleContext): Vars | string {
  let text = readFileSync(path, 'utf8');
  const vaulted = isVaultEncrypted(text);
  if (vaulted) {
    const plain = ctx.templar.render(new VaultText(text, { file: path, line: 1, col: 1 }), {});
    text = isSecret(plain) ? plain.reveal() : String(plain);
  }
  const { value, diagnostics } = loadYaml(text, path);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) return errors.map(formatDiagnostic).join('\n');
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    return `${path}: a variables file must hold a mapping of names to values`;
  return vaulted ? ctx.templar.secretVars(value as Vars) : (value as Vars);
}

/** The files of `dir:` in name order, recursing `depth` levels (0: all), filtered as asked. */
function varsFilesIn(dir: string, a: IncludeVarsArgs, level = 1): string[] {
  const exts = (a.extensions ?? ['yaml', 'yml', 'json']).map(String);
  const ignore = new Set((a.ignore_files ?? []).map(String));
  const match = a.files_matching !== undefined ? new GuardedRegExp(textOf(a.files_matching)) : undefined;
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      if (!a.depth || level < a.depth) out.push(...varsFilesIn(p, a, level + 1));
      continue;
    }
    if (ignore.has(entry) || (match && !match.test(entry))) continue;
    if (exts.some((e) => entry.endsWith(`.${e}`))) out.push(p);
  }
  return out;
}

function readIncludeVars(a: IncludeVarsArgs, ctx: ModuleContext): { vars: Vars; files: string[] } | { failed: string } {
  const wanted = textOf((a.file ?? a.dir)!);
  const found = findVarsPath(wanted, ctx.templar.searchPath);
  if (!found)
    return {
      failed: `Could not find or access '${wanted}' (looked in vars/ of the role, beside the task and the playbook)`,
    };
  const files = a.dir !== undefined ? varsFilesIn(found, a) : [found];
  const vars: Vars = {};
  for (const f of files) {
    const v = readVarsFile(f, ctx);
    if (typeof v === 'string') return { failed: v };
    Object.assign(vars, v);
  }
  return { vars, files };
}

export const includeVarsModule: ControllerModule<z.output<typeof includeVarsArgs>> = {
  name: 'include_vars',
  aliases: ['ansible.builtin.include_vars'],
  local: true,
  exec: 'action',
  freeForm: 'file',
  args: includeVarsArgs,
  async run(a, ctx) {
    const r = readIncludeVars(a, ctx);
    if ('failed' in r) return done('failed', { msg: r.failed });
    const facts = a.name !== undefined ? { [textOf(a.name)]: r.vars } : r.vars;
    return done('ok', { setFacts: facts, data: { ansible_included_var_files: r.files } });
  },
};
