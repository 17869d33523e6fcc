/**
 * Says plainly when what is on screen may be out of date: the socket is down (nothing live
 * arrives) or the creator's Agent is offline (no new messages are captured, sends wait).
 */
import { useChatStore } from "../store/useChatStore";
import { formatTime } from "./format";

export function StaleBanner() {
  const phase = useChatStore((s) => s.socket.phase);
  const lastCloseAt = useChatStore((s) => s.socket.lastCloseAt);
  const agentOnline = useChatStore((s) => s.brain.agentOnline);
  const brainState = useChatStore((s) => s.brain.state);
  const synced = useChatStore((s) => s.syncGeneration > 0);

  if (phase === "reconnecting" || phase === "closed") {
    return (
      <div className="banner banner-warn" role="status" data-testid="stale-banner">
        Live updates are paused: the connection to the Brain dropped
        {lastCloseAt ? ` at ${formatTime(lastCloseAt)}` : ""}. What you see may be out of date;
        reconnecting automatically.
      </div>
    );
  }
  if (phase === "open" && agentOnline === false) {
    return (
      <div className="banner banner-info" role="status" data-testid="agent-banner">
        The creator's Agent (the Chrome extension) is offline: no new messages are captured, and
        messages you send wait for it (up to 10 minutes, then they expire).
      </div>
    );
  }
  if (phase === "open" && !synced && brainState !== "PROCESSING_SNAPSHOT") {
    return (
      <div className="banner banner-info" role="status">
        The Brain holds no data for this creator yet: open OnlyFans in the browser with the Agent
        installed, or request a sync in Settings.
      </div>
    );
  }
  return null;
}
