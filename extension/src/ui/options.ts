/** Options page: writes `brainUrl`, `agentToken`, `dashboardOrigins` and
 * `backfillRatePerSecond` to chrome.storage.local, lists the creator's answers to pages that
 * asked to read the chats (each revocable), and starts the history backfill. */
import type { AgentStatus } from "../background/agent";
import { backfillRate, brainUrlProblem, parseOrigins, readSettings } from "../shared/settings";
import { describeBackfill, sinceFromDateInput } from "./backfill-view";
import { renderReadDecisions } from "./read-origins-view";

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} missing`);
  return found as T;
}

const form = element<HTMLFormElement>("settings");
const brainUrl = element<HTMLInputElement>("brainUrl");
const agentToken = element<HTMLInputElement>("agentToken");
const origins = element<HTMLTextAreaElement>("dashboardOrigins");
const saved = element<HTMLSpanElement>("saved");
const rate = element<HTMLInputElement>("backfillRatePerSecond");
const since = element<HTMLInputElement>("since");
const backfillState = element<HTMLSpanElement>("backfillState");
const readOrigins = element<HTMLUListElement>("readOrigins");
const readOriginsNone = element<HTMLParagraphElement>("readOriginsNone");
let shownDecisions = "";

async function load(): Promise<void> {
  const settings = readSettings(
    await chrome.storage.local.get(["brainUrl", "agentToken", "dashboardOrigins", "backfillRatePerSecond"]),
  );
  brainUrl.value = settings.brainUrl;
  agentToken.value = settings.agentToken;
  origins.value = settings.dashboardOrigins.join("\n");
  rate.value = String(settings.backfillRatePerSecond);
}

async function showBackfill(): Promise<void> {
  const status = (await chrome.runtime.sendMessage({ type: "get_status" })) as AgentStatus | { error: string };
  if ("error" in status) return;
  backfillState.textContent = describeBackfill(status.backfill);
  const decisions = JSON.stringify(status.readOrigins.decisions);
  if (decisions !== shownDecisions) {
    shownDecisions = decisions;
    renderReadDecisions(readOrigins, readOriginsNone, status.readOrigins, async (message) => {
      await chrome.runtime.sendMessage(message);
      await showBackfill();
    });
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const url = brainUrl.value.trim();
  const problem = brainUrlProblem(url);
  const parsed = parseOrigins(origins.value);
  saved.className = "";
  if (problem) {
    saved.textContent = `Brain URL: ${problem}`;
    saved.className = "error";
    return;
  }
  if (!agentToken.value.trim()) {
    saved.textContent = "Agent token: required";
    saved.className = "error";
    return;
  }
  if (parsed.invalid.length > 0) {
    saved.textContent = `Not an origin: ${parsed.invalid.join(", ")}`;
    saved.className = "error";
    return;
  }
  void chrome.storage.local
    .set({ brainUrl: url, agentToken: agentToken.value.trim(), dashboardOrigins: parsed.origins })
    .then(() => {
      saved.textContent = "Saved. The Agent reconnects now.";
    });
});

rate.addEventListener("change", () => {
  const value = backfillRate(rate.value);
  rate.value = String(value);
  void chrome.storage.local.set({ backfillRatePerSecond: value });
});

element("backfillStart").addEventListener("click", () => {
  void chrome.runtime
    .sendMessage({ type: "backfill_start", since: sinceFromDateInput(since.value) })
    .then((answer: { ok: boolean; error?: string }) => {
      if (!answer.ok) backfillState.textContent = answer.error ?? "failed";
      else void showBackfill();
    });
});

void load();
void showBackfill();
setInterval(() => void showBackfill(), 2000);
