/**
 * background.js (module service worker): wires Chrome's events to the Agent. Every listener is
 * registered synchronously at the top level, as MV3 requires, so an event that wakes the
 * worker is never missed.
 */
import { Agent } from "../background/agent";
import { handleExternal } from "../background/external";
import { isForwarderMessage, isObject } from "../shared/protocol";

const WATCHDOG = "ofca-watchdog";
const OF_PREFIX = "https://onlyfans.com/";

const agent = new Agent({
  storage: chrome.storage.local,
  tabs: chrome.tabs,
  WebSocketCtor: WebSocket,
});

chrome.runtime.onMessage.addListener((message: unknown, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  if (isForwarderMessage(message)) {
    // Only the content script of an OnlyFans tab relays captures and command results.
    if (!(sender.tab?.url ?? "").startsWith(OF_PREFIX)) return false;
    void agent.start().then(() =>
      message.event === "command_result"
        ? agent.commands.onPageResult(message.data)
        : agent.onCapture(message),
    );
    return false;
  }
  const fromExtensionPage = (sender.url ?? "").startsWith(chrome.runtime.getURL(""));
  if (!fromExtensionPage || !isObject(message)) return false;
  if (message.type === "get_status") {
    agent
      .start()
      .then(() => agent.status())
      .then(sendResponse, (error: unknown) => sendResponse({ error: String(error) }));
    return true;
  }
  if (message.type === "reconnect") {
    void agent.start().then(() => agent.restart());
    sendResponse({ ok: true });
  }
  return false;
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
      }),
    )
    .then(sendResponse, (error: unknown) => sendResponse({ ok: false, error: String(error) }));
  return true;
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "local") void agent.onSettingsChanged(Object.keys(changes));
});

// A watchdog that wakes a terminated worker so it reconnects (start() runs on every wake).
void chrome.alarms.create(WATCHDOG, { periodInMinutes: 1 });
chrome.alarms.onAlarm.addListener(() => void agent.start());
chrome.runtime.onStartup.addListener(() => void agent.start());
chrome.runtime.onInstalled.addListener(() => void agent.start());

void agent.start();
