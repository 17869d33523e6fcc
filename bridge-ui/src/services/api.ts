/**
 * The REST API, through the client generated from contracts/schemas/openapi.json (`gen/rest`).
 * Calls send `Authorization: Bearer <token>` and throw `ApiError` on any non-2xx answer, so views
 * only handle data or one error type.
 */
import { client } from "../gen/rest/client.gen";
import {
  analyticsApiV1UsersUserIdAnalyticsGet,
  chatsApiV1UsersUserIdChatsGet,
  deleteDataApiV1UsersUserIdDataDelete,
  draftsApiV1UsersUserIdDraftsGet,
  exportApiV1UsersUserIdExportGet,
  fanApiV1UsersUserIdFansChatIdGet,
  getSettingsApiV1UsersUserIdSettingsGet,
  listCommandsApiV1UsersUserIdCommandsGet,
  graphApiV1UsersUserIdGraphGet,
  messagesApiV1UsersUserIdChatsChatIdMessagesGet,
  postCommandApiV1UsersUserIdCommandsPost,
  putSettingsApiV1UsersUserIdSettingsPut,
  whoamiApiV1WhoamiGet,
} from "../gen/rest/sdk.gen";
import type { ChatSort, CreatorSettings, SendMessageCommand } from "../wire";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Use `token` for every call from now on (null: none). */
export function authorize(token: string | null): void {
  client.setConfig({
    baseUrl: window.location.origin,
    headers: { Authorization: token ? `Bearer ${token}` : null },
  });
}

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response?: Response;
}

/** The data of a generated call, or an ApiError with the server's `detail` when there is one. */
async function unwrap<T>(call: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await call;
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "The Brain cannot be reached (network error).");
  }
  const { data, error, response } = outcome;
  if (response?.ok && data !== undefined) return data;
  const status = response?.status ?? 0;
  throw new ApiError(status, describe(status, error));
}

function describe(status: number, error: unknown): string {
  const detail =
    typeof error === "object" && error !== null && "detail" in error ? error.detail : undefined;
  if (typeof detail === "string") {
    return status === 401 ? `The token was refused (${detail}).` : detail;
  }
  if (Array.isArray(detail)) return "The request was not valid.";
  if (status === 401) return "The token was refused: log in again.";
  if (status === 403) return "This token does not cover that creator.";
  if (status === 503) return "A Brain service did not answer; try again shortly.";
  return status ? `The Brain answered ${status}.` : "The Brain cannot be reached.";
}

const path = (userId: string) => ({ user_id: userId });

export const api = {
  whoami: () => unwrap(whoamiApiV1WhoamiGet()),

  chats: (
    userId: string,
    query: { sort?: ChatSort; limit?: number; offset?: number },
    signal?: AbortSignal,
  ) => unwrap(chatsApiV1UsersUserIdChatsGet({ path: path(userId), query, signal })),

  messages: (userId: string, chatId: string, before: string | null, signal?: AbortSignal) =>
    unwrap(
      messagesApiV1UsersUserIdChatsChatIdMessagesGet({
        path: { user_id: userId, chat_id: Number(chatId) },
        query: { before, limit: 50 },
        signal,
      }),
    ),

  fan: (userId: string, chatId: string, signal?: AbortSignal) =>
    unwrap(
      fanApiV1UsersUserIdFansChatIdGet({
        path: { user_id: userId, chat_id: Number(chatId) },
        signal,
      }),
    ),

  drafts: (userId: string, signal?: AbortSignal) =>
    unwrap(draftsApiV1UsersUserIdDraftsGet({ path: path(userId), signal })),

  analytics: (userId: string, from: string | null, to: string | null, signal?: AbortSignal) =>
    unwrap(
      analyticsApiV1UsersUserIdAnalyticsGet({ path: path(userId), query: { from, to }, signal }),
    ),

  graph: (userId: string, query: { focus?: string | null; limit?: number }, signal?: AbortSignal) =>
    unwrap(graphApiV1UsersUserIdGraphGet({ path: path(userId), query, signal })),

  settings: (userId: string, signal?: AbortSignal) =>
    unwrap(getSettingsApiV1UsersUserIdSettingsGet({ path: path(userId), signal })),

  saveSettings: (userId: string, body: CreatorSettings) =>
    unwrap(putSettingsApiV1UsersUserIdSettingsPut({ path: path(userId), body })),

  deleteData: (userId: string, confirm: string) =>
    unwrap(deleteDataApiV1UsersUserIdDataDelete({ path: path(userId), query: { confirm } })),

  /** The audit log of one chat, newest first. */
  commands: (userId: string, chatId: string, signal?: AbortSignal) =>
    unwrap(
      listCommandsApiV1UsersUserIdCommandsGet({
        path: path(userId),
        query: { chat_id: chatId, limit: 20 },
        signal,
      }),
    ),

  postCommand: (userId: string, command: SendMessageCommand, draftId: string | null) =>
    unwrap(
      postCommandApiV1UsersUserIdCommandsPost({
        path: path(userId),
        query: { draftId },
        body: command,
      }),
    ),

  /** An export file as a Blob (`what=all` is JSON only). */
  export: async (
    userId: string,
    what: "all" | "conversations" | "fans" | "messages",
    format: "json" | "csv",
  ): Promise<Blob> => {
    const data = await unwrap(
      exportApiV1UsersUserIdExportGet({
        path: path(userId),
        query: { what, format },
        parseAs: "blob",
      }),
    );
    if (data instanceof Blob) return data;
    throw new ApiError(0, "The export did not come back as a file.");
  },
};

/** Let the browser save `blob` as `filename`. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
