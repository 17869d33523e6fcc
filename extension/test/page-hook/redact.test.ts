import { describe, expect, it } from "vitest";
import { CaptureHub } from "../../src/page-hook/hub";
import type { ForwarderMessage, HttpCapture, WsCapture } from "../../src/shared/protocol";

// What leaves the page is what the hub posts: each test goes through it.
function posted(capture: HttpCapture | WsCapture): ForwarderMessage["data"] {
  const out: ForwarderMessage[] = [];
  const hub = new CaptureHub((message) => out.push(message));
  if ("direction" in capture) hub.websocket(capture);
  else hub.http("fetch", capture);
  const [message] = out;
  if (!message) throw new Error("nothing posted");
  return message.data;
}

const API = "https://onlyfans.com/api2/v2";
const CDN = "https://cdn2.onlyfans.com/files/a/b/photo.jpg";
// The shapes the denylist let through (issue 15, finding 3): each value is a secret.
const NESTED = `https://onlyfans.com/redirect?to=${encodeURIComponent(`${CDN}?Policy=NESTPOLICY&Signature=NESTSIG&Key-Pair-Id=NESTKEY`)}`;
const NESTED_IN_PATH = `${CDN}/${encodeURIComponent("https://cdn3.onlyfans.com/x.jpg?Policy=PATHPOLICY&Signature=PATHSIG")}`;
const MATRIX = `${CDN};Signature=MATRIXSIG;Policy=MATRIXPOLICY`;
const ENTITY = `<p>look <img src="${CDN}?x=1&#38;Signature=ENTITYSIG&#38;Policy=ENTITYPOLICY"> &#38;Signature=LOOSESIG</p>`;
const SECRETS = [
  "NESTPOLICY", "NESTSIG", "NESTKEY", "PATHPOLICY", "PATHSIG", "MATRIXSIG", "MATRIXPOLICY", "ENTITYSIG",
  "ENTITYPOLICY", "LOOSESIG", "Bearer AUTHZ", "CSRFTOKEN", "SESSIONID", "JWTVALUE", "APIKEY", "PASSWORD1",
  "WS-AUTH-TOKEN", "CONNECT-TOKEN", "SIGNPARAM", "1700000000123", "DRMSIG", "URLTOKEN",
];
const CREDENTIALS = {
  Authorization: "Bearer AUTHZ",
  csrfToken: "CSRFTOKEN",
  sessionId: "SESSIONID",
  jwt: "JWTVALUE",
  api_key: "APIKEY",
  password: "PASSWORD1",
};

const fan = { id: 400001, name: "Fan One", username: "fanone", avatar: NESTED, _view: "m", isVerified: false, ...CREDENTIALS };
const message = {
  responseType: "message",
  id: 5100000000002,
  text: ENTITY,
  price: 9.99,
  isFree: false,
  isTip: false,
  mediaCount: 1,
  media: [{ id: 7700001, type: "photo", src: MATRIX, files: { full: { url: NESTED_IN_PATH }, drm: { signature: { dash: { "CloudFront-Signature": "DRMSIG" } } } } }],
  previews: [],
  fromUser: fan,
  isOpened: false,
  isNew: true,
  canPurchase: true,
  isFromQueue: false,
  createdAt: "2024-05-01T17:05:00+00:00",
  changedAt: "2024-05-01T17:05:00+00:00",
  ...CREDENTIALS,
};
const chatPage = {
  list: [{ withUser: fan, lastMessage: message, unreadMessagesCount: 1, lastReadMessageId: 5100000000001, hasPurchasedFeed: false, countPinnedMessages: 0, hasUnreadTips: false, canSendMessage: true, canNotSendReason: false, isMutedNotifications: false, ...CREDENTIALS }],
  hasMore: true,
  nextOffset: 10,
  ...CREDENTIALS,
};

const keptFan = { id: 400001, name: "Fan One", username: "fanone", avatar: "https://onlyfans.com/redirect" };
const keptMessage = {
  id: 5100000000002,
  fromUser: keptFan,
  text: `<p>look <img src="${CDN}"> &#38;</p>`,
  price: 9.99,
  isFree: false,
  isTip: false,
  mediaCount: 1,
  media: [{ id: 7700001, type: "photo" }],
  isOpened: false,
  canPurchase: true,
  isFromQueue: false,
  createdAt: "2024-05-01T17:05:00+00:00",
  changedAt: "2024-05-01T17:05:00+00:00",
};

