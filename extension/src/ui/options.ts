/** Options page: writes `brainUrl`, `agentToken`, `dashboardOrigins` to chrome.storage.local. */
import { brainUrlProblem, parseOrigins, readSettings } from "../shared/settings";

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

async function load(): Promise<void> {
  const settings = readSettings(await chrome.storage.local.get(["brainUrl", "agentToken", "dashboardOrigins"]));
  brainUrl.value = settings.brainUrl;
  agentToken.value = settings.agentToken;
  origins.value = settings.dashboardOrigins.join("\n");
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

void load();
