// YAML as Ansible reads it (YAML 1.1 as PyYAML resolves it: yes/no are booleans, y/n are not,
// 0644 is octal, `<<` merges), turned
// into plain JS values while remembering where every map, list, key and value came from, so
// later layers can report `file:line:col` without carrying YAML nodes around.
import { readFileSync } from 'node:fs';
import {
  LineCounter,
  parseDocument,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  isPair,
  type Node,
  type Document,
  type YAMLError,
  type ScalarTag,
  type CollectionTag,
  type Scalar,
} from 'yaml';
import { diag, type Diagnostic, type SourcePos } from '../diagnostics.js';
import { withPyYamlScalars } from './pyyaml-scalars.js';

/** An inline `!vault |` value: decrypted only when a vault password is given. */
export class VaultText {
  constructor(
    readonly ciphertext: string,
    readonly pos: SourcePos | undefined,
  ) {}
}

/** An `!unsafe` string: used as is, never templated. */
export class UnsafeText {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

interface Places {
  self: SourcePos;
  keys: Map<string, SourcePos>;
  values: Map<string | number, SourcePos>;
}

const places = new WeakMap<object, Places>();

/** Where a map or list parsed from YAML starts. */
export function posOf(obj: unknown): SourcePos | undefined {
  return typeof obj === 'object' && obj !== null ? places.get(obj)?.self : undefined;
}
/** Where the key `key` of a parsed map stands. */
export function keyPosOf(obj: unknown, key: string): SourcePos | undefined {
  return typeof obj === 'object' && obj !== null ? places.get(obj)?.keys.get(key) : undefined;
}
/** Where the value under `key` (or list index) of a parsed container stands. */
export function valuePosOf(obj: unknown, key: string | number): SourcePos | undefined {
  if (typeof obj !== 'object' || obj === null) return undefined;
  const p = places.get(obj);
  return p?.values.get(key) ?? (typeof key === 'string' ? p?.keys.get(key) : undefined) ?? p?.self;
}
const numericKeys = new WeakMap<object, Set<string>>();
function numericKeysOf(obj: object): Set<string> {
  let set = numericKeys.get(obj);
  if (!set) numericKeys.set(obj, (set = new Set()));
  return set;
}
/** Whether the key `key` of a parsed map was written as a number (`1:`), not as a string. */
export function isNumericKey(obj: object, key: string): boolean {
  return numericKeys.get(obj)?.has(key) ?? false;
}
/** Records a position for an object built by code (e.g. INI inventories) so diagnostics can find it. */
export function setPos(obj: object, self: SourcePos, keys?: Map<string, SourcePos>): void {
  places.set(obj, { self, keys: keys ?? new Map(), values: new Map(keys ?? []) });
}

// Registered so the parser does not warn about them; the converter turns them into classes.
const passthrough = (tag: string): ScalarTag => ({
  tag,
  identify: () => false,
  resolve: (s: string) => s,
});

export interface YamlResult {
  value: unknown;
  diagnostics: Diagnostic[];
}

/**
 * Limits that keep a hostile file from exhausting the controller. Aliases are expanded into
 * copies (every consumer gets plain values), so a "billion laughs" file of 1 KB would otherwise
 * grow to gigabytes; real files use aliases for a few merged defaults, far below these.
 */
export const YAML_LIMITS = {
  /** Nodes that alias expansion may add to one file. */
  aliasNodes: 100_000,
  /** Nesting depth of maps and lists. */
  depth: 500,
} as const;

/** A located reason to stop converting: an alias bomb, a loop of aliases, too deep a nesting. */
class YamlLimit extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

export function loadYaml(text: string, file: string): YamlResult {
  // A UTF-8 byte order mark (left by some Windows editors) is not content, as for PyYAML.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, {
      version: '1.1',
      merge: true,
      uniqueKeys: true,
      prettyErrors: false,
      lineCounter,
      customTags: (tags) => [
        ...withPyYamlScalars(tags as Array<ScalarTag | CollectionTag>),
        passthrough('!vault'),
        passthrough('!unsafe'),
      ],
    });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    // The parser recurses once per nesting level: thousands of `[` overflow the stack.
    const before = text.slice(0, flowTooDeepAt(text) ?? 0).split('\n');
    return { value: undefined, diagnostics: [tooDeep({ file, line: before.length, col: before.at(-1)!.length + 1 })] };
  }
  const at = (offset: number): SourcePos => {
    const lp = lineCounter.linePos(offset);
    return { file, line: lp.line, col: lp.col };
  };
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) diagnostics.push(yamlErrorDiag(e, at, text));
  if (diagnostics.length) return { value: undefined, diagnostics };
  try {
    checkAliases(doc, at);
    const value = convert(doc.contents as Node | null, doc, at, new Set(), 0);
    return { value, diagnostics };
  } catch (e) {
    if (e instanceof YamlLimit) return { value: undefined, diagnostics: [e.diagnostic] };
    throw e;
  }
}

