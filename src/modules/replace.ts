// replace: every match of a regular expression in a file replaced (Python's re.subn with
// re.MULTILINE), optionally only between `after` and `before`. Ansible's replace.py ported on
// the file's text (UTF-8, as its default `encoding`), computed on the controller from the probed
// content and written with put, so check mode and --diff show exactly what the run writes.
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { bool, moduleArgs, str } from './args.js';
import { collectWrite } from './copy.js';
import { fileAttrs } from './file-attrs.js';
import { overlayPredicted, probeFiles, type ProbedFiles } from './fileinfo.js';
import { showDiffAs, writeEdited } from './lineinfile.js';
import { compilePython, expandMatch } from './pyregex.js';
import type { ModuleContext, PlanOutcome, StateModule } from './runtime.js';

const replaceArgs = moduleArgs(
  {
    path: str(),
    regexp: str(),
    replace: str().optional(),
    after: str().optional(),
    before: str().optional(),
    backup: bool().optional(),
    validate: str().optional(),
    encoding: str().optional(),
    ...fileAttrs,
  },
  { dest: 'path', destfile: 'path', name: 'path' },
);

export type ReplaceArgs = Revealed<z.output<typeof replaceArgs>>;

/** Python's re.subn(pattern, template, text): the new text and the number of matches replaced. */
export function pySubn(pattern: string, template: string, text: string, flags: string): [string, number] {
  const re = compilePython(pattern, { text: true, flags: `g${flags}` }).re;
  let out = '';
  let last = 0;
  let count = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out += text.slice(last, m.index) + expandMatch(m, template);
    last = m.index + m[0].length;
    count++;
    // An empty match moves on by one, as Python's scanner does.
    if (m[0] === '') re.lastIndex = m.index + 1;
    if (re.lastIndex > text.length) break;
  }
  return [out + text.slice(last), count];
}

export interface ReplaceEdit {
  result: string;
  msg: string;
  changed: boolean;
}

/** Ansible's replace on the file's text. */
export function editReplace(contents: string, a: ReplaceArgs): ReplaceEdit {
  let pattern = '';
  if (a.after && a.before) pattern = `${a.after}(?P<subsection>.*?)${a.before}`;
  else if (a.after) pattern = `${a.after}(?P<subsection>.*)`;
  else if (a.before) pattern = `(?P<subsection>.*)${a.before}`;
  let section = contents;
  let start = 0;
  if (pattern) {
    const m = compilePython(pattern, { text: true, flags: 'sd' }).re.exec(contents);
    if (!m) {
      return {
        result: contents,
        msg: `Pattern for before/after params did not match the given file: ${pattern}`,
        changed: false,
      };
    }
    const at = m.indices?.groups?.subsection;
    if (m.groups?.subsection === undefined || !at)
      throw new RangeError(`the before/after pattern ${pattern} matched without its subsection`);
    section = m.groups.subsection;
    start = at[0];
  }
  const [replaced, count] = pySubn(a.regexp, a.replace ?? '', section, 'm');
  if (count > 0 && replaced !== section) {
    const result = pattern ? contents.slice(0, start) + replaced + contents.slice(start + section.length) : replaced;
    return { result, msg: `${count} replacements made`, changed: true };
  }
  return { result: contents, msg: '', changed: false };
}

function planReplace(a: ReplaceArgs, probed: ProbedFiles, ctx: ModuleContext): PlanOutcome {
  const f = probed.files[0]!;
  if (f.type === 'directory') return { failed: `Path ${a.path} is a directory !`, data: { rc: 256 } };
  if (!f.exists) return { failed: `Path ${a.path} does not exist !`, data: { rc: 257 } };
  if (f.content === undefined) return { failed: `Unable to read the contents of ${a.path}` };
  const encoding = (a.encoding ?? 'utf-8').toLowerCase().replace(/_/g, '-');
  const codec = encoding === 'utf-8' || encoding === 'utf8' ? 'utf8' : encoding === 'latin-1' ? 'latin1' : undefined;
  if (!codec) return { failed: `encoding ${a.encoding} is not supported here; use utf-8 or latin-1` };
  const contents = f.content.toString(codec);
  if (!Buffer.from(contents, codec).equals(f.content))
    return { failed: `${a.path} is not valid ${encoding} text; give the file's encoding with encoding:` };
  let edit: ReplaceEdit;
  try {
    edit = editReplace(contents, a);
  } catch (e) {
    return { failed: (e as Error).message };
  }
  const secret = ctx.secretArgs?.has('replace') === true;
  const out = writeEdited(a, probed, Buffer.from(edit.result, codec), edit.msg, [], {}, secret);
  // The diff shows the text as decoded with the file's encoding, as Ansible's does.
  return codec === 'utf8' ? out : showDiffAs(out, contents, edit.result, secret);
}

export const replaceModule: StateModule<z.output<typeof replaceArgs>, ProbedFiles> = {
  name: 'replace',
  aliases: ['ansible.builtin.replace'],
  exec: 'state',
  args: replaceArgs,
  overlay: overlayPredicted,
  probe: (a) => probeFiles([{ path: a.path, what: { follow: true, content: true, realPath: true } }]),
  plan: planReplace,
  collect: collectWrite,
};
