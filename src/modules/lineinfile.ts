// lineinfile: ensures one line is present (replacing what regexp/search_string finds, or
// inserting after/before a match, at EOF or BOF) or absent. The new content is computed on the
// controller from the probed content with Ansible's own algorithm (lineinfile.py, ported line
// by line on byte strings), then written atomically with put.
import { overlayPredicted } from './fileinfo.js';
import { posix } from 'node:path';
import { sh } from '../transport/quote.js';
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { bool, choice, given, moduleArgs, str } from './args.js';
import { collectWrite } from './copy.js';
import { fileAttrs } from './file-attrs.js';
import { planWrite, probeFiles, type FileAttrs, type ProbedFiles } from './fileinfo.js';
import { compilePython, expandMatch, splitLines, toBytes } from './pyregex.js';
import type { Change, ModuleContext, PlanOutcome, StateModule } from './runtime.js';

const lineinfileArgs = moduleArgs(
  {
    path: str(),
    regexp: str().optional(),
    search_string: str().optional(),
    state: choice('present', 'absent').optional(),
    line: str().optional(),
    backrefs: bool().optional(),
    insertafter: str().optional(),
    insertbefore: str().optional(),
    firstmatch: bool().optional(),
    create: bool().optional(),
    backup: bool().optional(),
    validate: str().optional(),
    ...fileAttrs,
  },
  { dest: 'path', destfile: 'path', name: 'path', regex: 'regexp', value: 'line' },
).superRefine((a, ctx) => {
  if (a.state !== 'absent' && a.line === undefined)
    ctx.addIssue({ code: 'custom', path: ['line'], message: 'is required with state=present' });
  if (a.insertafter !== undefined && a.insertbefore !== undefined)
    ctx.addIssue({ code: 'custom', path: ['insertbefore'], message: 'cannot be used together with insertafter' });
  if (given(a, 'regexp') && given(a, 'search_string'))
    ctx.addIssue({ code: 'custom', path: ['search_string'], message: 'cannot be used together with regexp' });
  if (given(a, 'backrefs') && given(a, 'search_string'))
    ctx.addIssue({ code: 'custom', path: ['search_string'], message: 'cannot be used together with backrefs' });
});

export type LineinfileArgs = Revealed<z.output<typeof lineinfileArgs>>;

export interface LineEdit {
  /** Byte strings (latin1), each with its line end. */
  lines: string[];
  msg: string;
  found?: number;
}

const stripEol = (l: string) => l.replace(/[\r\n]+$/, '');

/** Ansible's present(): where the line goes, on the file's lines. */
export function linePresent(input: readonly string[], a: LineinfileArgs): LineEdit {
  const lines = [...input];
  const line = toBytes(a.line ?? '');
  let insertafter = a.insertafter;
  const insertbefore = a.insertbefore;
  if (insertafter === undefined && insertbefore === undefined) insertafter = 'EOF';
  const re = a.regexp !== undefined ? compilePython(a.regexp).re : undefined;
  const ins =
    insertafter !== undefined && insertafter !== 'BOF' && insertafter !== 'EOF'
      ? compilePython(insertafter).re
      : insertbefore !== undefined && insertbefore !== 'BOF'
        ? compilePython(insertbefore).re
        : undefined;
  const index = [-1, -1];
  let match: RegExpExecArray | boolean | null = null;
  if (re) {
    for (const [n, cur] of lines.entries()) {
      const m = re.exec(cur);
      if (m) {
        index[0] = n;
        match = m;
        if (a.firstmatch) break;
      }
    }
  }
  if (a.search_string !== undefined) {
    const needle = toBytes(a.search_string);
    for (const [n, cur] of lines.entries()) {
      if (cur.includes(needle)) {
        index[0] = n;
        match = true;
        if (a.firstmatch) break;
      }
    }
  }
  if (!match) {
    for (const [n, cur] of lines.entries()) {
      if (line === stripEol(cur)) {
        index[0] = n;
      } else if (ins && ins.exec(cur)) {
        if (insertafter) {
          index[1] = n + 1;
          if (a.firstmatch) break;
        }
        if (insertbefore) {
          index[1] = n;
          if (a.firstmatch) break;
        }
      }
    }
  }
  let msg = '';
  const [i0, i1] = index as [number, number];
  const lastHasEol = () => lines.length > 0 && /[\r\n]$/.test(lines.at(-1)!);
  if (i0 !== -1) {
    let newLine = a.backrefs && match && typeof match !== 'boolean' ? expandMatch(match, line) : line;
    if (!newLine.endsWith('\n')) newLine += '\n';
    if (lines[i0] !== newLine) {
      lines[i0] = newLine;
      msg = 'line replaced';
    }
  } else if (a.backrefs) {
    // Nothing: the line cannot be built without the regexp's groups.
  } else if (insertbefore === 'BOF' || insertafter === 'BOF') {
    lines.unshift(line + '\n');
    msg = 'line added';
  } else if (insertafter === 'EOF' || i1 === -1) {
    if (lines.length && !lastHasEol()) lines.push('\n');
    lines.push(line + '\n');
    msg = 'line added';
  } else if (insertafter && i1 !== -1) {
    if (lines.length === i1) {
      if (stripEol(lines[i1 - 1]!) !== line) {
        lines.push(line + '\n');
        msg = 'line added';
      }
    } else if (line !== stripEol(lines[i1]!)) {
      lines.splice(i1, 0, line + '\n');
      msg = 'line added';
    }
  } else {
    lines.splice(i1, 0, line + '\n');
    msg = 'line added';
  }
  return { lines, msg };
}

