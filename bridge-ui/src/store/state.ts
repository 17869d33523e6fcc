/** The shape of the dashboard's live state (what `useChatStore` holds) and its initial value. */
import { ReadyState } from "react-use-websocket";
import type {
  Analytics,
  BrainState,
  CommandState,
  ConnectionInfo,
  ReplySuggestion,
  WssError,
} from "../wire";
import type { ConversationMap } from "./conversations";

/** react-use-websocket's ReadyState: -1 uninstantiated, then 0..3 as WebSocket.readyState. */
export type SocketReadyState = ReadyState;

/** What the status bar says about the socket. */
export type SocketPhase = "connecting" | "open" | "reconnecting" | "closed";

export interface SocketInfo {
  phase: SocketPhase;
  /** Failed attempts since the socket was last open. */
  attempt: number;
  /** When the next reconnect attempt is due (epoch ms), while reconnecting. */
  nextRetryAt: number | null;
  lastOpenAt: number | null;
  lastCloseAt: number | null;
  lastCloseCode: number | null;
}

export interface BrainStatus {
  state: BrainState | null;
  agentOnline: boolean | null;
  detail: string | null;
  at: string | null;
}

/**
 * A command as the dashboard follows it. Before the Brain reports on it, it is `submitting`
 * (sent, no receipt yet) or `refused` (the Brain answered with an error); then it takes the
 * Brain's `CommandState`.
 */
export interface CommandView {
  commandId: string;
  chatId: string;
  draftId: string | null;
  text: string;
  origin: "analyst" | "auto";
  state: CommandState | "submitting" | "refused";
  detail: string;
  at: string;
  via: "socket" | "rest" | null;
}

/** Loading the conversations a `full_sync_response` left out, page by page over REST. */
export interface ChatLoading {
  loaded: number;
  total: number;
  done: boolean;
  error: string | null;
}

export interface ReceivedError extends WssError {
  receivedAt: number;
}

export interface ChatState {
  userId: string | null;
  readyState: SocketReadyState;
  socket: SocketInfo;
  connection: ConnectionInfo | null;
  conversations: ConversationMap;
  totalConversations: number;
  /** Counts `full_sync_response` frames: views reload what depends on a whole snapshot. */
  syncGeneration: number;
  syncedAt: string | null;
  loading: ChatLoading;
  analytics: Analytics | null;
  analyticsAt: string | null;
  brain: BrainStatus;
  errors: readonly ReceivedError[];
  /** The current reply draft of each chat, by chat id. */
  drafts: ReadonlyMap<string, ReplySuggestion>;
  commands: ReadonlyMap<string, CommandView>;
  lastFrameAt: number | null;
}

export const MAX_ERRORS = 20;

export function initialChatState(userId: string | null = null): ChatState {
  return {
    userId,
    readyState: ReadyState.UNINSTANTIATED,
    socket: {
      phase: "connecting",
      attempt: 0,
      nextRetryAt: null,
      lastOpenAt: null,
      lastCloseAt: null,
      lastCloseCode: null,
    },
    connection: null,
    conversations: new Map(),
    totalConversations: 0,
    syncGeneration: 0,
    syncedAt: null,
    loading: { loaded: 0, total: 0, done: false, error: null },
    analytics: null,
    analyticsAt: null,
    brain: { state: null, agentOnline: null, detail: null, at: null },
    errors: [],
    drafts: new Map(),
    commands: new Map(),
    lastFrameAt: null,
  };
}

const FINAL: ReadonlySet<CommandView["state"]> = new Set([
  "sent",
  "failed",
  "rejected",
  "expired",
  "refused",
]);

export function isFinal(state: CommandView["state"]): boolean {
  return FINAL.has(state);
}
