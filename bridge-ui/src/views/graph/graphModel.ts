/**
 * A `GraphView` page (creators, conversations, fans, topics) as a graphology graph with a
 * ForceAtlas2 layout, ready for sigma. Node ids keep the Brain's typed ids (`fan:123`).
 */
import Graph from "graphology";
import forceAtlas2 from "graphology-layout-forceatlas2";
import type { GraphNode, GraphView } from "../../wire";

export type NodeKind = GraphNode["kind"];

export const NODE_KINDS: readonly NodeKind[] = ["creator", "fan", "conversation", "topic"];

export const KIND_COLOR: Record<NodeKind, string> = {
  creator: "#ffd166",
  fan: "#4f8cff",
  conversation: "#5b6472",
  topic: "#30a46c",
};

const KIND_SCALE: Record<NodeKind, number> = {
  creator: 2.2,
  fan: 1.3,
  conversation: 0.6,
  topic: 1.6,
};

export interface NodeAttributes {
  label: string;
  kind: NodeKind;
  size: number;
  color: string;
  x: number;
  y: number;
  attrs: GraphNode["attrs"];
}

export interface EdgeAttributes {
  size: number;
  color: string;
  kind: string;
}

export function buildGraph(view: GraphView): Graph<NodeAttributes, EdgeAttributes> {
  const graph = new Graph<NodeAttributes, EdgeAttributes>({ type: "undirected", multi: false });
  const nodes = view.nodes ?? [];
  nodes.forEach((node, i) => {
    // Start on a circle: ForceAtlas2 needs distinct positions.
    const angle = (2 * Math.PI * i) / Math.max(1, nodes.length);
    graph.mergeNode(node.id, {
      label: node.label,
      kind: node.kind,
      size: 2 + (node.size ?? 1) * KIND_SCALE[node.kind],
      color: KIND_COLOR[node.kind],
      x: Math.cos(angle) * 100,
      y: Math.sin(angle) * 100,
      attrs: node.attrs ?? {},
    });
  });
  for (const edge of view.edges ?? []) {
    if (edge.source === edge.target || !graph.hasNode(edge.source) || !graph.hasNode(edge.target))
      continue;
    graph.mergeEdge(edge.source, edge.target, {
      size: Math.max(0.5, Math.min(4, edge.weight)),
      color: edge.kind === "mentions" ? "#2b5e45" : "#3a4250",
      kind: edge.kind,
    });
  }
  if (graph.order > 1) {
    const iterations = graph.order > 1000 ? 60 : 150;
    forceAtlas2.assign(graph, {
      iterations,
      settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: graph.order > 500 },
    });
  }
  return graph;
}

/** The chat id of a fan node (`fan:123` → `123`), else null. */
export function fanChatId(nodeId: string): string | null {
  return nodeId.startsWith("fan:") ? nodeId.slice(4) : null;
}
