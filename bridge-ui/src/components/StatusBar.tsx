/**
 * The bottom line: socket state (connecting / open / reconnecting / closed), whether the
 * creator's Agent is online, what the Brain says it is doing, how much of the inbox is here, and
 * how much of the creator's history the Brain holds (coverage).
 */
import { useNow } from "../hooks/useNow";
import { useChatStore } from "../store/useChatStore";
import { coverageStatus } from "./coverageText";
import { formatCount, formatTime } from "./format";
import "./coverage.css";

const BRAIN_LABEL: Record<string, string> = {
  IDLE: "idle (no snapshot yet)",
  PROCESSING_SNAPSHOT: "processing a snapshot",
  REALTIME: "realtime",
  DEGRADED: "degraded",
};

export function StatusBar() {
  const socket = useChatStore((s) => s.socket);
  const brain = useChatStore((s) => s.brain);
  const loading = useChatStore((s) => s.loading);
  const total = useChatStore((s) => s.totalConversations);
  const loaded = useChatStore((s) => s.conversations.size);
  const lastFrameAt = useChatStore((s) => s.lastFrameAt);
  const version = useChatStore((s) => s.connection?.version);
  const latestError = useChatStore((s) => s.errors[0]);
  const errorCount = useChatStore((s) => s.errors.length);
  const clearErrors = useChatStore((s) => s.clearErrors);
  const coverage = useChatStore((s) => s.analytics?.coverage);
  const now = useNow(1000);

  const retryIn =
    socket.phase === "reconnecting" && socket.nextRetryAt
      ? Math.max(0, Math.ceil((socket.nextRetryAt - now) / 1000))
      : null;
  const live = socket.phase === "open";
  const agent =
    !live || brain.agentOnline === null ? "unknown" : brain.agentOnline ? "online" : "offline";
  const history = coverageStatus(coverage);

  return (
    <footer className="statusbar" aria-label="Status">
      <span
        className={`pill socket-${socket.phase}`}
        data-testid="socket-state"
        data-state={socket.phase}
      >
        Socket: {socket.phase}
        {socket.phase === "reconnecting" &&
          ` (attempt ${socket.attempt}${retryIn !== null ? `, next in ${retryIn}s` : ""})`}
      </span>
      <span className={`pill agent-${agent}`} data-testid="agent-state" data-state={agent}>
        Agent: {agent}
      </span>
      <span className="pill" data-testid="brain-state">
        Brain: {brain.state ? (BRAIN_LABEL[brain.state] ?? brain.state) : "—"}
        {brain.detail ? ` · ${brain.detail}` : ""}
      </span>
      <span className="pill" data-testid="loaded-count">
        Conversations: {formatCount(loaded)}
        {total > loaded ? ` of ${formatCount(total)}` : ""}
        {!loading.done && total > loaded && !loading.error ? " (loading…)" : ""}
      </span>
      <span
        className={`pill coverage-${history.tone}`}
        data-testid="coverage-state"
        data-tone={history.tone}
        title={history.detail}
      >
        {history.text}
      </span>
      {loading.error && <span className="pill pill-error">{loading.error}</span>}
      {latestError && (
        <span className="pill pill-error" title={latestError.code} data-testid="brain-error">
          Brain error{errorCount > 1 ? ` (${errorCount})` : ""}: {latestError.message}
          <button type="button" className="link" onClick={clearErrors} aria-label="Dismiss errors">
            ✕
          </button>
        </span>
      )}
      <span className="spacer" />
      <span className="muted">Last update {formatTime(lastFrameAt)}</span>
      {version && <span className="muted">Brain v{version}</span>}
    </footer>
  );
}
