// Layers laid out as rows of boxes, each row centred, rows stacked top to bottom. Used in
// character cells by the text picture and in pixels by the SVG: one algorithm, two units.
import type { Topology } from './topology.js';

export interface Metrics {
  /** Width of one character of a box's text. */
  charW: number;
  /** Height of one line of a box's text. */
  lineH: number;
  /** Room between a box's edge and its text, left and right. */
  padX: number;
  /** Room between a box's edge and its text, top and bottom. */
  padY: number;
  /** Room between two boxes of a row. */
  gapX: number;
  /** Room between two rows, for the connectors. */
  gapY: number;
  margin: number;
  /** Room besides the label text that a labelled edge between neighbours in a row needs. */
  edgeLabelRoom: number;
}

export interface Box {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Layout {
  boxes: Map<string, Box>;
  /** Each row's top and its height (the tallest box). */
  rows: Array<{ y: number; h: number; ids: string[] }>;
  width: number;
  height: number;
}

export function layoutTopology(t: Topology, m: Metrics): Layout {
  const byId = new Map(t.nodes.map((n) => [n.id, n]));
  const size = (id: string): { w: number; h: number } => {
    const lines = byId.get(id)?.lines ?? [''];
    const longest = Math.max(...lines.map((l) => l.length));
    return { w: Math.ceil(longest * m.charW + 2 * m.padX), h: Math.ceil(lines.length * m.lineH + 2 * m.padY) };
  };
  // A labelled edge between neighbours is drawn in the gap between them: make the gap fit it.
  const gapBetween = (a: string, b: string): number => {
    const e = t.edges.find((x) => (x.from === a && x.to === b) || (x.from === b && x.to === a));
    return e?.label ? Math.max(m.gapX, Math.ceil(e.label.length * m.charW + m.edgeLabelRoom)) : m.gapX;
  };

  const rowsWidth = t.layers.map((ids) =>
    ids.reduce((sum, id, i) => sum + size(id).w + (i ? gapBetween(ids[i - 1]!, id) : 0), 0),
  );
  const inner = Math.max(0, ...rowsWidth);
  const boxes = new Map<string, Box>();
  const rows: Layout['rows'] = [];
  let y = m.margin;
  t.layers.forEach((ids, r) => {
    let x = m.margin + Math.floor((inner - rowsWidth[r]!) / 2);
    let h = 0;
    ids.forEach((id, i) => {
      if (i) x += gapBetween(ids[i - 1]!, id);
      const s = size(id);
      boxes.set(id, { id, x, y, w: s.w, h: s.h });
      x += s.w;
      h = Math.max(h, s.h);
    });
    rows.push({ y, h, ids });
    y += h + (r < t.layers.length - 1 ? m.gapY : 0);
  });
  return { boxes, rows, width: inner + 2 * m.margin, height: y + m.margin };
}

export const center = (b: Box): number => b.x + Math.floor(b.w / 2);

export function intersects(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}
