// Python regular expressions (what Ansible's lineinfile/blockinfile take) run as JavaScript
// ones, on "byte strings" (one char per byte, latin1) so that any file round-trips exactly.
// The differences that matter for line edits are bridged: `(?P<n>...)`/`(?P=n)`, leading inline
// flags `(?im)`, `\A`/`\Z`, and `$`, which in Python also matches before a final newline (lines
// are searched with their `\n`, as Python's readlines() keeps it).

import { GuardedRegExp } from '../regex-guard.js';

/** Text as the bytes of its UTF-8 form, one char per byte. */
export const toBytes = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

export interface PyRegex {
  re: RegExp;
  multiline: boolean;
}

export interface PyCompileOptions {
  /** Match on text (Python str), not on bytes: the pattern is kept as it is. */
  text?: boolean;
  /** Flags the caller passes as Python's re.MULTILINE (m) / re.DOTALL (s); 'g' for sub(). */
  flags?: string;
}

export function compilePython(pattern: string, opts: PyCompileOptions = {}): PyRegex {
  let p = opts.text ? pattern : toBytes(pattern);
  let flags = opts.flags ?? '';
  const lead = /^\(\?([aiLmsux]+)\)/.exec(p);
  if (lead) {
    p = p.slice(lead[0].length);
    for (const f of lead[1]!) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
  }
  const multiline = flags.includes('m');
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const n = p[i + 1] ?? '';
      i++;
      if (!inClass && n === 'A') out += multiline ? '(?<![\\s\\S])' : '^';
      else if (!inClass && n === 'Z') out += '(?![\\s\\S])';
      else out += c + n;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // a ']' right after '[' or '[^' is literal in Python
      if (p[i + 1] === '^') out += p[++i];
      if (p[i + 1] === ']') out += '\\' + p[++i];
      continue;
    }
    // Python's `.` stops at \n only (JavaScript's also at \r, \u2028, \u2029), and its
    // MULTILINE `^` starts a line after \n only.
    if (c === '.' && !flags.includes('s')) {
      out += '[^\\n]';
      continue;
    }
    if (c === '^' && multiline) {
      out += '(?:(?<=\\n)|(?<![\\s\\S]))';
      continue;
    }
    if (c === '$') {
      out += multiline ? '(?=\\n|(?![\\s\\S]))' : '(?=\\n?(?![\\s\\S]))';
      continue;
    }
    if (p.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
      continue;
    }
    const backref = /^\(\?P=(\w+)\)/.exec(p.slice(i));
    if (backref) {
      out += `\\k<${backref[1]}>`;
      i += backref[0].length - 1;
      continue;
    }
    out += c;
  }
  try {
    return { re: new GuardedRegExp(out, flags, pattern), multiline };
  } catch (e) {
    throw new RangeError(`'${pattern}' is not a regular expression this runner understands: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '\\': '\\' };

/** Python's match.expand(template): \1, \g<1>, \g<name> and the usual escapes. */
export function expandMatch(m: RegExpExecArray, template: string): string {
  const group = (ref: string): string => {
    const v = /^\d+$/.test(ref) ? m[Number(ref)] : m.groups?.[ref];
    if (v === undefined && !(/^\d+$/.test(ref) ? Number(ref) < m.length : m.groups && ref in m.groups))
      throw new RangeError(`invalid group reference ${ref}`);
    return v ?? '';
  };
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const rest = template.slice(i + 1);
    const named = /^g<(\w+)>/.exec(rest);
    const num = /^\d{1,2}/.exec(rest);
    if (named) {
      out += group(named[1]!);
      i += named[0].length;
    } else if (num) {
      out += group(num[0]);
      i += num[0].length;
    } else if (rest[0] !== undefined && rest[0] in ESCAPES) {
      out += ESCAPES[rest[0]]!;
      i++;
    } else if (rest[0] !== undefined && /[A-Za-z]/.test(rest[0])) {
      throw new RangeError(`bad escape \\${rest[0]} in '${template}'`);
    } else {
      out += c;
    }
  }
  return out;
}

/** Lines with their line ends, as Python's readlines() gives them. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
    lines.push(text.slice(start, i + 1));
    start = i + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}
