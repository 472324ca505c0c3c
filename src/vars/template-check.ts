// Static checks on template strings, for validation before any host is touched: which variable
// names a template reads, syntax errors, unknown filters/tests, tests used as filters.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import nunjucks from 'nunjucks';
import { closest, diag, type Diagnostic, type SourcePos } from '../diagnostics.js';
import { UnsafeText } from '../yaml/load.js';
import { environment, hasFilter, hasTest } from './jinja/environment.js';
import { isDict } from './jinja/python.js';

type Node = { typename: string; fields?: string[]; lineno: number; colno: number; [k: string]: unknown };

/** Names templates may read without anyone defining them. */
const PROVIDED = new Set([
  'lookup',
  'query',
  'q',
  'omit',
  'range',
  'dict',
  'cycler',
  'joiner',
  'lipsum',
  'loop',
  'caller',
  'super',
  'varargs',
  'kwargs',
  'True',
  'False',
  'None',
  'true',
  'false',
  'none',
  'vars',
  '__lvsplay_capture',
]);

const MARKERS = /\{\{|\{%|\{#/;

function parse(src: string): Node {
  environment();
  const p = (nunjucks as unknown as { parser: { parse(src: string, ext: unknown[], opts: object): Node } }).parser;
  return p.parse(src, [], { trimBlocks: true });
}

function children(node: Node): unknown[] {
  const fields = node.fields ?? [];
  return fields.map((f) => node[f]);
}

function walk(node: unknown, visit: (n: Node) => boolean | void): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, visit);
    return;
  }
  if (!node || typeof node !== 'object' || typeof (node as Node).typename !== 'string') return;
  const n = node as Node;
  if (visit(n) === false) return;
  for (const c of children(n)) walk(c, visit);
}

function symbolNames(target: unknown): string[] {
  const out: string[] = [];
  walk(target, (n) => {
    if (n.typename === 'Symbol') out.push(String(n.value));
  });
  return out;
}

/** Symbols read by one template, and names it binds itself (for, set, macro args). */
function readsOf(ast: Node): { reads: Set<string>; bound: Set<string> } {
  const reads = new Set<string>();
  const bound = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!node || typeof node !== 'object' || typeof (node as Node).typename !== 'string') return;
    const n = node as Node;
    switch (n.typename) {
      case 'Symbol':
        reads.add(String(n.value));
        return;
      case 'Filter':
      case 'FilterAsync':
        visit(n.args); // the filter's name is not a variable
        return;
      case 'Is': {
        visit(n.left);
        const right = n.right as Node;
        if (right?.typename === 'FunCall') visit(right.args);
        return;
      }
      case 'Pair':
        if ((n.key as Node)?.typename !== 'Symbol') visit(n.key); // `{a: 1}` and `f(a=1)` keys are names
        visit(n.value);
        return;
      case 'For':
      case 'AsyncEach':
      case 'AsyncAll':
        for (const s of symbolNames(n.name)) bound.add(s);
        break;
      case 'Set':
        for (const s of symbolNames(n.targets)) bound.add(s);
        break;
      case 'Macro':
      case 'Caller':
        for (const s of symbolNames(n.name)) bound.add(s);
        for (const s of symbolNames(n.args)) bound.add(s);
        break;
      case 'FromImport':
      case 'Import':
        for (const s of symbolNames(n.target ?? n.names)) bound.add(s);
        break;
    }
    for (const c of children(n)) visit(c);
  };
  visit(ast);
  return { reads, bound };
}

function eachTemplateString(value: unknown, fn: (s: string) => void): void {
  if (typeof value === 'string') {
    if (MARKERS.test(value)) fn(value);
  } else if (value instanceof UnsafeText) {
    return;
  } else if (Array.isArray(value)) {
    for (const v of value) eachTemplateString(v, fn);
  } else if (isDict(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (MARKERS.test(k)) fn(k);
      eachTemplateString(v, fn);
    }
  }
}

export function findUndefinedNames(value: unknown, known: ReadonlySet<string>): string[] {
  const missing = new Set<string>();
  eachTemplateString(value, (s) => {
    let ast: Node;
    try {
      ast = parse(s);
    } catch {
      return; // syntax errors are checkTemplateText's business
    }
    const { reads, bound } = readsOf(ast);
    for (const r of reads) if (!known.has(r) && !bound.has(r) && !PROVIDED.has(r)) missing.add(r);
  });
  return [...missing];
}

export function checkTemplateText(value: unknown, where?: SourcePos): Diagnostic[] {
  const out: Diagnostic[] = [];
  eachTemplateString(value, (s) => {
    let ast: Node;
    try {
      ast = parse(s);
    } catch (e) {
      const msg = String((e as Error).message)
        .replace(/^\([^)]*\)(\s*\[Line \d+, Column \d+\])?\s*/s, '')
        .split('\n')[0]!
        .trim();
      out.push(diag(`template syntax error: ${msg}`, where, 'fix the Jinja2 syntax'));
      return;
    }
    out.push(...unknownFiltersAndTests(ast, () => where));
  });
  return out;
}

/**
 * A template file a task renders, checked before any host is touched: syntax, unknown filters
 * and tests, and `{% include %}`/`{% import %}` of a literal name that is in none of `dirs`;
 * every problem at its line in the file.
 */
