/** Draws a graphology graph with sigma (WebGL); clicking a node selects it. */
import type Graph from "graphology";
import { useEffect, useRef, useState } from "react";
import Sigma from "sigma";
import type { EdgeAttributes, NodeAttributes } from "./graphModel";

export function SigmaCanvas({
  graph,
  selected,
  onSelect,
}: {
  graph: Graph<NodeAttributes, EdgeAttributes>;
  selected: string | null;
  onSelect: (nodeId: string | null) => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const renderer = useRef<Sigma<NodeAttributes, EdgeAttributes> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    let sigma: Sigma<NodeAttributes, EdgeAttributes>;
    try {
      sigma = new Sigma(graph, el, {
        labelColor: { color: "#c9d1d9" },
        labelRenderedSizeThreshold: 7,
        defaultEdgeColor: "#3a4250",
        zIndex: true,
      });
    } catch (e) {
      setError(`The graph needs WebGL, which this browser did not provide (${String(e)}).`);
      return;
    }
    setError(null);
    sigma.on("clickNode", ({ node }) => onSelectRef.current(node));
    sigma.on("clickStage", () => onSelectRef.current(null));
    renderer.current = sigma;
    return () => {
      sigma.kill();
      renderer.current = null;
    };
  }, [graph]);

  // Highlight the selection and its neighbours; dim the rest.
  useEffect(() => {
    const sigma = renderer.current;
    if (!sigma) return;
    if (selected === null || !graph.hasNode(selected)) {
      sigma.setSetting("nodeReducer", null);
      sigma.setSetting("edgeReducer", null);
      return;
    }
    const near = new Set([selected, ...graph.neighbors(selected)]);
    sigma.setSetting("nodeReducer", (node, data) =>
      near.has(node)
        ? { ...data, highlighted: node === selected, zIndex: 1 }
        : { ...data, color: "#252b35", label: "" },
    );
    sigma.setSetting("edgeReducer", (edge, data) =>
      graph.hasExtremity(edge, selected)
        ? { ...data, color: "#8b97a8", zIndex: 1 }
        : { ...data, hidden: true },
    );
  }, [graph, selected]);

  return (
    <div className="sigma-wrap">
      {error && <p className="state state-error">{error}</p>}
      <div ref={container} className="sigma-container" data-testid="graph-canvas" />
    </div>
  );
}
