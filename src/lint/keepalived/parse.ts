// keepalived.conf read as keepalived reads it: a statement per line, `{ }` blocks (the brace may
// stand on the next line), `#` and `!` comments, double-quoted strings, and `include` of other
// files (globs allowed, relative to the including file). Every node keeps its file:line:col;
// syntax problems come back as diagnostics, never as exceptions.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { diag, type Diagnostic, type SourcePos } from '../../diagnostics.js';

export interface KaNode {
  keyword: string;
  args: string[];
  pos: SourcePos;
  argPos: SourcePos[];
  /** Present for blocks (`keyword args { ... }`). */
  children?: KaNode[];
}

interface Token {
  text: string;
  pos: SourcePos;
  /** A `{` or `}` (quoted braces are words). */
  brace: boolean;
  /** First token of its line. */
  lineStart: boolean;
}

/** keepalived reads with fgets into a buffer of MAXBUF (1024) bytes: a longer line comes in pieces of 1023, each read as a line of its own. */
const MAXBUF = 1024;

/** A line as keepalived's reads give it: in pieces of at most MAXBUF - 1 bytes (the newline counts). */
function pieces(line: string, last: boolean): string[] {
  const bytes = Buffer.from(last ? line : `${line}\n`, 'utf8');
  if (bytes.length < MAXBUF) return [line];
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += MAXBUF - 1) out.push(bytes.subarray(i, i + MAXBUF - 1).toString('utf8'));
  return out.map((p) => p.replace(/\n$/, ''));
}

/** keepalived's white space (WHITE_SPACE_STR): a \r (CRLF files) is one, only \n ends a line. */
const SPACE = ' \t\f\r\v';

export function tokenize(text: string, file: string, ds: Diagnostic[]): Token[] {
  const out: Token[] = [];
  const lines = text.split('\n');
  lines.forEach((whole, i) => {
    const parts = pieces(whole, i === lines.length - 1);
    let offset = 0;
    for (const line of parts) {
      tokenizeLine(line, i, offset, file, ds, out);
      offset += line.length;
    }
  });
  return out;
}

function tokenizeLine(line: string, i: number, offset: number, file: string, ds: Diagnostic[], out: Token[]): void {
  let col = 0;
  let first = true;
  const push = (t: string, c: number, brace: boolean): void => {
    out.push({ text: t, pos: { file, line: i + 1, col: offset + c + 1 }, brace, lineStart: first });
    first = false;
  };
  while (col < line.length) {
    const ch = line[col]!;
    if (SPACE.includes(ch)) col++;
    else if (ch === '#' || ch === '!') break;
    else if (ch === '{' || ch === '}') push(ch, col++, true);
    else if (ch === '"') {
      const end = line.indexOf('"', col + 1);
      if (end < 0) {
        ds.push(
          diag(
            'unterminated quoted string',
            { file, line: i + 1, col: offset + col + 1 },
            'close the string with " on the same line',
          ),
        );
        push(line.slice(col + 1), col, false);
        col = line.length;
      } else {
        push(line.slice(col + 1, end), col, false);
        col = end + 1;
      }
    } else {
      const start = col;
      while (col < line.length && !`${SPACE}{}#!"`.includes(line[col]!)) col++;
      // As in keepalived, `#` and `!` start a comment anywhere outside quotes, even mid-word.
      push(line.slice(start, col), start, false);
    }
  }
}

