// Python's shlex.split in POSIX mode, which Ansible uses to split INI host lines (with
// comments), `command:` lines and ansible_ssh_*_args: quotes group words and disappear, a
// backslash escapes outside single quotes (inside double quotes only `"` and itself), and with
// `comments` a `#` outside quotes ends the line.

export class ShlexError extends Error {}

const WHITESPACE = ' \t\r\n';

export function shlexSplit(line: string, opts: { comments?: boolean } = {}): string[] {
  const comments = opts.comments ?? false;
  const words: string[] = [];
  let token = '';
  let inWord = false; // a token has started (quoted empty strings count)
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (WHITESPACE.includes(c)) {
      if (inWord) words.push(token);
      token = '';
      inWord = false;
      i++;
    } else if (c === '#' && comments) {
      break;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new ShlexError('No escaped character');
      token += line[i + 1];
      inWord = true;
      i += 2;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ShlexError('No closing quotation');
      token += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new ShlexError('No closing quotation');
        const d = line[i]!;
        if (d === '"') break;
        // in double quotes a backslash escapes only `"` and itself, as POSIX shlex does
        if (d === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          token += line[i + 1];
          i += 2;
          continue;
        }
        token += d;
        i++;
      }
      inWord = true;
      i++;
    } else {
      token += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(token);
  return words;
}
