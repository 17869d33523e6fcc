/**
 * How each Brain → Bridge frame changes the dashboard's state: one pure function per frame type,
 * `applyFrame` dispatching on `type`. The store calls it; tests call it directly.
 */
import type {
  Analytics,
  CommandRecord,
  CommandStatusUpdate,
  ConversationNode,
  FullSyncResponse,
  OutgoingWssMessage,
  ReplySuggestion,
  SystemStatus,
  WssError,
} from "../wire";
import { conversationMap } from "./conversations";
import { type ChatState, type CommandView, isFinal, MAX_ERRORS } from "./state";

type Change = Partial<ChatState>;

/** Replace everything a snapshot describes: conversations, totals, analytics. */
export function applyFullSync(state: ChatState, sync: FullSyncResponse): Change {
  if (state.userId !== null && sync.userId !== state.userId) return {};
  const conversations = conversationMap(sync.conversations);
  const total = Math.max(sync.totalConversations, conversations.size);
  return {
    conversations,
    totalConversations: total,
    syncGeneration: state.syncGeneration + 1,
    syncedAt: sync.generatedAt,
    analytics: sync.analytics ?? state.analytics,
    analyticsAt: sync.analytics ? sync.generatedAt : state.analyticsAt,
    loading: { loaded: conversations.size, total, done: conversations.size >= total, error: null },
  };
}

/** Insert or update one conversation. A creator's reply makes the chat's draft obsolete. */
export function applyAppend(state: ChatState, node: ConversationNode): Change {
  return applyAppendInto(state, new Map(state.conversations), node);
}

/** `applyAppend` writing into `conversations`, a copy of the state's map the caller owns. */
function applyAppendInto(
  state: ChatState,
  conversations: Map<string, ConversationNode>,
  node: ConversationNode,
): Change {
  if (state.userId !== null && node.userId !== state.userId) return {};
  const isNew = !conversations.has(node.chatId);
  conversations.set(node.chatId, node);
  const change: Change = {
    conversations,
    totalConversations: isNew ? state.totalConversations + 1 : state.totalConversations,
    loading: isNew ? { ...state.loading, loaded: conversations.size } : state.loading,
  };
  if (node.lastMessage?.direction === "out" && state.drafts.has(node.chatId)) {
    const drafts = new Map(state.drafts);
    drafts.delete(node.chatId);
    change.drafts = drafts;
  }
  return change;
}

/** Sections present in `update` replace those held; absent (null) ones are kept. */
export function mergeAnalytics(held: Analytics | null, update: Analytics): Analytics {
  const merged: Analytics = { ...(held ?? {}) };
  for (const key of Object.keys(update) as (keyof Analytics)[]) {
    const value = update[key];
    if (value !== null && value !== undefined) {
      Object.assign(merged, { [key]: value });
    }
  }
  return merged;
}

export function applyStatus(state: ChatState, status: SystemStatus): Change {
  if (state.userId !== null && status.userId !== state.userId) return {};
  return {
    brain: {
      state: status.state ?? state.brain.state,
      agentOnline: status.agentOnline ?? state.brain.agentOnline,
      detail: status.detail ?? (status.state ? null : state.brain.detail),
      at: status.at,
    },
  };
}

/** Keep the error (newest first, bounded); a refused command says why. */
export function applyError(state: ChatState, error: WssError, now: number): Change {
  const errors = [{ ...error, receivedAt: now }, ...state.errors].slice(0, MAX_ERRORS);
  const change: Change = { errors };
  const command = error.ref ? state.commands.get(error.ref) : undefined;
  if (command && command.state === "submitting") {
    const commands = new Map(state.commands);
    commands.set(command.commandId, { ...command, state: "refused", detail: error.message });
    change.commands = commands;
  }
  return change;
}

/** A newer draft for a chat replaces the one held. */
export function applySuggestion(state: ChatState, draft: ReplySuggestion): Change {
  if (state.userId !== null && draft.userId !== state.userId) return {};
  const held = state.drafts.get(draft.chatId);
  if (held && Date.parse(held.createdAt) > Date.parse(draft.createdAt)) return {};
  const drafts = new Map(state.drafts);
  drafts.set(draft.chatId, draft);
  return { drafts };
}