function expandInclude(pattern: string, from: string): string[] {
  const full = isAbsolute(pattern) ? pattern : resolve(dirname(from), pattern);
  if (!/[*?[]/.test(basename(full))) return [full];
  const dir = dirname(full);
  const re = new RegExp(
    `^${basename(full)
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  try {
    return readdirSync(dir)
      .filter((n) => re.test(n))
      .sort()
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/** Blocks deeper than this are no keepalived.conf (its deepest, a check's url, is 4): lint stops there. */
export const MAX_DEPTH = 32;
/** Bigger files are refused unread: keepalived.conf files are kilobytes, and lint must answer in seconds. */
export const MAX_BYTES = 8 << 20;

/** A file's text, or why lint does not read it (a directory, a FIFO or device, too big, unreadable). */
export function readConf(path: string): { text: string } | { problem: string; code?: string } {
  try {
    const st = statSync(path);
    if (st.isDirectory()) return { problem: 'a directory, not a file', code: 'EISDIR' };
    if (!st.isFile()) return { problem: 'not a regular file (a FIFO, socket or device)' };
    if (st.size > MAX_BYTES) return { problem: `${st.size} bytes, more than the ${MAX_BYTES >> 20} MiB lint reads` };
    return { text: readFileSync(path, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { problem: `cannot read it: ${code ?? String(e)}`, ...(code ? { code } : {}) };
  }
}

export interface ParseResult {
  nodes: KaNode[];
  diagnostics: Diagnostic[];
  /** Every file read, the main one first. */
  files: string[];
}

/** Parses text (as `file`); `include` reads further files from disk. */
export function parseKeepalived(text: string, file: string, seen: Set<string> = new Set([resolve(file)])): ParseResult {
  const ds: Diagnostic[] = [];
  const files = [file];
  const tokens = tokenize(text, file, ds);
  const root: KaNode[] = [];
  const stack: Array<{ node: KaNode | undefined; children: KaNode[] }> = [{ node: undefined, children: root }];
  let stmt: Token[] = [];
  let last: KaNode | undefined;

  const flush = (): void => {
    if (!stmt.length) return;
    const [head, ...args] = stmt;
    stmt = [];
    const node: KaNode = {
      keyword: head!.text,
      args: args.map((a) => a.text),
      pos: head!.pos,
      argPos: args.map((a) => a.pos),
    };
    if (node.keyword === 'include') {
      if (!node.args[0]) ds.push(diag('include names no file', node.pos, 'write include FILE (globs allowed)'));
      for (const f of node.args[0] ? expandInclude(node.args[0], file) : []) {
        if (seen.has(f)) {
          // keepalived -t takes it (it reads the file once): a warning.
          ds.push(
            diag(
              `include of ${f} makes a loop`,
              node.argPos[0],
              'remove the include that brings the file back in',
              'warning',
            ),
          );
          continue;
        }
        const read = readConf(f);
        if (!('text' in read)) {
          // A config copied off a host names includes that exist only there (the director role's
          // /etc/keepalived/vrrp_auth.conf): say what was not checked, as keepalived itself warns.
          if (read.code === 'ENOENT')
            ds.push(
              diag(
                `include ${node.args[0]}: ${f} does not exist here; its content is not checked`,
                node.argPos[0],
                "lint the included file too, or fix the path (relative paths start at the including file's directory)",
                'warning',
              ),
            );
          else
            ds.push(
              diag(
                `include ${node.args[0]}: ${read.problem}`,
                node.argPos[0],
                "fix the path (relative paths start at the including file's directory)",
              ),
            );
          continue;
        }
        const r = parseKeepalived(read.text, f, new Set([...seen, f]));
        for (const d of r.diagnostics) ds.push(d);
        for (const x of r.files) files.push(x);
        for (const n of r.nodes) stack[stack.length - 1]!.children.push(n);
      }
      if (node.args[0] && !expandInclude(node.args[0], file).length)
        ds.push(
          diag(`include ${node.args[0]}: no file matches`, node.argPos[0], 'fix the path or the glob', 'warning'),
        );
      last = undefined;
      return;
    }
    stack[stack.length - 1]!.children.push(node);
    last = node;
  };

  for (const t of tokens) {
    if (t.lineStart) flush();
    if (t.brace && t.text === '{' && stack.length > MAX_DEPTH) {
      ds.push(
        diag(
          `blocks nested more than ${MAX_DEPTH} deep: lint reads no further`,
          t.pos,
          'close the blocks; keepalived.conf nests at most a few levels (virtual_server, real_server, check, url)',
        ),
      );
      break;
    }
    if (!t.brace) {
      stmt.push(t);
      continue;
    }
    if (t.text === '{') {
      let owner: KaNode | undefined;
      if (stmt.length) {
        flush();
        owner = last;
      } else if (last && !last.children) owner = last; // the brace on the line after its keyword
      if (!owner) {
        ds.push(
          diag('a block opens here without a keyword', t.pos, 'put the keyword (e.g. vrrp_instance NAME) before the {'),
        );
        owner = { keyword: '', args: [], pos: t.pos, argPos: [] };
      }
      owner.children = [];
      stack.push({ node: owner, children: owner.children });
      last = undefined;
    } else {
      flush();
      if (stack.length === 1)
        ds.push(diag('} closes no block', t.pos, 'remove it, or add the { it was meant to close'));
      else stack.pop();
      last = undefined;
    }
  }
  flush();
  for (const open of stack.slice(1).reverse()) {
    ds.push(
      diag(
        `block ${open.node!.keyword} ${open.node!.args.join(' ')} is never closed`.replace(/\s+is/, ' is'),
        open.node!.pos,
        'add the missing }',
      ),
    );
  }
  return { nodes: root, diagnostics: ds, files };
}

export function parseKeepalivedFile(path: string): ParseResult {
  const read = readConf(path);
  if (!('text' in read))
    return {
      nodes: [],
      files: [path],
      diagnostics: [
        diag(
          `not linted: ${read.problem}`,
          { file: path, line: 1, col: 1 },
          'give lint the keepalived.conf file itself',
        ),
      ],
    };
  return parseKeepalived(read.text, path);
}
