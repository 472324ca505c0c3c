// INI inventory values are typed as Ansible types them: Python's ast.literal_eval on the text,
// and the text itself when that fails. So `5` is a number, `True` a boolean, `[1, 2]` a list,
// `'a b'` a string without its quotes, while `yes`, `0644` and `{k: 1}` stay strings.

class NotALiteral extends Error {}

const JSON_NAMES: Record<string, unknown> = { true: true, false: false, null: null };

/** Python's one-character string escapes (a backslash before a newline continues the line). */
export const PY_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\n': '',
};

/** The value Ansible gives an INI `key=value`: a Python literal when it is one, else the text. */
export function iniValue(text: string): unknown {
  return literalOrText(text);
}

/** The literal the text spells, or the text itself when it spells none. */
export function literalOrText(text: string, jsonNames = false): unknown {
  try {
    return literalEval(text, jsonNames);
  } catch (e) {
    if (e instanceof NotALiteral || e instanceof RangeError) return text;
    throw e;
  }
}

/**
 * Python's ast.literal_eval. With `jsonNames`, the bare names true, false and null read as
 * True, False and None (Ansible's Json2Python step before it reads a template's result).
 */
export function literalEval(text: string, jsonNames = false): unknown {
  const p = new Parser(text.replace(/^[ \t]+/, ''), jsonNames);
  const v = p.expression();
  p.skipSpace();
  if (!p.atEnd()) throw new NotALiteral();
  return v;
}