/** Ansible's absent(): every line the regexp, search string or exact line matches goes. */
export function lineAbsent(input: readonly string[], a: LineinfileArgs): LineEdit {
  const re = a.regexp !== undefined ? compilePython(a.regexp).re : undefined;
  const needle = a.search_string !== undefined ? toBytes(a.search_string) : undefined;
  const line = toBytes(a.line ?? '');
  const matches = (cur: string) =>
    re ? re.test(cur) : needle !== undefined ? cur.includes(needle) : line === stripEol(cur);
  const lines = input.filter((l) => !matches(l));
  const found = input.length - lines.length;
  return { lines, found, msg: found ? `${found} line(s) removed` : '' };
}

function planLineinfile(a: LineinfileArgs, probed: ProbedFiles, ctx: ModuleContext): PlanOutcome {
  const f = probed.files[0]!;
  const state = a.state ?? 'present';
  if (f.type === 'directory') return { failed: `Path ${a.path} is a directory !`, data: { rc: 256 } };
  const warnings: string[] = [];
  if (a.regexp === '')
    warnings.push(
      "The regular expression is an empty string, which will match every line in the file. If this is desired, use '^' to match every line in the file and avoid this warning.",
    );
  if (a.search_string === '')
    warnings.push('The search string is an empty string, which will match every line in the file.');
  if (state === 'absent') {
    if (a.regexp === undefined && a.search_string === undefined && a.line === undefined)
      return { failed: 'one of line, search_string, or regexp is required with state=absent' };
    if (!f.exists) return { changes: [], msg: 'file not present', data: { found: 0 } };
  } else {
    if (a.backrefs && a.regexp === undefined) return { failed: 'regexp is required with backrefs=true' };
    if (!f.exists && !a.create) return { failed: `Destination ${a.path} does not exist !`, data: { rc: 257 } };
  }
  if (f.exists && f.content === undefined) return { failed: `${a.path} is not a readable file` };
  const before = f.exists ? splitLines(f.content!.toString('latin1')) : [];
  let edit: LineEdit;
  try {
    edit = state === 'absent' ? lineAbsent(before, a) : linePresent(before, a);
  } catch (e) {
    return { failed: (e as Error).message };
  }
  return writeEdited(
    a,
    probed,
    Buffer.from(edit.lines.join(''), 'latin1'),
    edit.msg,
    warnings,
    edit.found !== undefined ? { found: edit.found } : {},
    ctx.secretArgs?.has('line') === true,
  );
}

/**
 * Writes the edited content to the real path (links are followed, as Ansible does), creating a
 * missing parent directory when `create` allows a new file; reports Ansible's msg.
 */
export function writeEdited(
  a: FileAttrs & { path: string; backup?: boolean | undefined; validate?: string | undefined },
  probed: ProbedFiles,
  content: Buffer,
  msg: string,
  warnings: string[],
  data: Record<string, unknown>,
  secret = false,
): PlanOutcome {
  const f = probed.files[0]!;
  const path = f.realPath ?? a.path;
  const pre: Change[] = [];
  let current = { ...f, path };
  if (!f.exists && !f.parentIsDir) {
    pre.push({
      summary: `create directory ${posix.dirname(path)}`,
      steps: [{ run: sh`mkdir -p -- ${posix.dirname(path)}` }],
    });
    current = { ...current, parentIsDir: true };
  }
  const header = `${a.path} (content)`;
  const planned = planWrite({
    path,
    current,
    content,
    attrs: { owner: a.owner, group: a.group, mode: a.mode },
    umask: probed.umask,
    backup: a.backup,
    validate: a.validate,
    afterHeader: header,
    secret,
  });
  if ('failed' in planned) return { failed: planned.failed };
  for (const c of planned) if (c.diff && c.diff.beforeHeader === path) c.diff.beforeHeader = header;
  const hasPut = (c: Change) => c.steps.some((s) => 'put' in s);
  const contentChanged = planned.some(hasPut);
  const attrsChanged = planned.some((c) => !hasPut(c));
  const attrsMsg = 'ownership, perms or SE linux context changed';
  const fullMsg = attrsChanged ? (contentChanged && msg ? `${msg} and ${attrsMsg}` : attrsMsg) : msg;
  const changes = [...pre, ...planned];
  return {
    changes,
    msg: changes.length ? fullMsg : '',
    data: { ...data, ...(changes.length ? { msg: fullMsg } : {}) },
    warnings,
  };
}

/**
 * The content diff of a write shown as the module's text (decoded with its encoding, newlines as
 * the module read them), as Ansible's diff shows it; a secret's hidden diff stays hidden.
 */
export function showDiffAs(out: PlanOutcome, before: string, after: string, secret: boolean): PlanOutcome {
  if (secret || !('changes' in out)) return out;
  for (const c of out.changes) if (c.diff && c.steps.some((s) => 'put' in s)) Object.assign(c.diff, { before, after });
  return out;
}

export const lineinfileModule: StateModule<z.output<typeof lineinfileArgs>, ProbedFiles> = {
  name: 'lineinfile',
  aliases: ['ansible.builtin.lineinfile'],
  exec: 'state',
  args: lineinfileArgs,
  overlay: overlayPredicted,
  probe: (a) => probeFiles([{ path: a.path, what: { follow: true, content: true, realPath: true } }]),
  plan: planLineinfile,
  collect: collectWrite,
};
