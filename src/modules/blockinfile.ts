// blockinfile: keeps a block of lines between two marker lines, replacing the block in place
// when the markers exist, inserting it after/before a match (or at EOF/BOF) when not, or
// removing it. Ported from Ansible's blockinfile.py on byte strings; written with put.
import { overlayPredicted } from './fileinfo.js';
import type { z } from 'zod';
import type { Revealed } from '../secret.js';
import { bool, choice, moduleArgs, str } from './args.js';
import { collectWrite } from './copy.js';
import { fileAttrs } from './file-attrs.js';
import { probeFiles, type ProbedFiles } from './fileinfo.js';
import { writeEdited } from './lineinfile.js';
import { compilePython, toBytes } from './pyregex.js';
import type { ModuleContext, PlanOutcome, StateModule } from './runtime.js';

const blockinfileArgs = moduleArgs(
  {
    path: str(),
    block: str().optional(),
    state: choice('present', 'absent').optional(),
    marker: str().optional(),
    marker_begin: str().optional(),
    marker_end: str().optional(),
    insertafter: str().optional(),
    insertbefore: str().optional(),
    create: bool().optional(),
    backup: bool().optional(),
    validate: str().optional(),
    append_newline: bool().optional(),
    prepend_newline: bool().optional(),
    ...fileAttrs,
  },
  { dest: 'path', destfile: 'path', name: 'path', content: 'block' },
).superRefine((a, ctx) => {
  if (a.insertafter !== undefined && a.insertbefore !== undefined)
    ctx.addIssue({ code: 'custom', path: ['insertbefore'], message: 'cannot be used together with insertafter' });
});

export type BlockinfileArgs = Revealed<z.output<typeof blockinfileArgs>>;

/** Python's bytes.splitlines(True): \n, \r\n and \r all end a line. */
function splitLinesAny(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

/**
 * Ansible's blockinfile on the file's content (a byte string, or undefined for a missing file):
 * the new content and Ansible's message.
 */
export function editBlock(original: string | undefined, a: BlockinfileArgs): { result: string; msg: string } {
  const lines = original === undefined ? [] : splitLinesAny(original);
  const present = (a.state ?? 'present') === 'present';
  let insertafter = a.insertafter;
  const insertbefore = a.insertbefore;
  if (insertbefore === undefined && insertafter === undefined) insertafter = 'EOF';
  const insertre =
    insertafter !== undefined && insertafter !== 'EOF'
      ? compilePython(insertafter)
      : insertbefore !== undefined && insertbefore !== 'BOF'
        ? compilePython(insertbefore)
        : undefined;
  const marker = toBytes(a.marker ?? '# {mark} ANSIBLE MANAGED BLOCK');
  const marker0 = marker.split('{mark}').join(toBytes(a.marker_begin ?? 'BEGIN')) + '\n';
  const marker1 = marker.split('{mark}').join(toBytes(a.marker_end ?? 'END')) + '\n';
  let block = toBytes(a.block ?? '');
  let blocklines: string[] = [];
  if (present && block) {
    if (!block.endsWith('\n')) block += '\n';
    blocklines = [marker0, ...splitLinesAny(block), marker1];
  }
  let n0: number | undefined;
  let n1: number | undefined;
  for (const [i, line] of lines.entries()) {
    if (line === marker0) n0 = i;
    if (line === marker1) n1 = i;
  }
  if (n0 === undefined || n1 === undefined) {
    let at: number | undefined;
    if (insertre) {
      if (insertre.multiline) {
        const text = original ?? '';
        const m = insertre.re.exec(text);
        if (m) {
          const upTo = insertafter !== undefined ? m.index + m[0].length : m.index;
          at = (text.slice(0, upTo).match(/\n/g) ?? []).length;
        }
      } else {
        for (const [i, line] of lines.entries()) if (insertre.re.exec(line)) at = i;
      }
      if (at === undefined) at = lines.length;
      else if (insertafter !== undefined) at += 1;
    } else if (insertbefore !== undefined) at = 0;
    else at = lines.length;
    n0 = at;
  } else if (n0 < n1) {
    lines.splice(n0, n1 - n0 + 1);
  } else {
    lines.splice(n1, n0 - n1 + 1);
    n0 = n1;
  }
  if (n0 > 0 && !lines[n0 - 1]!.endsWith('\n')) lines[n0 - 1] += '\n';
  if (a.prepend_newline && present && n0 !== 0 && lines[n0 - 1] !== '\n') {
    lines.splice(n0, 0, '\n');
    n0 += 1;
  }
  lines.splice(n0, 0, ...blocklines);
  if (a.append_newline && present) {
    const after = n0 + blocklines.length;
    if (after < lines.length && lines[after] !== '\n') lines.splice(after, 0, '\n');
  }
  const result = lines.join('');
  const msg =
    original === result
      ? ''
      : original === undefined
        ? 'File created'
        : !blocklines.length
          ? 'Block removed'
          : 'Block inserted';
  return { result, msg };
}

function planBlockinfile(a: BlockinfileArgs, probed: ProbedFiles, ctx: ModuleContext): PlanOutcome {
  const f = probed.files[0]!;
  if (f.type === 'directory') return { failed: `Path ${a.path} is a directory !`, data: { rc: 256 } };
  if (!f.exists && !a.create) return { failed: `Path ${a.path} does not exist !`, data: { rc: 257 } };
  if (!f.exists && (a.state ?? 'present') === 'absent') return { changes: [], msg: `File ${a.path} not present` };
  if (f.exists && f.content === undefined) return { failed: `${a.path} is not a readable file` };
  let edit: { result: string; msg: string };
  try {
    edit = editBlock(f.exists ? f.content!.toString('latin1') : undefined, a);
  } catch (e) {
    return { failed: (e as Error).message };
  }
  const secret = ctx.secretArgs?.has('block') === true;
  return writeEdited(a, probed, Buffer.from(edit.result, 'latin1'), edit.msg, [], {}, secret);
}

export const blockinfileModule: StateModule<z.output<typeof blockinfileArgs>, ProbedFiles> = {
  name: 'blockinfile',
  aliases: ['ansible.builtin.blockinfile'],
  exec: 'state',
  args: blockinfileArgs,
  overlay: overlayPredicted,
  probe: (a) => probeFiles([{ path: a.path, what: { follow: true, content: true, realPath: true } }]),
  plan: planBlockinfile,
  collect: collectWrite,
};