class Parser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly jsonNames = false,
  ) {}

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  skipSpace(): void {
    for (;;) {
      const c = this.s[this.i];
      if (c === ' ' || c === '\t' || c === '\f' || c === '\n' || c === '\r') this.i++;
      else if (c === '#') {
        while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
      } else return;
    }
  }

  private peek(): string | undefined {
    this.skipSpace();
    return this.s[this.i];
  }

  private expect(c: string): void {
    if (this.peek() !== c) throw new NotALiteral();
    this.i++;
  }

  expression(): unknown {
    const c = this.peek();
    if (c === undefined) throw new NotALiteral();
    if (c === '[') return this.sequence('[', ']');
    if (c === '(') return this.tuple();
    if (c === '{') return this.mapping();
    if (c === '-' || c === '+') {
      this.i++;
      const next = this.peek();
      if (next === '-' || next === '+') throw new NotALiteral(); // Python 3.11 refuses `--5`
      const v = this.expression();
      if (typeof v !== 'number') throw new NotALiteral();
      return c === '-' ? -v : v;
    }
    if (/[0-9.]/.test(c)) return this.number();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i))?.[0];
    if (word !== undefined) {
      const next = this.s[this.i + word.length];
      if (/^[rRbBuUfF]{1,2}$/.test(word) && (next === '"' || next === "'")) {
        if (/[fF]/.test(word)) throw new NotALiteral();
        this.i += word.length;
        return this.strings(/[rR]/.test(word));
      }
      this.i += word.length;
      if (word === 'True') return true;
      if (word === 'False') return false;
      if (word === 'None') return null;
      if (this.jsonNames && Object.hasOwn(JSON_NAMES, word)) return JSON_NAMES[word];
      throw new NotALiteral();
    }
    if (c === '"' || c === "'") return this.strings(false);
    throw new NotALiteral();
  }

  private sequence(open: string, close: string): unknown[] {
    this.expect(open);
    const out: unknown[] = [];
    while (this.peek() !== close) {
      out.push(this.expression());
      if (this.peek() === ',') this.i++;
      else break;
    }
    this.expect(close);
    return out;
  }

  private tuple(): unknown {
    this.expect('(');
    if (this.peek() === ')') {
      this.i++;
      return [];
    }
    const first = this.expression();
    if (this.peek() === ')') {
      this.i++;
      return first; // parentheses around a single value, not a tuple
    }
    const out = [first];
    while (this.peek() === ',') {
      this.i++;
      if (this.peek() === ')') break;
      out.push(this.expression());
    }
    this.expect(')');
    return out;
  }

  private mapping(): unknown {
    this.expect('{');
    const out: Record<string, unknown> = {};
    if (this.peek() === '}') {
      this.i++;
      return out;
    }
    const firstKey = this.expression();
    if (this.peek() !== ':') {
      // a set literal: JSON has no sets, Ansible prints them as lists
      const items = [firstKey];
      while (this.peek() === ',') {
        this.i++;
        if (this.peek() === '}') break;
        items.push(this.expression());
      }
      this.expect('}');
      return [...new Set(items)];
    }
    let key: unknown = firstKey;
    for (;;) {
      this.expect(':');
      out[pyKey(key)] = this.expression();
      if (this.peek() !== ',') break;
      this.i++;
      if (this.peek() === '}') break;
      key = this.expression();
    }
    this.expect('}');
    return out;
  }

  private number(): number {
    const rest = this.s.slice(this.i);
    const m =
      /^0[xX](?:_?[0-9a-fA-F])+|^0[oO](?:_?[0-7])+|^0[bB](?:_?[01])+/.exec(rest) ??
      /^(?:[0-9](?:_?[0-9])*)?(?:\.(?:[0-9](?:_?[0-9])*)?)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?/.exec(rest);
    const text = m?.[0] ?? '';
    if (!text || text === '.' || /[jJ]/.test(rest[text.length] ?? '')) throw new NotALiteral();
    this.i += text.length;
    const clean = text.replace(/_/g, '');
    if (/^0[xXoObB]/.test(clean)) return Number(clean);
    // Python 3 refuses leading zeros on decimal integers (0644 is a syntax error, so a string)
    if (/^0[0-9]+$/.test(clean) && /[1-9]/.test(clean)) throw new NotALiteral();
    return Number(clean);
  }

  /** One or more adjacent string literals, concatenated as Python does. */
  private strings(raw: boolean): string {
    let out = this.stringLiteral(raw);
    for (;;) {
      const save = this.i;
      const c = this.peek();
      let prefixRaw = false;
      const word = /^[rRbBuU]{1,2}(?=['"])/.exec(this.s.slice(this.i))?.[0];
      if (word) {
        prefixRaw = /[rR]/.test(word);
        this.i += word.length;
      } else if (c !== '"' && c !== "'") {
        this.i = save;
        return out;
      }
      out += this.stringLiteral(prefixRaw);
    }
  }

  private stringLiteral(raw: boolean): string {
    const q = this.s[this.i]!;
    const triple = this.s.startsWith(q.repeat(3), this.i);
    const end = triple ? q.repeat(3) : q;
    this.i += end.length;
    let out = '';
    while (!this.s.startsWith(end, this.i)) {
      if (this.atEnd()) throw new NotALiteral();
      const c = this.s[this.i]!;
      if (!triple && c === '\n') throw new NotALiteral();
      if (c === '\\') {
        const n = this.s[this.i + 1];
        if (n === undefined) throw new NotALiteral();
        if (raw) {
          out += c + n;
          this.i += 2;
          continue;
        }
        this.i += 2;
        out += this.escape(n);
        continue;
      }
      out += c;
      this.i++;
    }
    this.i += end.length;
    return out;
  }

  private escape(n: string): string {
    if (Object.hasOwn(PY_ESCAPES, n)) return PY_ESCAPES[n]!;
    const hexLen = n === 'x' ? 2 : n === 'u' ? 4 : n === 'U' ? 8 : 0;
    if (hexLen) {
      const hex = this.s.slice(this.i, this.i + hexLen);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(hex)) throw new NotALiteral();
      this.i += hexLen;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    if (/[0-7]/.test(n)) {
      const oct = n + (/^[0-7]{0,2}/.exec(this.s.slice(this.i))?.[0] ?? '');
      this.i += oct.length - 1;
      return String.fromCodePoint(parseInt(oct, 8));
    }
    return `\\${n}`;
  }
}

/** Python dict keys of any literal type become JSON object keys the way json.dumps writes them. */
function pyKey(k: unknown): string {
  if (k === true) return 'true';
  if (k === false) return 'false';
  if (k === null) return 'null';
  if (typeof k === 'object') throw new NotALiteral(); // lists are unhashable in Python
  return String(k);
}
