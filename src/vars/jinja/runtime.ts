// Makes nunjucks evaluate like Jinja2 under Ansible. nunjucks compiles templates to JavaScript
// that calls into its `runtime` module; we change what a few node types compile to and add
// runtime helpers, so that:
// - variables resolve through the lazy Ansible scope, and missing ones become `Undefined`
//   values that fail when used (StrictUndefined), naming the full path (`hostvars['x'].foo`);
// - `if`, `and`, `or`, `not`, `==`, `+`, `~`, `in` follow Python's rules (see python.ts);
// - attributes fall back to Python methods (`s.startswith(...)`, `d.items()`).
// nunjucks' own jinja-compat layer (slices, True/False/None) is installed first. The patch is
// global to the nunjucks module and installed once; lvsplay is its only user.
import nunjucks from 'nunjucks';
import { PY_ESCAPES } from '../python-literal.js';
import { TemplateFault, Undefined, defined } from './undefined.js';
import { add, compare, contains, isDict, multiply, outputText, str, truthy, typeName } from './python.js';
import { pythonMethod } from './methods.js';
import { percentFormat } from './percent-format.js';
import { reveal } from './taint.js';
import { pySlice } from './slice.js';

/** Key of the lazy variable scope inside a nunjucks context. */
export const SCOPE_KEY = '\u0000lvsplay.scope';

type AnyNode = {
  typename: string;
  lineno: number;
  colno: number;
  value?: unknown;
  target?: AnyNode;
  val?: AnyNode;
  name?: AnyNode;
  children?: AnyNode[];
  cond?: AnyNode;
  left?: AnyNode;
  right?: AnyNode;
  expr?: AnyNode;
  ops?: Array<{ type: string; expr: AnyNode }>;
  start?: AnyNode;
  stop?: AnyNode;
  step?: AnyNode;
};
type CompilerThis = {
  _emit(s: string): void;
  compile(node: AnyNode, frame: unknown): void;
  _compileExpression(node: AnyNode, frame: unknown): void;
};
type Frame = { lookup(name: string): unknown };
type Context = { ctx: Record<string, unknown>; env: { globals: Record<string, unknown> } };

const PY_CONSTANTS: Record<string, unknown> = {
  True: true,
  False: false,
  None: null,
  true: true,
  false: false,
  none: null,
};

/** Source text of the template being compiled, to spell paths as the author did. */
let compilingSource: string[] | undefined;

function sourceCharAt(node: AnyNode): string | undefined {
  return compilingSource?.[node.lineno]?.[node.colno];
}

/** How a lookup expression is spelled, for undefined-variable messages. */
function pathOf(node: AnyNode | undefined): string {
  if (!node) return '(expression)';
  switch (node.typename) {
    case 'Symbol':
      return String(node.value);
    case 'Literal':
      return typeof node.value === 'string' ? `'${node.value}'` : String(node.value);
    case 'FunCall':
      return `${pathOf(node.name)}(...)`;
    case 'LookupVal': {
      const base = pathOf(node.target);
      const key = node.val;
      const dotted = sourceCharAt(node) === '.';
      if (key?.typename === 'Literal' && typeof key.value === 'string') {
        return dotted || (sourceCharAt(node) === undefined && /^[A-Za-z_]\w*$/.test(key.value))
          ? `${base}.${key.value}`
          : `${base}['${key.value}']`;
      }
      return `${base}[${pathOf(key)}]`;
    }
    default:
      return '(expression)';
  }
}

const js = (s: string) => JSON.stringify(s);

function lookupName(context: Context, frame: Frame, name: string, line: number, col: number): unknown {
  const v = frame.lookup(name);
  if (v !== undefined) return v;
  if (Object.hasOwn(context.ctx, name)) return context.ctx[name];
  const scope = context.ctx[SCOPE_KEY] as Record<string, unknown> | undefined;
  if (scope && name in scope) {
    const x = scope[name];
    return x === undefined ? null : x;
  }
  if (name in context.env.globals) return context.env.globals[name];
  if (Object.hasOwn(PY_CONSTANTS, name)) return PY_CONSTANTS[name];
  return new Undefined(name, undefined, line, col);
}

