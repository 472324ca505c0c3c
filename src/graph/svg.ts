// A self-contained SVG (no fonts, scripts or external references): the layered layout in pixels,
// straight arrows between layers, replication drawn beside or below the database row.
import { center, layoutTopology, type Box, type Metrics } from './layout.js';
import { LAYER_TITLES, type NodeKind, type TopoEdge, type Topology } from './topology.js';

// Monospace at 12px is about 7.2px a character in the common fonts; a little more is kept so
// that no line of a box runs over its edge.
export const SVG_METRICS: Metrics = {
  charW: 7.4,
  lineH: 16,
  padX: 12,
  padY: 9,
  gapX: 36,
  gapY: 64,
  margin: 24,
  edgeLabelRoom: 40,
};

const FILL: Record<NodeKind, string> = {
  clients: '#eef2f7',
  service: '#fff4d6',
  director: '#e3efff',
  realServer: '#e6f6e6',
  database: '#f3e8fb',
};

const xml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

// A white halo behind an edge label keeps it readable where it sits on its line.
const LABEL =
  'class="edge-label" text-anchor="middle" paint-order="stroke" stroke="#ffffff" stroke-width="4" stroke-linejoin="round"';

const dash = (e: TopoEdge): string => (e.style === 'dashed' ? ' stroke-dasharray="6 4"' : '');

function boxSvg(b: Box, lines: string[], kind: NodeKind): string[] {
  const m = SVG_METRICS;
  const out = [
    `  <g class="node ${kind}">`,
    `    <rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6" fill="${FILL[kind]}" stroke="#4a5568"/>`,
  ];
  lines.forEach((l, i) => {
    const weight = i === 0 ? ' font-weight="bold"' : '';
    out.push(
      `    <text x="${b.x + m.padX}" y="${(b.y + m.padY + m.lineH * (i + 0.75)).toFixed(1)}"${weight}>${xml(l)}</text>`,
    );
  });
  out.push('  </g>');
  return out;
}

function downEdge(a: Box, b: Box, e: TopoEdge): string[] {
  const [x1, y1, x2, y2] = [center(a), a.y + a.h, center(b), b.y];
  const out = [
    `  <line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2 - 2}" stroke="#4a5568"${dash(e)} marker-end="url(#arrow)"/>`,
  ];
  if (e.label) {
    // Labels sit a third of the way down, where lines from one box have not yet converged,
    // beside their line on the side it leans to, so the line never runs through the text.
    const right = x2 >= x1;
    const lx = x1 + (x2 - x1) / 3 + (right ? 6 : -6);
    const ly = y1 + (y2 - y1) / 3;
    out.push(
      `  <text ${LABEL.replace('middle', right ? 'start' : 'end')} x="${lx.toFixed(1)}" y="${ly.toFixed(1)}">${xml(e.label)}</text>`,
    );
  }
  return out;
}

function sideEdge(a: Box, b: Box, e: TopoEdge, adjacent: boolean): string[] {
  const [left, right] = a.x < b.x ? [a, b] : [b, a];
  const markers = `${e.both || left !== a ? ' marker-start="url(#arrow-back)"' : ''}${e.both || right !== a ? ' marker-end="url(#arrow)"' : ''}`;
  if (adjacent) {
    const y = Math.min(left.y + left.h / 2, right.y + right.h / 2);
    const x1 = left.x + left.w + 2;
    const x2 = right.x - 2;
    return [
      `  <line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="#805ad5" stroke-width="1.5"${dash(e)}${markers}/>`,
      `  <text ${LABEL} x="${((x1 + x2) / 2).toFixed(1)}" y="${y - 6}">${xml(e.label ?? '')}</text>`,
    ];
  }
  // Not neighbours: arc under the row so the line crosses no box between them.
  const [x1, x2] = [center(left), center(right)];
  const y = Math.max(left.y + left.h, right.y + right.h);
  const depth = 28;
  return [
    `  <path d="M ${x1} ${y + 2} C ${x1} ${y + depth}, ${x2} ${y + depth}, ${x2} ${y + 2}" fill="none" stroke="#805ad5" stroke-width="1.5"${dash(e)}${markers}/>`,
    `  <text ${LABEL} x="${((x1 + x2) / 2).toFixed(1)}" y="${y + depth + 4}">${xml(e.label ?? '')}</text>`,
  ];
}

export function renderSvg(t: Topology, title = 'LVS-DR cluster'): string {
  const layout = layoutTopology(t, SVG_METRICS);
  // Room for the row titles on the left and an arc under the last row.
  const titleW =
    Math.ceil(
      Math.max(...t.layers.map((ids) => LAYER_TITLES[t.nodes.find((n) => n.id === ids[0])!.kind].length)) * 6.6,
    ) + 16;
  const width = layout.width + titleW;
  const arcs = t.edges.some((e) => {
    const [a, b] = [t.nodes.find((n) => n.id === e.from)!, t.nodes.find((n) => n.id === e.to)!];
    const ids = t.layers[a.layer]!;
    return a.layer === b.layer && Math.abs(ids.indexOf(a.id) - ids.indexOf(b.id)) !== 1;
  });
  const height = layout.height + (arcs ? 40 : 0);
  const byId = new Map(t.nodes.map((n) => [n.id, n]));
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="12">`,
    `  <title>${xml(title)}</title>`,
    '  <defs>',
    '    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" fill="#4a5568"/></marker>',
    '    <marker id="arrow-back" viewBox="0 0 10 10" refX="1" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M 10 0 L 0 5 L 10 10 z" fill="#4a5568"/></marker>',
    '  </defs>',
    `  <rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff" class="background"/>`,
    `  <g transform="translate(${titleW} 0)">`,
  ];
  layout.rows.forEach((row) => {
    const kind = byId.get(row.ids[0]!)!.kind;
    out.push(
      `  <text class="layer-title" x="${-titleW + 8}" y="${row.y + row.h / 2 + 4}" fill="#718096" font-size="11">${xml(LAYER_TITLES[kind])}</text>`,
    );
  });
  for (const e of t.edges) {
    const [a, b] = [layout.boxes.get(e.from)!, layout.boxes.get(e.to)!];
    const [la, lb] = [byId.get(e.from)!.layer, byId.get(e.to)!.layer];
    if (la === lb) {
      const ids = layout.rows[la]!.ids;
      out.push(...sideEdge(a, b, e, Math.abs(ids.indexOf(e.from) - ids.indexOf(e.to)) === 1));
    } else out.push(...downEdge(a, b, e));
  }
  for (const n of t.nodes) out.push(...boxSvg(layout.boxes.get(n.id)!, n.lines, n.kind));
  out.push('  </g>', '</svg>');
  return `${out.join('\n')}\n`;
}
