// Mermaid flowchart text (renders on GitHub and in most Markdown viewers): one subgraph per layer.
import { LAYER_TITLES, type TopoEdge, type Topology } from './topology.js';

/** Mermaid ids allow letters, digits and '_'; the topology's ids may hold '.', '-'. */
const mermaidId = (id: string): string => id.replace(/[^A-Za-z0-9_]/g, '_');

/** Quotes and angle brackets in a label would end it or read as HTML. */
const escapeLabel = (s: string): string => s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');

function arrow(e: TopoEdge): string {
  const body = e.style === 'dashed' ? '-.->' : '-->';
  const head = e.both ? `<${body}` : body;
  return e.label ? `${head}|${escapeLabel(e.label)}|` : head;
}

export function renderMermaid(t: Topology): string {
  const out = ['flowchart TB'];
  for (const ids of t.layers) {
    const nodes = ids.map((id) => t.nodes.find((n) => n.id === id)!);
    const kind = nodes[0]!.kind;
    const node = (id: string, lines: string[]): string => {
      const label = `"${lines.map(escapeLabel).join('<br/>')}"`;
      return kind === 'clients'
        ? `${mermaidId(id)}([${label}])`
        : kind === 'database'
          ? `${mermaidId(id)}[(${label})]`
          : `${mermaidId(id)}[${label}]`;
    };
    if (kind === 'clients') {
      out.push(`  ${node(nodes[0]!.id, nodes[0]!.lines)}`);
      continue;
    }
    out.push(`  subgraph ${kind}["${LAYER_TITLES[kind]}"]`);
    for (const n of nodes) out.push(`    ${node(n.id, n.lines)}`);
    out.push('  end');
  }
  for (const e of t.edges) out.push(`  ${mermaidId(e.from)} ${arrow(e)} ${mermaidId(e.to)}`);
  return `${out.join('\n')}\n`;
}
