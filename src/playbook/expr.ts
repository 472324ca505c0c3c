// Which names a template only reads where a missing value is fine (`x | default(..)`,
// `x is defined`): the undefined-variable check must never report them. Syntax, filters and
// the names read are src/vars/template-check.ts's business.
import nunjucks from 'nunjucks';

const GUARD_FILTERS = new Set(['default', 'd', 'mandatory']);
const GUARD_TESTS = new Set(['defined', 'undefined', 'none']);

interface AstNode {
  typename: string;
  fields?: string[];
  value?: unknown;
  [k: string]: unknown;
}

export function isTemplateText(s: string): boolean {
  return s.includes('{{') || s.includes('{%') || s.includes('{#');
}

export function guardedNames(text: string): Set<string> {
  const out = new Set<string>();
  let root: AstNode;
  try {
    root = (nunjucks as unknown as { parser: { parse(s: string): AstNode } }).parser.parse(text);
  } catch {
    return out;
  }
  visit(root, out);
  return out;
}

function visit(n: unknown, out: Set<string>): void {
  if (Array.isArray(n)) return n.forEach((c) => visit(c, out));
  if (!n || typeof n !== 'object') return;
  const node = n as AstNode;
  if (node.typename === 'Filter' || node.typename === 'FilterAsync') {
    const first = ((node.args as AstNode | undefined)?.children as AstNode[] | undefined)?.[0];
    if (GUARD_FILTERS.has(String((node.name as AstNode)?.value)) && first?.typename === 'Symbol')
      out.add(String(first.value));
  } else if (node.typename === 'Is') {
    const left = node.left as AstNode;
    const right = node.right as AstNode;
    const test = right?.typename === 'FunCall' ? (right.name as AstNode)?.value : right?.value;
    if (GUARD_TESTS.has(String(test)) && left?.typename === 'Symbol') out.add(String(left.value));
  }
  for (const f of node.fields ?? []) visit(node[f], out);
}
