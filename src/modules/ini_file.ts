// ini_file (community.general): one option of one section set, added or removed, or a section
// dropped. community.general 6.6's do_ini() ported line by line on the file's text (read as
// Python reads it: UTF-8 with an optional BOM, universal newlines), computed on the controller
// from the probed content and written with put; its `changed` decides the write, as in Ansible.
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { bool, choice, given, list, moduleArgs, pyStr, str } from './args.js';
import { collectWrite } from './copy.js';
import { fileAttrs } from './file-attrs.js';
import { overlayPredicted, probeFiles, type ProbedFiles } from './fileinfo.js';
import { showDiffAs, writeEdited } from './lineinfile.js';
import type { ModuleContext, PlanOutcome, StateModule } from './runtime.js';

const iniArgs = moduleArgs(
  {
    path: str(),
    section: pyStr().optional(),
    option: pyStr().optional(),
    value: pyStr().optional(),
    values: list().optional(),
    backup: bool().optional(),
    state: choice('absent', 'present').optional(),
    exclusive: bool().optional(),
    no_extra_spaces: bool().optional(),
    allow_no_value: bool().optional(),
    create: bool().optional(),
    ...fileAttrs,
  },
  { dest: 'path' },
).superRefine((a, ctx) => {
  if (given(a, 'value') && given(a, 'values'))
    ctx.addIssue({ code: 'custom', path: ['values'], message: 'cannot be used together with value' });
});

export type IniArgs = Revealed<z.output<typeof iniArgs>>;

export interface IniEdit {
  result: string;
  changed: boolean;
  msg: string;
  /** The file as the module read it (BOM dropped, newlines made \n): the diff's before. */
  before: string;
}

