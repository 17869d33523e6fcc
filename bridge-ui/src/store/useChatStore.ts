/**
 * The dashboard's live state (Zustand 5): socket status, conversations, analytics, Brain status,
 * drafts and commands. Frames from `useSocket` go through `applyFrame` (see `frames.ts`); REST
 * loaders and the command sender use the other actions.
 *
 * `useChatStore` is the app's store (a hook; `useChatStore.getState()` outside React);
 * `createChatStore` makes an independent one (tests).
 */
import { create, type StateCreator } from "zustand";
import { createStore, type StoreApi } from "zustand/vanilla";
import type { CommandRecord, ConversationNode, OutgoingWssMessage, ReplySuggestion } from "../wire";
import { mergeConversations } from "./conversations";
import { applyCommandRecords, applyFrame, applyFrames } from "./frames";
import {
  type ChatLoading,
  type ChatState,
  type CommandView,
  initialChatState,
  type SocketInfo,
  type SocketReadyState,
} from "./state";

export interface ChatActions {
  /** Forget everything and follow `userId` (login, creator switch, logout with null). */
  reset(userId: string | null): void;
  applyFrame(frame: OutgoingWssMessage): void;
  /** Several frames in one update (what the socket does with a burst). */
  applyFrames(frames: readonly OutgoingWssMessage[]): void;
  setReadyState(readyState: SocketReadyState): void;
  setSocket(info: Partial<SocketInfo>): void;
  /** A page of `GET …/chats` for the snapshot generation `generation` (older ones are dropped). */
  mergeChatPage(generation: number, nodes: readonly ConversationNode[], total: number): void;
  setLoading(generation: number, loading: Partial<ChatLoading>): void;
  /** The drafts `GET …/drafts` lists replace the held ones (a newer held one stays). */
  setDrafts(drafts: readonly ReplySuggestion[]): void;
  dismissDraft(chatId: string): void;
  trackCommand(command: CommandView): void;
  mergeCommandRecords(records: readonly CommandRecord[]): void;
  updateCommand(commandId: string, change: Partial<CommandView>): void;
  clearErrors(): void;
}

export type ChatStore = ChatState & ChatActions;

const chatStoreCreator: StateCreator<ChatStore> = (set) => ({
  ...initialChatState(null),

  // The socket outlives a creator switch: keep what is known about it.
  reset: (next) =>
    set((s) => ({ ...initialChatState(next), socket: s.socket, readyState: s.readyState })),

  applyFrame: (frame) => set((s) => applyFrame(s, frame, Date.now())),

  applyFrames: (frames) => set((s) => applyFrames(s, frames, Date.now())),

  setReadyState: (readyState) => set({ readyState }),

  setSocket: (info) => set((s) => ({ socket: { ...s.socket, ...info } })),

  mergeChatPage: (generation, nodes, total) =>
    set((s) => {
      if (generation !== s.syncGeneration) return {};
      const conversations = mergeConversations(s.conversations, nodes);
      const totalConversations = Math.max(total, conversations.size);
      return {
        conversations,
        totalConversations,
        loading: { ...s.loading, loaded: conversations.size, total: totalConversations },
      };
    }),

  setLoading: (generation, loading) =>
    set((s) => (generation === s.syncGeneration ? { loading: { ...s.loading, ...loading } } : {})),

  setDrafts: (listed) =>
    set((s) => {
      const drafts = new Map(listed.map((d) => [d.chatId, d]));
      for (const [chatId, held] of s.drafts) {
        const fresh = drafts.get(chatId);
        if (fresh && Date.parse(held.createdAt) > Date.parse(fresh.createdAt)) {
          drafts.set(chatId, held); // a reply_suggestion newer than the listing
        }
      }
      return { drafts };
    }),

  dismissDraft: (chatId) =>
    set((s) => {
      const drafts = new Map(s.drafts);
      drafts.delete(chatId);
      return { drafts };
    }),

  trackCommand: (command) =>
    set((s) => {
      const commands = new Map(s.commands);
      commands.set(command.commandId, command);
      return { commands };
    }),

  mergeCommandRecords: (records) => set((s) => applyCommandRecords(s, records)),

  updateCommand: (commandId, change) =>
    set((s) => {
      const held = s.commands.get(commandId);
      if (!held) return {};
      const commands = new Map(s.commands);
      commands.set(commandId, { ...held, ...change });
      return { commands };
    }),

  clearErrors: () => set({ errors: [] }),
});

export const useChatStore = create<ChatStore>()(chatStoreCreator);

export function createChatStore(userId: string | null = null): StoreApi<ChatStore> {
  const store = createStore<ChatStore>()(chatStoreCreator);
  store.getState().reset(userId);
  return store;
}
