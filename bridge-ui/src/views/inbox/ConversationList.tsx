/**
 * Every conversation of the creator, in a virtualized list: only the rows on screen exist in
 * the DOM, so 20,000 conversations scroll like 20. Sorted by priority, waiting time or revenue.
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import { formatCount } from "../../components/format";
import { MARK_INBOX_PAINTED, markAfterPaint } from "../../hooks/perfMarks";
import { useNow } from "../../hooks/useNow";
import { sortConversations } from "../../store/conversations";
import { useChatStore } from "../../store/useChatStore";
import type { ChatSort } from "../../wire";
import { ConversationRow, ROW_HEIGHT } from "./ConversationRow";
import { FILTERS, type InboxFilter, visibleConversations } from "./inboxFilters";

const SORTS: { value: ChatSort; label: string }[] = [
  { value: "priority", label: "Priority" },
  { value: "waiting", label: "Waiting longest" },
  { value: "revenue", label: "Revenue" },
];

export function ConversationList({ selected }: { selected: string | null }) {
  const conversations = useChatStore((s) => s.conversations);
  const drafts = useChatStore((s) => s.drafts);
  const total = useChatStore((s) => s.totalConversations);
  const generation = useChatStore((s) => s.syncGeneration);
  const synced = generation > 0;
  const [sort, setSort] = useState<ChatSort>("priority");
  const [filter, setFilter] = useState<InboxFilter>("all");
  const [query, setQuery] = useState("");
  const deferredQuery = useDeferredValue(query);
  const now = useNow(30_000);

  const rows = useMemo(
    () =>
      sortConversations(visibleConversations(conversations.values(), filter, deferredQuery), sort),
    [conversations, filter, deferredQuery, sort],
  );

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (index) => rows[index]?.chatId ?? index,
  });

  usePaintMark(generation, rows.length);

  // A chat opened from elsewhere (a link, the fans table) is scrolled into view once.
  const revealed = useRef<string | null>(null);
  useEffect(() => {
    if (selected === null || revealed.current === selected) return;
    const index = rows.findIndex((n) => n.chatId === selected);
    if (index < 0) return;
    revealed.current = selected;
    virtualizer.scrollToIndex(index, { align: "auto" });
  }, [selected, rows, virtualizer]);

  return (
    <section className="conversations" aria-label="Conversations">
      <div className="list-toolbar">
        <input
          type="search"
          placeholder="Search fans"
          aria-label="Search fans"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <select
          aria-label="Sort"
          value={sort}
          onChange={(e) =>
            setSort(SORTS.find((o) => o.value === e.target.value)?.value ?? "priority")
          }
        >
          {SORTS.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      <div className="chips" role="group" aria-label="Filter">
        {FILTERS.map((f) => (
          <button
            key={f.value}
            type="button"
            className={filter === f.value ? "chip active" : "chip"}
            aria-pressed={filter === f.value}
            onClick={() => setFilter(f.value)}
          >
            {f.label}
          </button>
        ))}
        <span className="muted small" data-testid="inbox-count">
          {formatCount(rows.length)}
          {total > conversations.size
            ? ` · ${formatCount(conversations.size)}/${formatCount(total)} loaded`
            : ""}
        </span>
      </div>
      <div ref={scroller} className="conversation-scroller" data-testid="conversation-scroller">
        {!synced && (
          <div className="state state-loading">
            <span className="spinner" aria-hidden /> Waiting for the Brain's snapshot…
          </div>
        )}
        {synced && rows.length === 0 && (
          <div className="state state-empty">
            {conversations.size === 0 ? "No conversations yet." : "No conversation matches."}
          </div>
        )}
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const node = rows[item.index];
            if (!node) return null;
            return (
              <ConversationRow
                key={item.key}
                node={node}
                top={item.start}
                selected={node.chatId === selected}
                hasDraft={drafts.has(node.chatId)}
                now={now}
              />
            );
          })}
        </div>
      </div>
    </section>
  );
}

/**
 * Mark when the rows of a new snapshot are painted (the e2e test measures full sync → paint).
 * Only snapshots that arrive while the list is on screen count.
 */
function usePaintMark(generation: number, rowCount: number): void {
  const marked = useRef(generation);
  useEffect(() => {
    if (generation > marked.current && rowCount > 0) {
      marked.current = generation;
      markAfterPaint(MARK_INBOX_PAINTED, "ofca:full-sync-to-paint", { rows: rowCount, generation });
    }
  }, [generation, rowCount]);
}