function lookupMember(obj: unknown, key: unknown, path: string, line: number, col: number): unknown {
  const base = path.replace(/(\.[^.[\]]*|\[[^\]]*\])$/, '');
  // As Ansible's undefined: `a.b.c[0]` stays undefined when `a.b` is (so `| default(x)` applies);
  // using it still fails, naming the first missing part.
  if (obj instanceof Undefined) return obj;
  obj = reveal(obj);
  key = reveal(key);
  if (obj === null || obj === undefined) {
    throw new TemplateFault(
      `'${base}' is None, it has no attribute ${str(key)}`,
      `check that ${base} is set to a dict`,
      line,
      col,
    );
  }
  if (typeof key === 'number' && (Array.isArray(obj) || typeof obj === 'string')) {
    const i = key < 0 ? obj.length + key : key;
    if (i >= 0 && i < obj.length) return obj[i];
    return new Undefined(path, `list index ${key} out of range`, line, col);
  }
  if (typeof key === 'string') {
    if (isDict(obj) && key in obj) {
      const v = obj[key];
      return v === undefined ? null : v;
    }
    const method = pythonMethod(obj, key);
    if (method) return method;
    if (!isDict(obj) && !Array.isArray(obj) && typeof obj === 'object' && key in obj) {
      const v = (obj as Record<string, unknown>)[key];
      return typeof v === 'function' ? v.bind(obj) : v;
    }
  }
  return new Undefined(path, `'${typeName(obj)}' object has no attribute '${str(key)}'`, line, col);
}

function iterate(v: unknown): unknown {
  const x = reveal(defined(v));
  if (isDict(x)) return Object.keys(x);
  if (typeof x === 'string') return [...x];
  return x;
}

/**
 * How backslashes in string literals read. In template files Jinja2 applies Python's escapes
 * ('\\n' is a newline, an unknown escape such as '\\d' keeps its backslash); in strings from YAML,
 * Ansible doubles backslashes before rendering, so they stay as written (regexes work unescaped).
 */
let literalBackslashes = false;

export function withLiteralBackslashes<T>(on: boolean, fn: () => T): T {
  const saved = literalBackslashes;
  literalBackslashes = on;
  try {
    return fn();
  } finally {
    literalBackslashes = saved;
  }
}

type Tokenizer = { current(): string; forward(): void; isFinished(): boolean; str: string; index: number };

function parseStringLiteral(this: Tokenizer, delimiter: string): string {
  this.forward();
  let out = '';
  while (!this.isFinished() && this.current() !== delimiter) {
    const cur = this.current();
    if (cur !== '\\') {
      out += cur;
      this.forward();
      continue;
    }
    this.forward();
    const next = this.current();
    if (literalBackslashes) {
      out += next === delimiter ? next : `\\${next}`;
    } else if (Object.hasOwn(PY_ESCAPES, next)) {
      out += PY_ESCAPES[next];
    } else if (next === 'x' || next === 'u') {
      const len = next === 'x' ? 2 : 4;
      const hex = this.str.slice(this.index + 1, this.index + 1 + len);
      if (/^[0-9a-fA-F]+$/.test(hex) && hex.length === len) {
        out += String.fromCharCode(parseInt(hex, 16));
        for (let i = 0; i < len; i++) this.forward();
      } else out += `\\${next}`;
    } else {
      out += `\\${next}`;
    }
    this.forward();
  }
  this.forward();
  return out;
}

type Token = { type: string; value: string; lineno: number; colno: number };
type ParserThis = {
  parseCompare(): AnyNode;
  parsePrimary(): AnyNode;
  parseSignature(tolerant?: boolean, noParens?: boolean): AnyNode;
  skipSymbol(s: string): boolean;
  nextToken(): Token | null;
  peekToken(): Token | null;
  fail(msg: string, lineno?: number, colno?: number): never;
};

const NOT_AN_ARGUMENT = new Set(['and', 'or', 'not', 'if', 'else', 'is', 'in']);

/**
 * Jinja2's `x is test`, `x is test(args)` and `x is test arg` (one argument without parentheses,
 * e.g. `n is divisibleby 3`, `x is in list`); nunjucks parses the test as an expression instead.
 */