/** The file read as Python's io.open(..., encoding='utf-8-sig') reads it, split as readlines(). */
export function readIniLines(content: string): string[] {
  const text = content.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\\-#&~\s]/g, (c) => `\\${c}`);
const matchOpt = (option: string, line: string) =>
  new RegExp(`^[#;]?( |\\t)*(${reEscape(option)})( |\\t)*(=|(?=\\n?$))( |\\t)*([^\\n]*)`).exec(line);
const matchActiveOpt = (option: string, line: string) =>
  new RegExp(`^( |\\t)*(${reEscape(option)})( |\\t)*(=|(?=\\n?$))( |\\t)*([^\\n]*)`).exec(line);

const FAKE_SECTION = 'ad01e11446efb704fcdbdb21f2c43757423d91c5';

/** community.general's do_ini() on the file's text (undefined: the file does not exist). */
export function editIni(content: string | undefined, a: IniArgs): IniEdit {
  const state = a.state ?? 'present';
  const exclusive = a.exclusive ?? true;
  const option = a.option;
  const allowNoValue = a.allow_no_value ?? false;
  const given = a.value !== undefined ? [a.value] : (a.values ?? []).map((v) => pyText(v));
  const values: string[] = [];
  for (const v of given) if (!values.includes(v)) values.push(v);
  let ini = content === undefined ? [] : readIniLines(content);
  const before = ini.join('');
  let changed = false;
  if (!ini.length) ini.push('\n');
  if (!ini.at(-1)!.endsWith('\n')) {
    ini[ini.length - 1] += '\n';
    changed = true;
  }
  ini.unshift(`[${FAKE_SECTION}]`);
  ini.push('[');
  const section = a.section ? a.section : FAKE_SECTION;
  let within = false;
  let start = 0;
  let end = 0;
  let msg = 'OK';
  const assign = (o: string, v: string) => (a.no_extra_spaces ? `${o}=${v}\n` : `${o} = ${v}\n`);
  let noValuePresent = false;
  const blankOrComment = /^[ \t]*([#;].*)?$/;
  for (const [i, line] of ini.entries()) {
    if (line.startsWith(`[${section}]`)) {
      within = true;
      start = i;
    } else if (line.startsWith('[') && within) {
      end = i;
      break;
    }
  }
  const head = ini.slice(0, start);
  let lines = ini.slice(start, end);
  const tail = ini.slice(end);
  const touched = lines.map(() => false);
  const update = (i: number, newline: string) => {
    if (lines[i] !== newline) {
      changed = true;
      msg = 'option changed';
    }
    lines[i] = newline;
    touched[i] = true;
  };

  if (state === 'present' && option) {
    for (const [i, line] of lines.entries()) {
      const m = matchOpt(option, line);
      if (!m) continue;
      const value = m[6]!;
      if (values.length && values.includes(value)) {
        if (!value && allowNoValue) {
          update(i, `${option}\n`);
          noValuePresent = true;
        } else update(i, assign(option, value));
        values.splice(values.indexOf(value), 1);
      } else if (!values.length && allowNoValue) {
        update(i, `${option}\n`);
        noValuePresent = true;
        break;
      }
    }
  }
  if (state === 'present' && exclusive && !allowNoValue) {
    if (values.length) {
      for (const [i, line] of lines.entries()) {
        if (!touched[i] && option !== undefined && matchOpt(option, line)) {
          update(i, assign(option, values.shift()!));
          if (!values.length) break;
        }
      }
    }
    for (let i = lines.length - 1; i > 0; i--) {
      if (!touched[i] && option !== undefined && matchOpt(option, lines[i]!)) {
        lines.splice(i, 1);
        touched.splice(i, 1);
        changed = true;
        msg = 'option changed';
      }
    }
  }
  if (state === 'present') {
    for (let i = lines.length; i > 0; i--) {
      if (blankOrComment.test(stripNl(lines[i - 1]!))) continue;
      if (option && values.length) {
        for (const v of [...values].reverse()) lines.splice(i, 0, assign(option, v));
        msg = 'option added';
        changed = true;
      } else if (option && !values.length && allowNoValue && !noValuePresent) {
        lines.splice(i, 0, `${option}\n`);
        msg = 'option added';
        changed = true;
      }
      break;
    }
  }
  if (state === 'absent') {
    if (option) {
      if (exclusive) {
        const kept = lines.filter((l) => !matchActiveOpt(option, l));
        if (kept.length !== lines.length) {
          changed = true;
          msg = 'option changed';
          lines = kept;
        }
      } else if (values.length) {
        const kept = lines.filter((l) => {
          const m = matchActiveOpt(option, l);
          return !(m && values.includes(m[6]!));
        });
        if (kept.length !== lines.length) {
          changed = true;
          msg = 'option changed';
          lines = kept;
        }
      }
    } else if (lines.length) {
      lines = [];
      msg = 'section removed';
      changed = true;
    }
  }
  ini = [...head, ...lines, ...tail].slice(1, -1);
  if (!within && state === 'present') {
    ini.push(`[${section}]\n`);
    msg = 'section and option added';
    if (option && values.length) for (const v of values) ini.push(assign(option, v));
    else if (option && !values.length && allowNoValue) ini.push(`${option}\n`);
    else msg = 'only section added';
    changed = true;
  }
  return { result: ini.join(''), changed, msg, before };
}

/** Python's `$` without MULTILINE also matches before a final newline: tested on the line without it. */
const stripNl = (l: string) => l.replace(/\n$/, '');

/** A list element as Ansible's `elements: str` makes it (Python's str()). */
function pyText(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null || v === undefined) return 'None';
  return String(v);
}

function planIni(a: IniArgs, probed: ProbedFiles, ctx: ModuleContext): PlanOutcome {
  const f = probed.files[0]!;
  if ((a.state ?? 'present') === 'present' && !a.allow_no_value && a.value === undefined && !a.values?.length)
    return { failed: "Parameter 'value(s)' must be defined if state=present and allow_no_value=False." };
  if (f.type === 'directory') return { failed: `${a.path} is a directory` };
  if (!f.exists && a.create === false) return { failed: `Destination ${a.path} does not exist!`, data: { rc: 257 } };
  if (f.exists && f.content === undefined) return { failed: `${a.path} is not a readable file` };
  const text = f.exists ? f.content!.toString('utf8') : undefined;
  if (f.exists && !Buffer.from(text!, 'utf8').equals(f.content!))
    return { failed: `${a.path} is not valid UTF-8 text, which ini_file reads` };
  const edit = editIni(text, a);
  const secret = ctx.secretArgs?.has('value') === true || ctx.secretArgs?.has('values') === true;
  const data = { path: a.path, msg: edit.msg };
  if (!edit.changed) {
    // Nothing to write; owner/group/mode may still differ.
    const out = f.exists ? writeEdited(a, probed, f.content!, edit.msg, [], data, secret) : { changes: [] };
    return { ...out, msg: edit.msg, data } as PlanOutcome;
  }
  const out = writeEdited(a, probed, Buffer.from(edit.result, 'utf8'), edit.msg, [], data, secret);
  if ('failed' in out) return out;
  return { ...showDiffAs(out, edit.before, edit.result, secret), msg: edit.msg, data } as PlanOutcome;
}

export const iniFileModule: StateModule<z.output<typeof iniArgs>, ProbedFiles> = {
  name: 'ini_file',
  aliases: ['community.general.ini_file', 'community.general.files.ini_file'],
  exec: 'state',
  args: iniArgs,
  overlay: overlayPredicted,
  probe: (a) => probeFiles([{ path: a.path, what: { follow: true, content: true, realPath: true } }]),
  plan: planIni,
  collect: collectWrite,
};
