/**
 * background.js (module service worker): wires Chrome's events to the Agent. Every listener is
 * registered synchronously at the top level, as MV3 requires, so an event that wakes the
 * worker is never missed.
 */
import { Agent } from "../background/agent";
import { handleExternal } from "../background/external";
import { handleUiRequest } from "../background/ui-requests";
import { isTabVisibility } from "../shared/backfill-protocol";
import { isForwarderMessage } from "../shared/protocol";

const WATCHDOG = "ofca-watchdog";
const OF_PREFIX = "https://onlyfans.com/";

const agent = new Agent({
  storage: chrome.storage.local,
  tabs: chrome.tabs,
  WebSocketCtor: WebSocket,
  badge: (text) => {
    void chrome.action.setBadgeText({ text });
    if (text) void chrome.action.setBadgeBackgroundColor({ color: "#b00020" });
  },
});

chrome.runtime.onMessage.addListener((message: unknown, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  const fromOnlyFans = (sender.tab?.url ?? "").startsWith(OF_PREFIX);
  if (isForwarderMessage(message)) {
    // Only the content script of an OnlyFans tab relays captures and results. Arrival order is
    // kept (each waits for the same start()): a step's capture is taken before its result.
    if (!fromOnlyFans) return false;
    void agent.start().then(() => {
      if (message.event === "command_result") return agent.commands.onPageResult(message.data);
      if (message.event === "backfill_result") return agent.backfill.onResult(message.data);
      return agent.onCapture(message);
    });
    return false;
  }
  if (isTabVisibility(message)) {
    if (fromOnlyFans) void agent.start().then(() => agent.backfill.onTabEvent(message.visible));
    return false;
  }
  const fromExtensionPage = (sender.url ?? "").startsWith(chrome.runtime.getURL(""));
  if (!fromExtensionPage) return false;
  agent
    .start()
    .then(() => handleUiRequest(message, agent))
    .then(
      (response) => sendResponse(response ?? { ok: false, error: "unknown request" }),
      (error: unknown) => sendResponse({ ok: false, error: String(error) }),
    );
  return true;
});

chrome.runtime.onMessageExternal.addListener((message: unknown, sender, sendResponse) => {
  agent
    .start()
    .then(() =>
      handleExternal(message, sender, {
        dashboardOrigins: () => agent.settings.dashboardOrigins,
        brainUrl: () => agent.settings.brainUrl,
        paused: () => agent.settings.paused,
        creatorId: () => agent.captureCreator,
        chats: (creatorId) => agent.allChats(creatorId),
        messages: (creatorId, chatId) => agent.allMessages(creatorId, chatId),
        execute: (command) => agent.executeFromBridge(command),
        captureStatus: () => agent.captureStatus(),
        requestBackfill: (origin, since) => agent.requestBackfill(origin, since),
        readAccess: (origin) => agent.readAccess(origin),
      }),
    )
    .then(sendResponse, (error: unknown) => sendResponse({ ok: false, error: String(error) }));
  return true;
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "local") void agent.onSettingsChanged(Object.keys(changes));
});

// An OnlyFans tab closed: a running backfill looks for another one (or pauses).
chrome.tabs.onRemoved.addListener(() => agent.backfill.wake());

// A watchdog that wakes a terminated worker so it reconnects and a backfill goes on (start()
// runs on every wake).
void chrome.alarms.create(WATCHDOG, { periodInMinutes: 1 });
chrome.alarms.onAlarm.addListener(() => void agent.start());
chrome.runtime.onStartup.addListener(() => void agent.start());
chrome.runtime.onInstalled.addListener(() => void agent.start());

void agent.start();