function patchIsParsing(): void {
  const lib = nunjucks as unknown as {
    parser: { Parser: { prototype: Record<string, unknown> } };
    nodes: Record<string, new (...a: unknown[]) => AnyNode>;
  };
  const proto = lib.parser.Parser.prototype;
  const nodes = lib.nodes;
  proto.parseIs = function (this: ParserThis): AnyNode {
    let node = this.parseCompare();
    if (!this.skipSymbol('is')) return node;
    const negate = this.skipSymbol('not');
    const tok = this.nextToken();
    if (!tok || (tok.type !== 'symbol' && tok.type !== 'none' && tok.type !== 'operator'))
      this.fail('expected a test name after "is"', tok?.lineno, tok?.colno);
    const name = new nodes.Symbol!(tok!.lineno, tok!.colno, tok!.type === 'none' ? 'none' : tok!.value);
    let test: AnyNode = name;
    const next = this.peekToken();
    if (next?.type === 'left-paren') {
      test = new nodes.FunCall!(tok!.lineno, tok!.colno, name, this.parseSignature());
    } else if (
      next &&
      (['string', 'int', 'float', 'boolean', 'none', 'left-bracket', 'left-curly'].includes(next.type) ||
        (next.type === 'symbol' && !NOT_AN_ARGUMENT.has(next.value)))
    ) {
      const arg = this.parsePrimary();
      test = new nodes.FunCall!(tok!.lineno, tok!.colno, name, new nodes.NodeList!(arg.lineno, arg.colno, [arg]));
    }
    node = new nodes.Is!(node.lineno, node.colno, node, test);
    return negate ? new nodes.Not!(node.lineno, node.colno, node) : node;
  };
}

type BraceTracking = { in_code: boolean; braceDepth?: number };
type CommentTrim = {
  trimBlocks: boolean;
  tags: { COMMENT_END: string };
  current(): string;
  currentStr(): string;
  forward(): void;
};

type NumberLexing = {
  in_code: boolean;
  index: number;
  str: string;
  lineno: number;
  colno: number;
  currentStr(): string;
  forwardN(n: number): void;
};