const tooDeep = (pos: SourcePos): Diagnostic =>
  diag(
    `YAML nested more than ${YAML_LIMITS.depth} levels deep`,
    pos,
    'flatten the data: no playbook, inventory or vars file needs such nesting',
  );

const nodePos = (node: Node, at: (o: number) => SourcePos): SourcePos => at(node.range?.[0] ?? 0);

/**
 * Every alias must name an earlier anchor, must not contain itself, and all aliases together
 * must not expand the file beyond YAML_LIMITS.aliasNodes: sizes are computed on the source
 * nodes (each anchor once), so a bomb is refused before anything is copied.
 */
function checkAliases(doc: Document, at: (o: number) => SourcePos): void {
  const sizes = new Map<Node, number>();
  const open = new Set<Node>();
  let added = 0;
  const size = (node: Node | null | undefined, depth: number): number => {
    if (!node) return 1;
    if (depth > YAML_LIMITS.depth) throw new YamlLimit(tooDeep(nodePos(node, at)));
    if (isAlias(node)) {
      const target = node.resolve(doc) as Node | undefined;
      if (!target)
        throw new YamlLimit(
          diag(
            `YAML alias *${node.source} refers to no anchor &${node.source} before it`,
            nodePos(node, at),
            'fix the alias name (a typo?) or define the anchor earlier in the file',
          ),
        );
      if (open.has(target))
        throw new YamlLimit(
          diag(
            `YAML alias *${node.source} refers to the anchor that contains it (an endless value)`,
            nodePos(node, at),
            'point the alias at a value defined outside this one',
          ),
        );
      const n = size(target, depth);
      added += n;
      if (added > YAML_LIMITS.aliasNodes)
        throw new YamlLimit(
          diag(
            `YAML aliases expand this file beyond ${YAML_LIMITS.aliasNodes} values (an alias bomb?)`,
            nodePos(node, at),
            'write the data out, or use fewer nested aliases',
          ),
        );
      return n;
    }
    const known = sizes.get(node);
    if (known !== undefined) return known;
    let n = 1;
    if (isMap(node) || isSeq(node)) {
      open.add(node);
      for (const item of node.items) {
        if (isPair(item)) n += size(item.key as Node | null, depth + 1) + size(item.value as Node | null, depth + 1);
        else n += size(item as Node | null, depth + 1);
      }
      open.delete(node);
    }
    sizes.set(node, n);
    return n;
  };
  size(doc.contents as Node | null, 0);
}