export function checkTemplateFile(file: string, text: string, dirs: string[]): Diagnostic[] {
  let ast: Node;
  try {
    // A `#jinja2:` first line holds settings, not template text: keep its line, drop its content.
    ast = parse(text.replace(/^#jinja2:[^\n]*/, ''));
  } catch (e) {
    const raw = String((e as Error).message);
    const place = /\[Line (\d+), Column (\d+)\]/.exec(raw);
    const msg = raw
      .replace(/^\([^)]*\)(\s*\[Line \d+, Column \d+\])?\s*/s, '')
      .split('\n')[0]!
      .trim();
    const pos = place
      ? { file, line: Number(place[1]), col: Number(place[2]) }
      : { file, ...(unclosedPlace(text) ?? { line: 1, col: 1 }) };
    return [diag(`template syntax error: ${msg}`, pos, 'fix the Jinja2 syntax')];
  }
  const at = (n: Node): SourcePos => ({ file, line: (n.lineno ?? 0) + 1, col: (n.colno ?? 0) + 1 });
  const out = unknownFiltersAndTests(ast, at);
  walk(ast, (n) => {
    if (n.typename !== 'Include' && n.typename !== 'Import' && n.typename !== 'FromImport') return;
    const target = n.template as Node | undefined;
    if (target?.typename !== 'Literal' || typeof target.value !== 'string') return;
    const name = target.value;
    if (dirs.some((d) => existsSync(isAbsolute(name) ? name : join(d, name)))) return;
    out.push(
      diag(
        `template '${name}' is not found (looked in ${dirs.join(', ')})`,
        at(n),
        'fix the name, or put the file beside the template',
      ),
    );
  });
  return out;
}

const BLOCK_TAGS = new Set(['if', 'for', 'macro', 'block', 'call', 'filter', 'raw', 'with', 'autoescape']);

/**
 * Where the tag or `{{` left open at the end of a template starts: the parser's end-of-file
 * errors carry no place, and the opening is what the author has to close.
 */
function unclosedPlace(text: string): { line: number; col: number } | undefined {
  const open: number[] = [];
  let expr: number | undefined;
  for (const m of text.matchAll(/\{\{|\}\}|\{%-?\s*(\w+)/g)) {
    if (m[0] === '{{') expr ??= m.index;
    else if (m[0] === '}}') expr = undefined;
    else if (BLOCK_TAGS.has(m[1]!)) open.push(m.index);
    else if (m[1]!.startsWith('end')) open.pop();
  }
  const at = expr ?? open.at(-1);
  if (at === undefined) return undefined;
  const before = text.slice(0, at).split('\n');
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

function unknownName(kind: 'filter' | 'test', name: string, pos: SourcePos | undefined): Diagnostic {
  const known = (environment() as unknown as Record<'filters' | 'tests', object>)[`${kind}s`];
  const near = closest(name, Object.keys(known));
  return diag(
    `no ${kind} named '${name}'`,
    pos,
    near ? `did you mean '${near}'?` : `see docs/templates.md for the ${kind}s lvsplay has`,
  );
}

/** Filters and tests a template uses that do not exist, each at the place `at` gives. */
function unknownFiltersAndTests(ast: Node, at: (n: Node) => SourcePos | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  walk(ast, (n) => {
    if (n.typename === 'Filter') {
      const name = String((n.name as Node)?.value);
      if (hasFilter(name)) return;
      if (hasTest(name)) {
        // ansible-core 2.14 loads it and fails only where it is evaluated: so does lvsplay.
        out.push(
          diag(
            `'${name}' is a test used as a filter: Ansible removed that form in 2.9, and ansible-core 2.14 ` +
              'loads the playbook but fails a task where it is evaluated; so does lvsplay',
            at(n),
            `write "value is ${name}" instead of "value | ${name}"`,
            'warning',
          ),
        );
      } else out.push(unknownName('filter', name, at(n)));
    } else if (n.typename === 'Is') {
      const right = n.right as Node;
      const name = String(right?.typename === 'FunCall' ? (right.name as Node)?.value : right?.value);
      if (!hasTest(name)) out.push(unknownName('test', name, at(n)));
    }
  });
  return out;
}

/**
 * Where Jinja looks for a name a template file includes, as Ansible's template module sets it up:
 * the template's own directory, then `templates/` of each base of the search path (the role, the
 * playbook's directory), then each base itself (so `./templates/x.j2` is found from the role).
 */
export function templateIncludeDirs(file: string, bases: string[]): string[] {
  return [...new Set([dirname(file), ...bases.map((b) => join(b, 'templates')), ...bases])];
}

/** The expression of a template that is exactly one `{{ expression }}` and nothing else. */
function oneOutput(src: string): Node | undefined {
  try {
    const root = parse(src);
    const kids = root.children as Node[] | undefined;
    const out = kids?.[0];
    const inner = out?.children as Node[] | undefined;
    const only = kids?.length === 1 && out?.typename === 'Output' && inner?.length === 1 ? inner[0] : undefined;
    return only?.typename === 'TemplateData' ? undefined : only;
  } catch {
    return undefined;
  }
}

/** Is the template exactly one `{{ expression }}` and nothing else? */
export function isOneOutput(src: string): boolean {
  return oneOutput(src) !== undefined;
}

/**
 * Ansible's STRING_TYPE_FILTERS (its default list): their result is text that Ansible never reads
 * back as a Python literal, so `{{ d | to_json }}` stays a string. Matched by the name as written,
 * as Ansible matches it.
 */
const STRING_TYPE_FILTERS = new Set(['string', 'to_json', 'to_nice_json', 'to_yaml', 'to_nice_yaml', 'json_query']);

/** Is the template one `{{ expression }}` whose last step is one of Ansible's string-type filters? */
export function endsInStringFilter(src: string): boolean {
  const expr = oneOutput(src);
  return expr?.typename === 'Filter' && STRING_TYPE_FILTERS.has(String((expr.name as Node)?.value));
}
