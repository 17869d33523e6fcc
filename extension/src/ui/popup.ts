/** Popup: the Agent's status and the pause switch (`paused` in chrome.storage.local). */
import type { AgentStatus } from "../background/agent";

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} missing`);
  return found as T;
}

const LABELS: Record<AgentStatus["connection"], string> = {
  open: "connected",
  connecting: "connecting…",
  waiting: "disconnected, retrying",
  paused: "paused",
  unconfigured: "not configured",
};

function ago(at: number | null): string {
  if (at === null) return "never";
  const seconds = Math.max(0, Math.round((Date.now() - at) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return new Date(at).toLocaleString();
}

const paused = element<HTMLInputElement>("paused");
const problem = element<HTMLParagraphElement>("problem");

function show(status: AgentStatus): void {
  element("connection").textContent = LABELS[status.connection];
  element("creator").textContent = status.creatorId ?? status.tokenUserId ?? "unknown";
  element("chats").textContent = String(status.chats);
  element("messages").textContent = String(status.messages);
  element("outbox").textContent = String(status.outbox);
  element("lastSync").textContent = ago(status.lastSyncAt);
  paused.checked = status.paused;
  const issues: string[] = [];
  if (status.accountMismatch) {
    issues.push(`The tab is logged into ${status.creatorId}, the token is for ${status.tokenUserId}: nothing from this tab is sent.`);
  }
  if (status.lastError && status.connection !== "open") issues.push(status.lastError);
  problem.hidden = issues.length === 0;
  problem.textContent = issues.join(" ");
}

async function refresh(): Promise<void> {
  const status = (await chrome.runtime.sendMessage({ type: "get_status" })) as AgentStatus | { error: string };
  if ("error" in status) {
    problem.hidden = false;
    problem.textContent = status.error;
    return;
  }
  show(status);
}

paused.addEventListener("change", () => {
  void chrome.storage.local.set({ paused: paused.checked }).then(refresh);
});
element("openOptions").addEventListener("click", (event) => {
  event.preventDefault();
  void chrome.runtime.openOptionsPage();
});

void refresh();
setInterval(() => void refresh(), 2000);
