/**
 * Every fan of the creator in one sortable table (virtualized: 20,000 rows are fine), with a
 * CSV export from the Brain (`GET …/export?what=fans&format=csv`). A row opens the chat.
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { useDeferredValue, useMemo, useRef, useState } from "react";
import { formatCount } from "../../components/format";
import { Empty } from "../../components/StateMessage";
import { navigate } from "../../hooks/useHashRoute";
import { useNow } from "../../hooks/useNow";
import { api, saveBlob } from "../../services/api";
import { errorMessage } from "../../services/errors";
import { matchesSearch } from "../../store/conversations";
import { useChatStore } from "../../store/useChatStore";
import { FAN_COLUMNS, sortFans } from "./fanColumns";

const ROW = 40;
const TEMPLATE = FAN_COLUMNS.map((c) => c.width).join(" ");

export function FansView({ userId }: { userId: string }) {
  const conversations = useChatStore((s) => s.conversations);
  const total = useChatStore((s) => s.totalConversations);
  const [sort, setSort] = useState({ key: "spend", desc: true });
  const [query, setQuery] = useState("");
  const deferred = useDeferredValue(query);
  const [exporting, setExporting] = useState<string | null>(null);
  const now = useNow(60_000);

  const column = FAN_COLUMNS.find((c) => c.key === sort.key) ?? FAN_COLUMNS[0]!;
  const rows = useMemo(
    () =>
      sortFans(
        [...conversations.values()].filter((n) => matchesSearch(n, deferred)),
        column,
        sort.desc,
      ),
    [conversations, deferred, column, sort.desc],
  );
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 15,
  });

  const exportCsv = async () => {
    setExporting("Exporting…");
    try {
      saveBlob(await api.export(userId, "fans", "csv"), `ofca-${userId}-fans.csv`);
      setExporting(null);
    } catch (error) {
      setExporting(`Export failed: ${errorMessage(error)}`);
    }
  };

  return (
    <div className="fans" data-testid="fans-view">
      <div className="view-head">
        <h1>Fans</h1>
        <input
          type="search"
          placeholder="Search fans"
          aria-label="Search fans"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <span className="muted small">
          {formatCount(rows.length)} fans
          {total > conversations.size
            ? ` (${formatCount(conversations.size)} of ${formatCount(total)} loaded)`
            : ""}
        </span>
        <span className="spacer" />
        {exporting && <span className="small muted">{exporting}</span>}
        <button
          type="button"
          onClick={() => void exportCsv()}
          disabled={exporting === "Exporting…"}
        >
          Export CSV
        </button>
      </div>
      <div className="grid-table" role="table" aria-label="Fans" aria-rowcount={rows.length}>
        <div className="grid-row grid-head" role="row" style={{ gridTemplateColumns: TEMPLATE }}>
          {FAN_COLUMNS.map((c) => (
            <span
              key={c.key}
              role="columnheader"
              aria-sort={sort.key === c.key ? (sort.desc ? "descending" : "ascending") : "none"}
              className={c.numeric ? "num" : undefined}
            >
              <button
                type="button"
                onClick={() =>
                  setSort((s) => ({ key: c.key, desc: s.key === c.key ? !s.desc : c.numeric }))
                }
              >
                {c.label}
                {sort.key === c.key ? (sort.desc ? " ▼" : " ▲") : ""}
              </button>
            </span>
          ))}
        </div>
        <div ref={scroller} className="grid-body">
          {rows.length === 0 && (
            <Empty>{conversations.size === 0 ? "No fans yet." : "No fan matches."}</Empty>
          )}
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {virtualizer.getVirtualItems().map((item) => {
              const node = rows[item.index];
              if (!node) return null;
              return (
                <div
                  key={node.chatId}
                  role="row"
                  className="grid-row"
                  tabIndex={0}
                  style={{
                    gridTemplateColumns: TEMPLATE,
                    transform: `translateY(${item.start}px)`,
                    height: ROW,
                  }}
                  onClick={() => navigate("inbox", node.chatId)}
                  onKeyDown={(e) => e.key === "Enter" && navigate("inbox", node.chatId)}
                >
                  {FAN_COLUMNS.map((c) => (
                    <span key={c.key} role="cell" className={c.numeric ? "num" : undefined}>
                      {c.show(node, now)}
                    </span>
                  ))}
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}
