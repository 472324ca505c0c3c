// Ansible's `key=value` free form (parse_kv/split_args): words split on spaces outside quotes and
// outside {{ }} / {% %}, quotes around a value removed.

import { PY_ESCAPES } from '../vars/python-literal.js';

/** Splits free form text into words, keeping quoted parts and template expressions whole. */
export function splitArgs(text: string): string[] {
  return splitArgSpans(text).map((w) => w.word);
}

interface Span {
  word: string;
  start: number;
  end: number;
}

/** The words of `splitArgs` with where each stands in the text. */
function splitArgSpans(text: string): Span[] {
  const words: Span[] = [];
  let cur = '';
  let start = 0;
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const two = text.slice(i, i + 2);
    if (!quote && (two === '{{' || two === '{%')) {
      depth++;
      if (!cur) start = i;
      cur += two;
      i++;
      continue;
    }
    if (!quote && depth > 0 && (two === '}}' || two === '%}')) {
      depth--;
      cur += two;
      i++;
      continue;
    }
    if (quote) {
      if (c === '\\' && i + 1 < text.length) {
        cur += c + text[++i];
        continue;
      }
      if (c === quote) quote = undefined;
      cur += c;
      continue;
    }
    if ((c === '"' || c === "'") && depth === 0) {
      quote = c;
      if (!cur) start = i;
      cur += c;
      continue;
    }
    if (/\s/.test(c) && depth === 0) {
      if (cur) words.push({ word: cur, start, end: i });
      cur = '';
      continue;
    }
    if (!cur) start = i;
    cur += c;
  }
  if (cur) words.push({ word: cur, start, end: text.length });
  return words;
}

function unquote(v: string): string {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) return v.slice(1, -1);
  return v;
}

const KEY = /^([A-Za-z_][A-Za-z0-9_-]*)=(.*)$/s;

export interface FreeForm {
  /** `key=value` pairs. */
  args: Record<string, string>;
  /** What is left: the free form proper (a command line for command/shell). */
  rest?: string;
}

/**
 * @param onlyKeys for command/shell: split out only these option keys, keep everything else as
 *                 the command line (so `echo a=b` stays a command).
 */
export function parseKv(text: string, onlyKeys?: ReadonlySet<string>): FreeForm {
  const args: Record<string, string> = {};
  const rest: string[] = [];
  let kept = '';
  let from = 0;
  for (const w of splitArgSpans(text)) {
    // an option's word is read with its escapes decoded, as parse_kv does; the rest stays as written
    const m = KEY.exec(decodeEscapes(w.word));
    if (m && (!onlyKeys || onlyKeys.has(m[1]!))) {
      args[m[1]!] = unquote(m[2]!);
      kept += text.slice(from, w.start);
      from = w.end;
    } else rest.push(w.word);
  }
  kept += text.slice(from);
  const out: FreeForm = { args };
  // A command line keeps its own spacing and newlines (a `shell: |` script); only the module's
  // options are cut out of it.
  if (rest.length) out.rest = onlyKeys ? kept.trim() : rest.join(' ');
  return out;
}

/** _decode_escapes() of Ansible's splitter: \U, \u, \x hex escapes and the one-letter ones. */
export function decodeEscapes(s: string): string {
  return s.replace(/\\U[0-9a-fA-F]{8}|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\[\\'"abfnrtv]/g, (e) =>
    e.length > 2 ? String.fromCodePoint(parseInt(e.slice(2), 16)) : PY_ESCAPES[e[1]!]!,
  );
}
