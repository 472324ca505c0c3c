// The picture formats `lvsplay graph --format` takes, apart from the renderers.
export const GRAPH_FORMATS = ['text', 'mermaid', 'dot', 'svg'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];
