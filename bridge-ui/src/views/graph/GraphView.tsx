/**
 * The creator's network (`GET …/graph`): creators, conversations, fans and topics, the most
 * important first, drawn with sigma (WebGL). Click a node for details; focus shows its
 * neighbourhood; a fan opens its chat.
 */
import { useMemo, useState } from "react";
import { formatCount } from "../../components/format";
import { Empty, Failure, Loading } from "../../components/StateMessage";
import { useAsync } from "../../hooks/useAsync";
import { navigate } from "../../hooks/useHashRoute";
import { api } from "../../services/api";
import { buildGraph, fanChatId, KIND_COLOR, NODE_KINDS } from "./graphModel";
import { SigmaCanvas } from "./SigmaCanvas";

const LIMITS = [100, 300, 1000, 2000];

export function GraphView({ userId }: { userId: string }) {
  const [limit, setLimit] = useState(300);
  const [focus, setFocus] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const page = useAsync(
    (signal) => api.graph(userId, { focus, limit }, signal),
    [userId, focus, limit],
  );
  const graph = useMemo(() => (page.data ? buildGraph(page.data) : null), [page.data]);
  const node = selected && graph?.hasNode(selected) ? graph.getNodeAttributes(selected) : null;

  return (
    <div className="graph-view" data-testid="graph-view">
      <div className="view-head">
        <h1>Graph</h1>
        <label className="small">
          Nodes
          <select value={limit} onChange={(e) => setLimit(Number(e.target.value))}>
            {LIMITS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        {focus && (
          <button type="button" className="chip active" onClick={() => setFocus(null)}>
            Focus: {focus} ✕
          </button>
        )}
        <span className="legend">
          {NODE_KINDS.map((k) => (
            <span key={k}>
              <i style={{ background: KIND_COLOR[k] }} /> {k}
            </span>
          ))}
        </span>
        <span className="spacer" />
        {page.data && (
          <span className="muted small">
            {formatCount(page.data.nodes?.length ?? 0)} of {formatCount(page.data.totalNodes)} nodes
            · {formatCount(page.data.edges?.length ?? 0)} of {formatCount(page.data.totalEdges)}{" "}
            edges
            {page.data.truncated ? " (most important shown)" : ""}
          </span>
        )}
      </div>
      <div className="graph-body">
        {!graph && page.status === "loading" && <Loading what="the graph" />}
        {!graph && page.status === "error" && <Failure error={page.error} onRetry={page.reload} />}
        {graph && graph.order === 0 && (
          <Empty>No network yet: it grows as conversations arrive.</Empty>
        )}
        {graph && graph.order > 0 && (
          <SigmaCanvas graph={graph} selected={selected} onSelect={setSelected} />
        )}
        {node && selected && (
          <aside className="card graph-details">
            <h3>{node.label}</h3>
            <p className="muted small">
              {node.kind} · {selected}
            </p>
            <dl className="facts">
              {Object.entries(node.attrs ?? {}).map(([k, v]) => (
                <div key={k} className="fact">
                  <dt>{k}</dt>
                  <dd>
                    {typeof v === "number"
                      ? Number.isInteger(v)
                        ? v
                        : v.toFixed(3)
                      : String(v ?? "—")}
                  </dd>
                </div>
              ))}
            </dl>
            <div className="draft-buttons">
              <button type="button" onClick={() => setFocus(selected)}>
                Focus here
              </button>
              {fanChatId(selected) && (
                <button type="button" onClick={() => navigate("inbox", fanChatId(selected))}>
                  Open chat
                </button>
              )}
            </div>
          </aside>
        )}
      </div>
    </div>
  );
}
