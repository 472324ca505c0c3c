// Graphviz DOT: `lvsplay graph --format dot | dot -Tpng > cluster.png`. One cluster per layer.
import { LAYER_TITLES, type TopoNode, type Topology } from './topology.js';

/** A DOT double-quoted string: backslash and quote escaped, line breaks as \n. */
const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

const SHAPES: Record<TopoNode['kind'], string> = {
  clients: 'ellipse',
  service: 'box, style="rounded,bold"',
  director: 'box, style=rounded',
  realServer: 'box',
  database: 'cylinder',
};

export function renderDot(t: Topology): string {
  const out = [
    'digraph lvs_cluster {',
    '  rankdir=TB;',
    '  newrank=true;',
    '  node [fontname="monospace", fontsize=11];',
    '  edge [fontname="monospace", fontsize=10];',
  ];
  const layerOf = new Map(t.nodes.map((n) => [n.id, n.layer]));
  t.layers.forEach((ids, r) => {
    const nodes = ids.map((id) => t.nodes.find((n) => n.id === id)!);
    const kind = nodes[0]!.kind;
    out.push(`  subgraph cluster_${r} {`, `    label=${quote(LAYER_TITLES[kind])};`, '    style=dashed;');
    for (const n of nodes)
      out.push(`    ${quote(n.id)} [label=${quote(n.lines.join('\n'))}, shape=${SHAPES[n.kind]}];`);
    out.push('  }');
  });
  for (const e of t.edges) {
    const attrs: string[] = [];
    if (e.label) attrs.push(`label=${quote(e.label)}`);
    if (e.style === 'dashed') attrs.push('style=dashed');
    if (e.both) attrs.push('dir=both');
    // A link inside a layer must not push one end a rank down.
    if (layerOf.get(e.from) === layerOf.get(e.to)) attrs.push('constraint=false');
    out.push(`  ${quote(e.from)} -> ${quote(e.to)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
