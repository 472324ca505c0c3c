// `lvsplay graph`'s pictures of the cluster model, by format.
import type { ClusterModel } from '../cluster/model.js';
import type { ClusterStatus } from '../status/report.js';
import { renderDot } from './dot.js';
import { renderMermaid } from './mermaid.js';
import { renderSvg } from './svg.js';
import { renderText } from './text.js';
import { topologyOf } from './topology.js';
import type { GraphFormat } from './formats.js';

export { GRAPH_FORMATS, type GraphFormat } from './formats.js';

export function renderGraph(model: ClusterModel, format: GraphFormat, live?: ClusterStatus): string {
  const t = topologyOf(model, live);
  switch (format) {
    case 'text':
      return renderText(t);
    case 'mermaid':
      return renderMermaid(t);
    case 'dot':
      return renderDot(t);
    case 'svg':
      return renderSvg(t);
  }
}

export { topologyOf, type Topology, type TopoNode, type TopoEdge } from './topology.js';
export { layoutTopology, intersects, type Box, type Layout, type Metrics } from './layout.js';
export { TEXT_METRICS } from './text.js';
export { SVG_METRICS } from './svg.js';
