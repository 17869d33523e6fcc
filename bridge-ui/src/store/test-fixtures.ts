/** Small, typed wire objects for the store tests. */
import type {
  CommandStatusUpdate,
  ConversationNode,
  OutgoingWssMessage,
  ReplySuggestion,
} from "../wire";

export const USER = "300001";

export function node(chatId: string, over: Partial<ConversationNode> = {}): ConversationNode {
  return {
    userId: USER,
    chatId,
    fan: { id: chatId, name: `Fan ${chatId}`, username: `fan${chatId}` },
    counts: { inbound: 2, outbound: 1, total: 3 },
    lastMessage: { at: "2026-11-01T10:00:00Z", direction: "in", text: "hi" },
    priority: 0.5,
    revenue: { ppv: 0, tips: 0, total: 0 },
    unread: 1,
    tags: [],
    topics: [],
    awaitingReplySince: "2026-11-01T10:00:00Z",
    ...over,
  };
}

export function fullSync(nodes: ConversationNode[], total = nodes.length): OutgoingWssMessage {
  return {
    type: "full_sync_response",
    payload: {
      userId: USER,
      generatedAt: "2026-11-01T10:05:00Z",
      conversations: nodes,
      totalConversations: total,
      truncated: total > nodes.length,
      analytics: {
        money: { revenueTotal: 10, tipsTotal: 10, ppvTotal: 0, revenueByDay: [], topFans: [] },
        topics: [{ topic: "greeting", volume: 3, share: 0.5 }],
      },
    },
  };
}

export function draft(chatId: string, over: Partial<ReplySuggestion> = {}): ReplySuggestion {
  return {
    draftId: `d-${chatId}`,
    userId: USER,
    chatId,
    replyToMessageId: "1",
    text: "hey you",
    source: "template",
    confidence: 0.7,
    model: "templates-v1",
    createdAt: "2026-11-01T10:01:00Z",
    blocked: false,
    blockReasons: [],
    ...over,
  };
}

export function status(
  commandId: string,
  state: CommandStatusUpdate["state"],
  at: string,
): OutgoingWssMessage {
  return {
    type: "command_status",
    payload: { commandId, chatId: "7", state, at, draftId: "d-7", origin: "analyst", detail: "" },
  };
}
