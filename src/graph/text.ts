// The picture for a terminal: plain ASCII boxes, one row per layer, joined by a bus of lines
// (every upper box of a layer pair feeds every lower one, as directors do real servers).
// ':' marks a standby path (a BACKUP director's); replication is drawn between neighbours.
import { center, layoutTopology, type Box, type Metrics } from './layout.js';
import type { TopoEdge, Topology } from './topology.js';

export const TEXT_METRICS: Metrics = {
  charW: 1,
  lineH: 1,
  padX: 2,
  padY: 1,
  gapX: 3,
  gapY: 3,
  margin: 0,
  edgeLabelRoom: 8,
};

class Canvas {
  readonly cells: string[][];
  constructor(width: number, height: number) {
    this.cells = Array.from({ length: height }, () => Array<string>(width).fill(' '));
  }
  put(x: number, y: number, ch: string): void {
    const row = this.cells[y];
    if (!row || x < 0 || x >= row.length) return;
    const old = row[x]!;
    // Crossing lines become a junction rather than one overwriting the other.
    const crossing = (old === '-' && (ch === '|' || ch === ':')) || ((old === '|' || old === ':') && ch === '-');
    row[x] = crossing ? '+' : ch;
  }
  write(x: number, y: number, s: string): void {
    [...s].forEach((ch, i) => this.put(x + i, y, ch));
  }
  toString(): string {
    return this.cells.map((r) => r.join('').trimEnd()).join('\n');
  }
}

function drawBox(c: Canvas, b: Box, lines: string[]): void {
  const bar = `+${'-'.repeat(b.w - 2)}+`;
  c.write(b.x, b.y, bar);
  c.write(b.x, b.y + b.h - 1, bar);
  for (let y = b.y + 1; y < b.y + b.h - 1; y++) {
    c.write(b.x, y, '|');
    c.write(b.x + b.w - 1, y, '|');
  }
  lines.forEach((l, i) => c.write(b.x + TEXT_METRICS.padX, b.y + TEXT_METRICS.padY + i, l));
}

/** The connectors from one row to the next: stubs down to a bus, then arrows into each box. */
function drawBus(c: Canvas, boxes: Map<string, Box>, rowBottom: number, edges: TopoEdge[]): void {
  const uppers = [...new Set(edges.map((e) => e.from))];
  const lowers = [...new Set(edges.map((e) => e.to))];
  const busY = rowBottom + 1;
  const xs: number[] = [];
  for (const id of uppers) {
    const b = boxes.get(id)!;
    const standby = edges.filter((e) => e.from === id).every((e) => e.style === 'dashed');
    for (let y = b.y + b.h; y < busY; y++) c.put(center(b), y, standby ? ':' : '|');
    xs.push(center(b));
  }
  const upperXs = [...xs];
  // An arrow a column or two off a stub above it would leave a '++' kink: line them up.
  const arrowXs = lowers.map((id) => {
    const b = boxes.get(id)!;
    const near = upperXs.find((x) => Math.abs(x - center(b)) <= 2 && x > b.x + 1 && x < b.x + b.w - 2);
    return near ?? center(b);
  });
  xs.push(...arrowXs);
  const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
  for (let x = lo; x <= hi; x++) c.put(x, busY, '-');
  for (const x of xs) c.put(x, busY, lo === hi ? '|' : '+');
  for (const x of arrowXs) c.put(x, busY + 1, 'v');
}

function drawSideways(c: Canvas, a: Box, b: Box, e: TopoEdge): void {
  const [left, right] = a.x < b.x ? [a, b] : [b, a];
  const from = left.x + left.w;
  const width = right.x - from;
  const label = ` ${e.label ?? ''} `;
  const fill = Math.max(0, width - label.length - 2);
  const headLeft = e.both || left !== a ? '<' : '-';
  const headRight = e.both || right !== a ? '>' : '-';
  const line = `${headLeft}${'-'.repeat(Math.floor(fill / 2))}${label}${'-'.repeat(Math.ceil(fill / 2))}${headRight}`;
  c.write(from, Math.min(a.y, b.y) + Math.floor(Math.min(a.h, b.h) / 2), line);
}

export function renderText(t: Topology): string {
  const layout = layoutTopology(t, TEXT_METRICS);
  const c = new Canvas(layout.width, layout.height);
  const layerOf = new Map(t.nodes.map((n) => [n.id, n.layer]));
  for (const n of t.nodes) drawBox(c, layout.boxes.get(n.id)!, n.lines);
  layout.rows.forEach((row, r) => {
    const down = t.edges.filter((e) => layerOf.get(e.from) === r && layerOf.get(e.to) === r + 1);
    if (down.length) drawBus(c, layout.boxes, row.y + row.h, down);
  });
  const notes: string[] = [];
  for (const e of t.edges.filter((x) => layerOf.get(x.from) === layerOf.get(x.to))) {
    const row = layout.rows[layerOf.get(e.from)!]!;
    const adjacent = Math.abs(row.ids.indexOf(e.from) - row.ids.indexOf(e.to)) === 1;
    if (adjacent) drawSideways(c, layout.boxes.get(e.from)!, layout.boxes.get(e.to)!, e);
    else notes.push(`${e.label ?? 'link'}: ${nameOf(t, e.from)} ${e.both ? '<->' : '->'} ${nameOf(t, e.to)}`);
  }
  if (t.edges.some((e) => e.style === 'dashed' && layerOf.get(e.from) !== layerOf.get(e.to)))
    notes.push("':' standby path (a BACKUP director takes over when the MASTER fails)");
  return `${c.toString()}\n${notes.map((n) => `${n}\n`).join('')}`;
}

const nameOf = (t: Topology, id: string): string => t.nodes.find((n) => n.id === id)?.lines[0]?.split(' ')[0] ?? id;
