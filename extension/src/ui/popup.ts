/** Popup: the Agent's status, the pause switch (`paused` in chrome.storage.local), pages that
 * ask to read the chats (Allow / Deny), and the history backfill: its state, Start (with an
 * optional "since" date) / Stop, and the dashboard's request to start one (Start / Dismiss:
 * the creator decides). */
import type { AgentStatus } from "../background/agent";
import { describeBackfill, sinceFromDateInput } from "./backfill-view";
import { renderReadAsks } from "./read-origins-view";

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
const since = element<HTMLInputElement>("since");
const backfillError = element<HTMLParagraphElement>("backfillError");
const readAsks = element<HTMLDivElement>("readAsks");
let shownAsks = "";

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

  const asks = JSON.stringify(status.readOrigins.pending);
  if (asks !== shownAsks) {
    // Only when they changed: a refresh must not replace a button under the creator's click.
    shownAsks = asks;
    renderReadAsks(readAsks, status.readOrigins, ask);
  }

  const backfill = status.backfill;
  element("backfillState").textContent = describeBackfill(backfill);
  element("backfillRequests").textContent = String(backfill.requests);
  element("backfillMessages").textContent = `${backfill.messages} messages`;
  const active = backfill.state === "running" || backfill.state === "paused" || backfill.state === "rate_limited";
  element<HTMLButtonElement>("backfillStop").disabled = !active;
  element("backfillAsk").hidden = status.backfillRequest === null;
  const asked = status.backfillRequest?.since ?? null;
  if (asked !== null && since.value === "" && document.activeElement !== since) {
    since.value = new Date(asked).toISOString().slice(0, 10); // the date the dashboard proposes
  }
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

async function ask(message: Record<string, unknown>): Promise<void> {
  const answer = (await chrome.runtime.sendMessage(message)) as { ok: boolean; error?: string };
  backfillError.hidden = answer.ok;
  backfillError.textContent = answer.ok ? "" : (answer.error ?? "failed");
  await refresh();
}

paused.addEventListener("change", () => {
  void chrome.storage.local.set({ paused: paused.checked }).then(refresh);
});
element("backfillStart").addEventListener("click", () => {
  void ask({ type: "backfill_start", since: sinceFromDateInput(since.value) });
});
element("backfillStop").addEventListener("click", () => void ask({ type: "backfill_stop" }));
element("askStart").addEventListener("click", () => {
  void ask({ type: "backfill_start", since: sinceFromDateInput(since.value) });
});
element("askDismiss").addEventListener("click", () => void ask({ type: "backfill_dismiss" }));
element("openOptions").addEventListener("click", (event) => {
  event.preventDefault();
  void chrome.runtime.openOptionsPage();
});

void refresh();
setInterval(() => void refresh(), 2000);