export function loadYamlFile(path: string, displayName = path): YamlResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return {
      value: undefined,
      diagnostics: [
        diag(
          `cannot read ${displayName}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
          undefined,
          'check the path',
        ),
      ],
    };
  }
  return loadYaml(text, displayName);
}

/**
 * Where flow brackets first nest deeper than the limit: the parser's own stack overflow happens
 * at a depth that varies with the stack size, so the place reported is this one.
 */
function flowTooDeepAt(text: string): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') {
      if (++depth > YAML_LIMITS.depth) return i;
    } else if (c === ']' || c === '}') depth--;
  }
  return undefined;
}

function yamlErrorDiag(e: YAMLError, at: (o: number) => SourcePos, text: string): Diagnostic {
  const pos = at(e.pos[0]);
  const first = e.message.split('\n')[0] ?? e.message;
  if (e.code === 'DUPLICATE_KEY') {
    return diag('duplicate key in a YAML mapping', pos, 'remove one of the two keys: only one value can win');
  }
  if (/call stack/i.test(e.message)) return tooDeep(at(flowTooDeepAt(text) ?? e.pos[0]));
  if (e.code === 'TAB_AS_INDENT') {
    return diag('a tab is used for indentation', pos, 'indent YAML with spaces');
  }
  return diag(
    `YAML syntax error: ${first.replace(/ at line \d+, column \d+.*$/, '')}`,
    pos,
    'fix the YAML syntax at this place',
  );
}

/** YAML 1.1 reads y/n as booleans; PyYAML (and so Ansible) keeps them as strings. */
function scalarValue(node: Scalar): unknown {
  if (typeof node.value === 'boolean' && typeof node.source === 'string' && /^[yYnN]$/.test(node.source))
    return node.source;
  return node.value;
}

function convert(
  node: Node | null,
  doc: Document,
  at: (o: number) => SourcePos,
  seen: Set<Node>,
  depth: number,
): unknown {
  if (node === null || node === undefined) return null;
  if (depth > YAML_LIMITS.depth) throw new YamlLimit(tooDeep(nodePos(node, at)));
  if (isAlias(node)) {
    // checkAliases has refused unknown anchors and self-containing aliases.
    const target = node.resolve(doc) as Node | undefined;
    if (!target || seen.has(target)) return null;
    seen.add(target);
    try {
      return convert(target, doc, at, seen, depth);
    } finally {
      seen.delete(target);
    }
  }
  if (isScalar(node)) {
    if (node.tag === '!vault') return new VaultText(String(node.value), node.range ? at(node.range[0]) : undefined);
    if (node.tag === '!unsafe') return new UnsafeText(String(node.value));
    return scalarValue(node);
  }
  const self = at(node.range?.[0] ?? 0);
  if (isSeq(node)) {
    const out: unknown[] = [];
    const p: Places = { self, keys: new Map(), values: new Map() };
    node.items.forEach((item, i) => {
      const n = item as Node;
      if (n?.range) p.values.set(i, at(n.range[0]));
      out.push(convert(n, doc, at, seen, depth + 1));
    });
    places.set(out, p);
    return out;
  }
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    const p: Places = { self, keys: new Map(), values: new Map() };
    const merged: Array<Record<string, unknown>> = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      if (keyNode && (isMap(keyNode) || isSeq(keyNode)))
        // `msg: {{ x }}` reads as a mapping whose key is a mapping: PyYAML refuses it too.
        throw new YamlLimit(
          diag(
            'a mapping or list is used as a mapping key',
            nodePos(keyNode, at),
            'a value starting with {{ must be quoted: msg: "{{ x }}"',
          ),
        );
      const rawKey = keyNode && isScalar(keyNode) ? scalarValue(keyNode) : convert(keyNode, doc, at, seen, depth + 1);
      if (rawKey === '<<' || (keyNode && isScalar(keyNode) && keyNode.source === '<<')) {
        const v = convert(pair.value as Node | null, doc, at, seen, depth + 1);
        for (const m of Array.isArray(v) ? v : [v])
          if (m && typeof m === 'object') merged.push(m as Record<string, unknown>);
        continue;
      }
      const key = rawKey === null ? 'null' : String(rawKey);
      if (typeof rawKey === 'number') numericKeysOf(out).add(key);
      if (keyNode?.range) p.keys.set(key, at(keyNode.range[0]));
      const valNode = pair.value as Node | null;
      if (valNode?.range) p.values.set(key, at(valNode.range[0]));
      out[key] = convert(valNode, doc, at, seen, depth + 1);
    }
    for (const m of merged) for (const [k, v] of Object.entries(m)) if (!(k in out)) out[k] = v;
    places.set(out, p);
    return out;
  }
  return (node as { toJSON?: () => unknown }).toJSON?.() ?? null;
}