describe("what leaves the page: an allowlist per endpoint", () => {
  it("forwards a chat list page with only the fields the Brain and the extension use", () => {
    const url = `${API}/chats?limit=10&offset=0&order=recent&skip_users=all&sign=SIGNPARAM&time=1700000000123`;
    const out = posted({ url, method: "GET", status: 200, requestBody: { token: "URLTOKEN" }, responseBody: chatPage });
    expect(out).toEqual({
      url: `${API}/chats?limit=10&offset=0&order=recent&skip_users=all`,
      method: "GET",
      status: 200,
      requestBody: null,
      responseBody: {
        list: [{ withUser: keptFan, lastMessage: keptMessage, unreadMessagesCount: 1, lastReadMessageId: 5100000000001, hasPurchasedFeed: false, countPinnedMessages: 0, hasUnreadTips: false, canSendMessage: true, isMutedNotifications: false }],
        hasMore: true,
        nextOffset: 10,
      },
    });
  });

  it("leaves no secret of any shape anywhere: nested, encoded, ;params, &#38;, credential keys", () => {
    const captures: (HttpCapture | WsCapture)[] = [
      { url: `${API}/chats?offset=0`, method: "GET", status: 200, requestBody: null, responseBody: chatPage },
      { url: `${API}/chats/400001/messages?limit=20&id=5`, method: "GET", status: 200, requestBody: null, responseBody: { list: [message], hasMore: false } },
      { url: `${API}/users/list?m[]=400001`, method: "GET", status: 200, requestBody: null, responseBody: { "400001": fan, ...CREDENTIALS } },
      { url: `${API}/users/me`, method: "GET", status: 200, requestBody: null, responseBody: { id: 300000, name: "Creator", avatar: MATRIX, wsAuthToken: "WS-AUTH-TOKEN", wsUrl: "wss://ws2.onlyfans.com/ws3/24?token=URLTOKEN", ...CREDENTIALS } },
      { url: `${API}/chats/400001/mark-as-read`, method: "POST", status: 200, requestBody: CREDENTIALS, responseBody: { success: true, ...CREDENTIALS } },
      { url: "wss://ws2.onlyfans.com/ws3/24?token=URLTOKEN", direction: "out", frame: { act: "connect", token: "CONNECT-TOKEN" } },
      { url: "wss://ws2.onlyfans.com/ws3/24", direction: "in", frame: { api2_chat_message: message, ...CREDENTIALS } },
    ];
    const out = JSON.stringify(captures.map(posted));
    for (const secret of SECRETS) expect(out).not.toContain(secret);
    expect(out).not.toMatch(/Policy|Signature|Key-Pair-Id|wsAuthToken|Authorization|csrf|password|jwt|api_key|sessionId/i);
  });

  it("keeps the users of /users/list, the creator of /users/me, and the live frames", () => {
    expect(posted({ url: `${API}/users/list?m[]=400001&m[]=400002`, method: "GET", status: 200, requestBody: null, responseBody: { "400001": fan, "400002": { id: 400002 }, __proto__x: fan } })).toMatchObject({
      url: `${API}/users/list?m[]=400001&m[]=400002`,
      responseBody: { "400001": keptFan, "400002": { id: 400002 } },
    });
    expect(posted({ url: `${API}/users/me`, method: "GET", status: 200, requestBody: null, responseBody: { id: 300000, name: "Creator", wsAuthToken: "WS-AUTH-TOKEN" } })).toMatchObject({
      responseBody: { id: 300000, name: "Creator" },
    });
    expect(posted({ url: "wss://ws2.onlyfans.com/ws3/24?token=URLTOKEN", direction: "in", frame: { chat_messages: 4, count_priority_chat: 0, unread_tips: 1, hasSystemNotifications: true } })).toEqual({
      url: "wss://ws2.onlyfans.com/ws3/24",
      direction: "in",
      frame: { chat_messages: 4, count_priority_chat: 0, unread_tips: 1 },
    });
    expect(posted({ url: "wss://ws2.onlyfans.com/ws3/24", direction: "out", frame: { act: "typing", typing_to: 400001, extra: "x" } })).toMatchObject({
      frame: { act: "typing", typing_to: 400001 },
    });
  });

  it("keeps what the executor needs of the creator's own send, and an error's message", () => {
    const send = { text: "<p>hi</p>", lockedText: false, mediaFiles: [7700002], price: 0, previews: [], rfTag: [], isForward: false, ...CREDENTIALS };
    expect(posted({ url: `${API}/chats/400001/messages`, method: "POST", status: 200, requestBody: send, responseBody: { ...message, text: "<p>hi</p>" } })).toMatchObject({
      requestBody: { text: "<p>hi</p>", lockedText: false, mediaFiles: [7700002], price: 0, previews: [] },
      responseBody: { id: 5100000000002, text: "<p>hi</p>" },
    });
    expect(posted({ url: `${API}/chats/400001/messages`, method: "POST", status: 429, requestBody: send, responseBody: { error: { code: 0, message: "Too many requests", trace: "T" }, ...CREDENTIALS } })).toMatchObject({
      status: 429,
      responseBody: { error: { code: 0, message: "Too many requests" } },
    });
  });

  it("never modifies what the page holds", () => {
    const before = JSON.stringify(chatPage);
    posted({ url: `${API}/chats`, method: "GET", status: 200, requestBody: null, responseBody: chatPage });
    expect(JSON.stringify(chatPage)).toBe(before);
  });

  it("reads own fields only: a page script's getter on Object.prototype adds nothing", () => {
    Object.defineProperty(Object.prototype, "isTip", { get: () => true, configurable: true });
    try {
      const out = posted({ url: `${API}/chats/400001/messages`, method: "GET", status: 200, requestBody: null, responseBody: { list: [{ id: 1, price: 0 }] } });
      expect(Object.hasOwn((out as HttpCapture).responseBody as object, "list")).toBe(true);
      expect(JSON.stringify(out)).not.toContain("isTip");
    } finally {
      delete (Object.prototype as { isTip?: unknown }).isTip;
    }
  });
});