// Jinja2's number literals that nunjucks' lexer does not read: exponents (1e3, 2.5E-7),
// underscores (1_000) and 0x/0o/0b integers. Plain 12 and 1.5 are left to nunjucks.
const JINJA_FLOAT = /^(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?[eE][+-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)/;
const JINJA_INT = /^(?:0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0[xX](?:_?[0-9a-fA-F])+|[1-9](?:_?\d)*|0(?:_?0)*)/;

function jinjaNumber(t: NumberLexing): { type: string; value: string; lineno: number; colno: number } | undefined {
  const rest = t.currentStr();
  if (!/^\d/.test(rest) || t.str[t.index - 1] === '.') return undefined;
  const float = JINJA_FLOAT.exec(rest)?.[0];
  const int = JINJA_INT.exec(rest)?.[0];
  const text = float && float.length >= (int?.length ?? 0) ? float : int;
  // A word such as `1st` is not a number: leave it to nunjucks (which reads it as a name).
  if (!text || /[\w.]/.test(rest[text.length] ?? '') || !/[eE_xXoObB]/.test(text)) return undefined;
  const at = { lineno: t.lineno, colno: t.colno };
  t.forwardN(text.length);
  const clean = text.replace(/_/g, '');
  if (text === float) return { type: 'float', value: String(Number(clean)), ...at };
  return { type: 'int', value: String(Number(clean)), ...at };
}

let installed = false;

function nonZero(y: number, what: string): number {
  if (y === 0) throw new TemplateFault(`ZeroDivisionError: ${what} by zero`, 'check the divisor');
  return y;
}

function numberOperand(v: unknown, op: string): number {
  const x = reveal(defined(v));
  if (typeof x === 'number') return x;
  if (typeof x === 'boolean') return Number(x);
  throw new TemplateFault(`unsupported operand type for ${op}: '${typeName(x)}'`, 'convert it with | int or | float');
}

export function installJinjaRuntime(): void {
  if (installed) return;
  installed = true;
  nunjucks.installJinjaCompat();
  const lib = nunjucks as unknown as {
    runtime: Record<string, unknown>;
    compiler: { Compiler: { prototype: Record<string, unknown> } };
    Template: { prototype: Record<string, unknown> };
  };
  const rt = lib.runtime;
  patchIsParsing();
  const lexer = (nunjucks as unknown as { lexer: { lex(src: string, opts: object): object } }).lexer;
  type Self = BraceTracking & CommentTrim;
  // The three methods of nunjucks' tokenizer that are replaced below, as they are called.
  const tokenizer = Object.getPrototypeOf(lexer.lex('', {})) as {
    _parseString(this: Tokenizer, delimiter: string): string;
    nextToken(this: Self): unknown;
    _extractString(this: Self, str: unknown): unknown;
  };
  tokenizer._parseString = parseStringLiteral;
  // Like Jinja2's lexer, `}}` closes the expression only outside dict braces: `{{ {'a': {'x': 1}} }}`.
  const origNextToken = tokenizer.nextToken;
  tokenizer.nextToken = function (this: BraceTracking & CommentTrim & NumberLexing) {
    const number = this.in_code ? jinjaNumber(this) : undefined;
    if (number) return number;
    const tok = origNextToken.call(this) as { type: string; value: string } | null;
    // Jinja2's trim_blocks also drops the newline after a comment (`{# ... #}\n`); nunjucks keeps it.
    if (tok?.type === 'comment' && this.trimBlocks && !tok.value.endsWith(`-${this.tags.COMMENT_END}`)) {
      if (this.current() === '\r' && this.currentStr().startsWith('\r\n')) this.forward();
      if (this.current() === '\n') this.forward();
    }
    if (!this.in_code) this.braceDepth = 0;
    else if (tok?.type === 'left-curly') this.braceDepth = (this.braceDepth ?? 0) + 1;
    else if (tok?.type === 'right-curly') this.braceDepth = Math.max(0, (this.braceDepth ?? 0) - 1);
    return tok;
  };
  const origExtract = tokenizer._extractString;
  tokenizer._extractString = function (this: BraceTracking & CommentTrim, str: unknown) {
    if (this.in_code && (this.braceDepth ?? 0) > 0 && typeof str === 'string' && str.replace(/^-/, '').startsWith('}'))
      return null;
    return origExtract.call(this, str);
  };
  const proto = lib.compiler.Compiler.prototype as Record<
    string,
    (this: CompilerThis, node: AnyNode, frame: unknown, ...rest: unknown[]) => void
  >;

  Object.assign(rt, {
    lvsLookup: lookupName,
    lvsMember: lookupMember,
    lvsSlice: pySlice,
    lvsTruth: truthy,
    lvsOr: (a: unknown, b: () => unknown) => (truthy(a) ? a : b()),
    lvsAnd: (a: unknown, b: () => unknown) => (truthy(a) ? b() : a),
    lvsCompare: (first: unknown, ...rest: unknown[]) => {
      let left = first;
      for (let i = 0; i < rest.length; i += 2) {
        const right = rest[i + 1];
        if (!compare(left, rest[i] as string, right)) return false;
        left = right;
      }
      return true;
    },
    lvsAdd: add,
    lvsMul: multiply,
    lvsMod: (a: unknown, b: unknown) => {
      const x = reveal(defined(a));
      if (typeof x === 'string') return percentFormat(x, b);
      const y = reveal(defined(b));
      if (typeof x === 'number' && typeof y === 'number') return ((x % nonZero(y, 'modulo')) + y) % y;
      throw new TemplateFault(`unsupported operand types for %: '${typeName(x)}' and '${typeName(y)}'`);
    },
    lvsConcat: (a: unknown, b: unknown) => str(a) + str(b),
    // Python raises ZeroDivisionError where JavaScript gives Infinity or NaN: the task fails.
    lvsDiv: (a: unknown, b: unknown) => numberOperand(a, '/') / nonZero(numberOperand(b, '/'), 'division'),
    lvsFloorDiv: (a: unknown, b: unknown) =>
      Math.floor(numberOperand(a, '//') / nonZero(numberOperand(b, '//'), 'integer division')),
  });
  rt.inOperator = (key: unknown, container: unknown) => contains(container, key);
  rt.suppressValue = (val: unknown) => outputText(val);
  const origFromIterator = rt.fromIterator as (a: unknown) => unknown;
  rt.fromIterator = (arr: unknown) => origFromIterator(iterate(arr));
  rt.callWrap = (fn: unknown, name: string, context: unknown, args: unknown[]) => {
    if (fn instanceof Undefined) throw fn.fault();
    if (typeof fn !== 'function')
      throw new TemplateFault(
        `'${name}' is a ${typeName(fn)}, not something to call`,
        `remove the parentheses after ${name}`,
      );
    return fn.apply(context, args);
  };
  const origHandleError = rt.handleError as (e: unknown, l: number, c: number) => unknown;
  rt.handleError = (error: unknown, lineno: number, colno: number) => {
    if (error instanceof TemplateFault) {
      if (error.lineno === undefined && typeof lineno === 'number') {
        error.lineno = lineno + 1;
        error.colno = colno + 1;
      }
      return error;
    }
    return origHandleError(error, lineno, colno);
  };

  const origCompile = lib.Template.prototype._compile as (this: { tmplStr?: string }) => void;
  lib.Template.prototype._compile = function (this: { tmplStr?: string }) {
    const saved = compilingSource;
    compilingSource = typeof this.tmplStr === 'string' ? this.tmplStr.split('\n') : undefined;
    try {
      origCompile.call(this);
    } finally {
      compilingSource = saved;
    }
  };

  const origAssertType = proto.assertType!;
  proto.assertType = function (node, ...types) {
    if (node.typename.startsWith('Lvs')) return;
    origAssertType.call(this, node, ...types);
  };
  const wrap = (typename: string, target: AnyNode): AnyNode => ({
    typename,
    target,
    lineno: target.lineno,
    colno: target.colno,
  });
  proto.compileLvsTruth = function (node, frame) {
    this._emit('runtime.lvsTruth(');
    this.compile(node.target!, frame);
    this._emit(')');
  };
  for (const name of ['compileIf', 'compileIfAsync', 'compileInlineIf'] as const) {
    const orig = proto[name]!;
    proto[name] = function (node, frame, ...rest) {
      const cond = node.cond!;
      node.cond = wrap('LvsTruth', cond);
      try {
        orig.call(this, node, frame, ...rest);
      } finally {
        node.cond = cond;
      }
    };
  }
  proto.compileNot = function (node, frame) {
    this._emit('!runtime.lvsTruth(');
    this.compile(node.target!, frame);
    this._emit(')');
  };
  const lazyRight = (fn: string) =>
    function (this: CompilerThis, node: AnyNode, frame: unknown) {
      this._emit(`runtime.${fn}(`);
      this.compile(node.left!, frame);
      this._emit(', function() { return ');
      this.compile(node.right!, frame);
      this._emit('; })');
    };
  proto.compileOr = lazyRight('lvsOr');
  proto.compileAnd = lazyRight('lvsAnd');
  const binary = (fn: string) =>
    function (this: CompilerThis, node: AnyNode, frame: unknown) {
      this._emit(`runtime.${fn}(`);
      this.compile(node.left!, frame);
      this._emit(', ');
      this.compile(node.right!, frame);
      this._emit(')');
    };
  proto.compileAdd = binary('lvsAdd');
  proto.compileMul = binary('lvsMul');
  proto.compileMod = binary('lvsMod');
  proto.compileDiv = binary('lvsDiv');
  proto.compileFloorDiv = binary('lvsFloorDiv');
  proto.compileConcat = binary('lvsConcat');
  proto.compileCompare = function (node, frame) {
    this._emit('runtime.lvsCompare(');
    this.compile(node.expr!, frame);
    for (const op of node.ops ?? []) {
      this._emit(`, ${js(op.type)}, `);
      this.compile(op.expr, frame);
    }
    this._emit(')');
  };
  // nunjucks emits a test's arguments without commas (`is version('1.9', '>')` breaks).
  proto.compileIs = function (node, frame) {
    const right = node.right!;
    const name = right.name ? String(right.name.value) : String(right.value);
    this._emit(`env.getTest(${js(name)}).call(context, `);
    this.compile(node.left!, frame);
    const args = (right as AnyNode & { args?: AnyNode }).args;
    if (args?.children?.length) {
      this._emit(', ');
      (
        this as CompilerThis & { _compileAggregate(n: AnyNode, f: unknown, a: string, b: string): void }
      )._compileAggregate(args, frame, '', '');
    }
    this._emit(') === true');
  };
  // `(a, b)` is a tuple in Jinja2; nunjucks would compile it to JavaScript's comma operator.
  const origGroup = proto.compileGroup!;
  proto.compileGroup = function (node, frame) {
    if ((node.children?.length ?? 0) > 1) return proto.compileArray!.call(this, node, frame);
    return origGroup.call(this, node, frame);
  };
  const origSymbol = proto.compileSymbol!;
  proto.compileSymbol = function (node, frame) {
    if ((frame as Frame).lookup(String(node.value))) return origSymbol.call(this, node, frame);
    this._emit(`runtime.lvsLookup(context, frame, ${js(String(node.value))}, ${node.lineno + 1}, ${node.colno + 1})`);
  };
  proto.compileLookupVal = function (node, frame) {
    // `x[a:b:c]`: nunjucks parses a Slice (inside an Array); Python's slicing replaces its lookup.
    const slice = node.val?.typename === 'Slice' ? node.val : node.val?.children?.[0];
    if (slice?.typename === 'Slice') {
      this._emit('runtime.lvsSlice((');
      this._compileExpression(node.target!, frame);
      for (const part of [slice.start, slice.stop, slice.step]) {
        this._emit('),(');
        this._compileExpression(part!, frame);
      }
      this._emit(`), ${js(pathOf(node.target))})`);
      return;
    }
    this._emit('runtime.lvsMember((');
    this._compileExpression(node.target!, frame);
    this._emit('),');
    this._compileExpression(node.val!, frame);
    this._emit(`, ${js(pathOf(node))}, ${node.lineno + 1}, ${node.colno + 1})`);
  };
}
