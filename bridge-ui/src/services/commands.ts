/**
 * Sending a message to a fan: an approved draft (as is or edited) or the analyst's own text.
 *
 * The command goes over the socket as `send_command` (ref = commandId) when it is open, else
 * `POST …/commands?draftId=`. The Brain deduplicates by `commandId`, so when the socket gives no
 * receipt in time the same command is posted over REST: it can only ever be one command.
 * The store follows it: `submitting` → the Brain's states from `command_status` frames.
 */
import type { SocketLink } from "../hooks/useSocket";
import { useChatStore } from "../store/useChatStore";
import type { SendCommandMessage, SendMessageCommand } from "../wire";
import { api, ApiError } from "./api";
import { newId } from "./ids";

export interface MessageRequest {
  userId: string;
  chatId: string;
  text: string;
  price: number | null;
  draftId: string | null;
}

export const RECEIPT_TIMEOUT_MS = 8000;

/** OnlyFans ids are numbers; the contract accepts both, the Agent expects numbers. */
function asId(id: string): number | string {
  return /^\d{1,15}$/.test(id) ? Number(id) : id;
}

export function buildCommand(request: MessageRequest): SendMessageCommand {
  return {
    commandId: newId(),
    userId: asId(request.userId),
    chatId: asId(request.chatId),
    text: request.text,
    price: request.price && request.price > 0 ? request.price : null,
    mediaIds: [],
    origin: "analyst",
    createdAt: new Date().toISOString(),
  };
}

/** Send the message; returns its commandId (follow it in `useChatStore((s) => s.commands)`). */
export function sendMessage(request: MessageRequest, socket: SocketLink): string {
  const command = buildCommand(request);
  const store = useChatStore.getState();
  store.trackCommand({
    commandId: command.commandId,
    chatId: request.chatId,
    draftId: request.draftId,
    text: command.text,
    origin: "analyst",
    state: "submitting",
    detail: "",
    at: command.createdAt,
    via: "socket",
  });
  const frame: SendCommandMessage = {
    type: "send_command",
    ref: command.commandId,
    payload: { command, draftId: request.draftId },
  };
  if (socket.send(frame)) {
    setTimeout(() => {
      const held = useChatStore.getState().commands.get(command.commandId);
      if (held?.state === "submitting") void postCommand(request.userId, command, request.draftId);
    }, RECEIPT_TIMEOUT_MS);
  } else {
    void postCommand(request.userId, command, request.draftId);
  }
  return command.commandId;
}

async function postCommand(
  userId: string,
  command: SendMessageCommand,
  draftId: string | null,
): Promise<void> {
  const { updateCommand } = useChatStore.getState();
  updateCommand(command.commandId, { via: "rest" });
  try {
    const accepted = await api.postCommand(userId, command, draftId);
    const held = useChatStore.getState().commands.get(command.commandId);
    if (held?.state === "submitting") {
      updateCommand(command.commandId, {
        state: "requested",
        detail: accepted.duplicate ? "already requested" : "stored by the Brain",
      });
    }
  } catch (error) {
    const unreachable = error instanceof ApiError && error.status === 0;
    const message = error instanceof Error ? error.message : String(error);
    updateCommand(
      command.commandId,
      unreachable
        ? { detail: `not confirmed yet: ${message}` }
        : { state: "refused", detail: message },
    );
  }
}
