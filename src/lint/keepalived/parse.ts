// keepalived.conf read as keepalived reads it: a statement per line, `{ }` blocks (the brace may
// stand on the next line), `#` and `!` comments, double-quoted strings, and `include` of other
// files (globs allowed, relative to the including file). Every node keeps its file:line:col;
// syntax problems come back as diagnostics, never as exceptions.
import { readdirSync, readFileSync } from 'node:fs';
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

export function tokenize(text: string, file: string, ds: Diagnostic[]): Token[] {
  const out: Token[] = [];
  text.split(/\r\n|\n|\r/).forEach((line, i) => {
    let col = 0;
    let first = true;
    const push = (t: string, c: number, brace: boolean): void => {
      out.push({ text: t, pos: { file, line: i + 1, col: c + 1 }, brace, lineStart: first });
      first = false;
    };
    while (col < line.length) {
      const ch = line[col]!;
      if (ch === ' ' || ch === '\t') col++;
      else if (ch === '#' || ch === '!') break;
      else if (ch === '{' || ch === '}') push(ch, col++, true);
      else if (ch === '"') {
        const end = line.indexOf('"', col + 1);
        if (end < 0) {
          ds.push(
            diag(
              'unterminated quoted string',
              { file, line: i + 1, col: col + 1 },
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
        while (col < line.length && !' \t{}#!"'.includes(line[col]!)) col++;
        // As in keepalived, `#` and `!` start a comment anywhere outside quotes, even mid-word.
        push(line.slice(start, col), start, false);
      }
    }
  });
  return out;
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
          ds.push(
            diag(`include of ${f} makes a loop`, node.argPos[0], 'remove the include that brings the file back in'),
          );
          continue;
        }
        let sub: string;
        try {
          sub = readFileSync(f, 'utf8');
        } catch (e) {
          // A config copied off a host names includes that exist only there (the director role's
          // /etc/keepalived/vrrp_auth.conf): say what was not checked, as keepalived itself warns.
          if ((e as NodeJS.ErrnoException).code === 'ENOENT')
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
                `include ${node.args[0]}: cannot read ${f}`,
                node.argPos[0],
                "fix the path (relative paths start at the including file's directory)",
              ),
            );
          continue;
        }
        const r = parseKeepalived(sub, f, new Set([...seen, f]));
        ds.push(...r.diagnostics);
        files.push(...r.files);
        stack[stack.length - 1]!.children.push(...r.nodes);
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
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return {
      nodes: [],
      files: [path],
      diagnostics: [
        diag(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, undefined, 'check the path'),
      ],
    };
  }
  return parseKeepalived(text, path);
}