/** A command moved on. A final state is never left (frames may arrive late). */
export function applyCommandStatus(state: ChatState, update: CommandStatusUpdate): Change {
  const held = state.commands.get(update.commandId);
  if (held && isFinal(held.state) && held.state !== "refused") return {};
  if (held && held.state !== "submitting" && Date.parse(held.at) > Date.parse(update.at)) {
    return {};
  }
  const view: CommandView = {
    commandId: update.commandId,
    chatId: update.chatId,
    draftId: update.draftId ?? held?.draftId ?? null,
    text: held?.text ?? "",
    origin: update.origin ?? held?.origin ?? "analyst",
    state: update.state,
    detail: update.detail ?? "",
    at: update.at,
    via: held?.via ?? null,
  };
  const commands = new Map(state.commands);
  commands.set(view.commandId, view);
  return { commands };
}

/** Commands from the audit log (`GET …/commands`): what happened while the socket was away. */
export function applyCommandRecords(state: ChatState, records: readonly CommandRecord[]): Change {
  const commands = new Map(state.commands);
  for (const record of records) {
    const held = commands.get(record.command.commandId);
    if (
      held &&
      held.state !== "submitting" &&
      Date.parse(held.at) >= Date.parse(record.updatedAt)
    ) {
      continue;
    }
    const last = record.history?.at(-1);
    commands.set(record.command.commandId, {
      commandId: record.command.commandId,
      chatId: String(record.command.chatId),
      draftId: record.draftId ?? null,
      text: record.command.text,
      origin: record.command.origin ?? "analyst",
      state: record.state,
      detail: last?.detail ?? "",
      at: record.updatedAt,
      via: record.via === "rest" ? "rest" : record.via === "bridge" ? "socket" : null,
    });
  }
  return { commands };
}

/** The Brain stored a frame we sent (`ref` is the commandId for `send_command`). */
export function applyIngestAck(state: ChatState, ref: string | null | undefined): Change {
  const held = ref ? state.commands.get(ref) : undefined;
  if (!held || held.state !== "submitting") return {};
  const commands = new Map(state.commands);
  commands.set(held.commandId, { ...held, state: "requested", detail: "stored by the Brain" });
  return { commands };
}

/**
 * The state change a batch of frames causes, applied in order. Appends share one copy of the
 * conversations map, so a burst of N appends costs one copy, not N (20,000 chats re-scored at
 * once would otherwise copy a 20,000-entry map 20,000 times).
 */
export function applyFrames(
  state: ChatState,
  frames: readonly OutgoingWssMessage[],
  now: number,
): Change {
  let working = state;
  let owned: Map<string, ConversationNode> | null = null;
  const changed: Change = {};
  for (const frame of frames) {
    let change: Change;
    if (frame.type === "append_message") {
      owned ??= new Map(working.conversations);
      change = applyAppendInto(working, owned, frame.payload);
    } else {
      change = changeFor(working, frame, now);
      if (change.conversations) owned = null; // a snapshot replaced the map: copy it if needed
    }
    Object.assign(changed, change);
    working = { ...working, ...change };
  }
  return { ...changed, lastFrameAt: now };
}

/** The state change a frame causes (an empty object when it changes nothing). */
export function applyFrame(state: ChatState, frame: OutgoingWssMessage, now: number): Change {
  const change = changeFor(state, frame, now);
  return { ...change, lastFrameAt: now };
}

function changeFor(state: ChatState, frame: OutgoingWssMessage, now: number): Change {
  switch (frame.type) {
    case "connection_ack":
      return { connection: frame.payload };
    case "system_status":
      return applyStatus(state, frame.payload);
    case "system_error":
      return applyError(state, frame.payload, now);
    case "full_sync_response":
      return applyFullSync(state, frame.payload);
    case "append_message":
      return applyAppend(state, frame.payload);
    case "analytics_update":
      if (state.userId !== null && frame.payload.userId !== state.userId) return {};
      return {
        analytics: mergeAnalytics(state.analytics, frame.payload.analytics),
        analyticsAt: frame.payload.at,
      };
    case "reply_suggestion":
      return applySuggestion(state, frame.payload);
    case "command_status":
      return applyCommandStatus(state, frame.payload);
    case "ingest_ack":
      return applyIngestAck(state, frame.payload.ref);
    case "command_to_execute": // Agent-only frames: a Bridge socket never gets them
    case "clear_local_data":
    case "sync_state":
    case "sync_request":
    case "command_verdict":
    case undefined:
      return {};
    default:
      return assertNever(frame);
  }
}

function assertNever(frame: never): Change {
  void frame;
  return {};
}
