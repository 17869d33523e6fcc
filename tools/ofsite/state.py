"""The simulated site's server state: one generated inbox plus the session's secrets.

``SiteState`` wraps a ``tools.ofsim`` inbox generated up to "now" and adds what the
site itself owns: random credentials (``Secrets``), the log of the creator's sends, the
signatures seen, the request log, rate limit and throttle, the WebSocket hub and a few
test switches. Every media URL and DRM signature carries the session's single CloudFront
``Policy`` / ``Signature`` / ``Key-Pair-Id`` (ofsim writes them so while generating), and
so do avatars, so that a test can look for them.
"""

from __future__ import annotations

import html
from bisect import bisect_left, bisect_right
from collections import Counter
from datetime import UTC, datetime
from typing import Literal

from tools.ofsim import JsonObj, creator_message, fan_message, generate_inbox
from tools.ofsim.model import state_of
from tools.ofsim.users import stub as user_stub
from tools.ofsite.credentials import Secrets
from tools.ofsite.hub import Hub
from tools.ofsite.traffic import RateLimit, RequestLog, Throttle

WS_URL = "wss://onlyfans.com/ws3/24"
# The creator fields other users see (``/users/list``, ``fromUser`` of the creator's sends).
CREATOR_PUBLIC = ("id", "name", "username", "avatar", "avatarThumbs", "isVerified", "canEarn")


class SiteState:
    """The whole server-side state of one simulator run (single event loop, no locking).

    ``total_messages`` (exact) replaces ``messages_per_chat`` (a range per chat);
    ``days`` is how far back the history goes; ``rate_limit`` admits at most that many
    ``/api2`` requests in any ``rate_window`` seconds (None: no limit).
    """

    def __init__(
        self,
        creator_id: int = 300000,
        n_chats: int = 20,
        seed: int = 1,
        *,
        messages_per_chat: tuple[int, int] = (5, 40),
        total_messages: int | None = None,
        days: int = 30,
        rate_limit: int | None = None,
        rate_window: float = 1.0,
    ) -> None:
        self.creator_id = creator_id
        self.secrets = Secrets.generate(creator_id)
        self.inbox = generate_inbox(
            creator_id, n_chats=n_chats, messages_per_chat=messages_per_chat, seed=seed,
            end=datetime.now(UTC), days=days, total_messages=total_messages,
            cloudfront=self.secrets.cloudfront(),
        )  # fmt: skip
        self.inbox.creator["wsUrl"] = WS_URL
        self.inbox.creator["wsAuthToken"] = self.secrets.ws_token
        for user in (self.inbox.creator, *self.inbox.fans.values()):
            self._sign_avatar(user)
        self.sent: list[JsonObj] = []
        self.rejected: list[JsonObj] = []
        self.signatures: list[str] = []
        self.requests = RequestLog()
        self.rate_limit = RateLimit(rate_limit, rate_window)
        self.throttle = Throttle()
        self.fail_sends = 0
        self.ws_frames: Counter[str] = Counter()
        self.typing: list[int] = []
        self.hub = Hub()
        self._chats = state_of(self.inbox).chat_of  # fan id -> chat item, kept by ofsim
        self._chat_of_message = {
            m["id"]: fan_id for fan_id, msgs in self.inbox.messages.items() for m in msgs
        }
        fans = sorted(self.inbox.fans)
        self.online = {f for i, f in enumerate(fans) if i % 3 == 0}

    # -- lookups ---------------------------------------------------------------

    def me(self) -> JsonObj:
        return dict(self.inbox.creator)

    def full_user(self, user_id: int) -> JsonObj | None:
        if user_id == self.creator_id:
            return {k: v for k, v in self.inbox.creator.items() if k in CREATOR_PUBLIC}
        return self.inbox.fans.get(user_id)

    def user_view(self, user: JsonObj, full: bool) -> JsonObj:
        """A stored stub user as ``skip_users=all`` (stub) or without it (full)."""
        if not full:
            return user
        return self.full_user(int(user["id"])) or user_stub(int(user["id"]))

    def chat(self, fan_id: int) -> JsonObj | None:
        return self._chats.get(fan_id)

    def find_message(self, message_id: int) -> tuple[int, JsonObj] | None:
        fan_id = self._chat_of_message.get(message_id)
        if fan_id is None:
            return None
        for m in self.inbox.messages.get(fan_id, ()):
            if m["id"] == message_id:
                return fan_id, m
        return None

    def message_page(
        self,
        fan_id: int,
        limit: int,
        cursor: int = 0,
        first_id: int | None = None,
        ascending: bool = False,
    ) -> tuple[list[JsonObj], bool]:
        """One page of a chat's messages and whether more follow (see the README's paging).

        Newest first before ``cursor`` (all when 0), or with ``ascending`` oldest first
        after it; ``first_id`` drops everything newer than that id.
        """
        msgs = self.inbox.messages.get(fan_id, [])  # oldest first, ids strictly rising
        end = len(msgs) if first_id is None else bisect_right(msgs, first_id, key=_id)
        if ascending:
            start = bisect_right(msgs, cursor, 0, end, key=_id)
            return msgs[start : min(end, start + limit)], end - start > limit
        if cursor:
            end = min(end, bisect_left(msgs, cursor, 0, end, key=_id))
        return msgs[max(0, end - limit) : end][::-1], end > limit

    def counters(self) -> JsonObj:
        """The unread-counters frame: chats with unread messages, and with unread tips."""
        chats = self.inbox.chats
        unread = sum(1 for c in chats if c["unreadMessagesCount"] > 0)
        tips = sum(1 for c in chats if c["hasUnreadTips"])
        return {"chat_messages": unread, "count_priority_chat": 0, "unread_tips": tips}

    def secrets_report(self) -> JsonObj:
        return {**self.secrets.report(), "signatures": list(self.signatures)}

    def truth(self, offset: int = 0, limit: int | None = None) -> JsonObj:
        """Every chat (list order, most recent first) with its message ids, oldest first."""
        chats = self.inbox.chats
        end = len(chats) if limit is None else min(len(chats), offset + limit)
        out = []
        for chat in chats[offset:end]:
            fan_id = chat["withUser"]["id"]
            fan = self.inbox.fans[fan_id]
            ids = [m["id"] for m in self.inbox.messages.get(fan_id, ())]
            unread = chat["unreadMessagesCount"]
            out.append(
                {"fanId": fan_id, "name": fan["name"], "username": fan["username"],
                 "unread": unread, "messageIds": ids}
            )  # fmt: skip
        return {
            "creatorId": self.creator_id,
            "totalChats": len(chats),
            "totalMessages": len(self._chat_of_message),
            "chats": out,
            "hasMore": end < len(chats),
            "nextOffset": end,
        }

    # -- changes ---------------------------------------------------------------

    def new_fan_message(
        self, fan_id: int, text: str | None, kind: Literal["text", "tip"]
    ) -> JsonObj:
        """A new inbound message (full ``fromUser``); ``text`` replaces the generated one."""
        out = fan_message(self.inbox, fan_id, kind=kind, at=datetime.now(UTC))
        stored = self.inbox.messages[fan_id][-1]
        if text is not None:
            stored["text"] = out["text"] = _as_html(text)
        self._chat_of_message[out["id"]] = fan_id
        return out

    def new_creator_message(
        self, fan_id: int, text: str, price: float, media_ids: list[int]
    ) -> JsonObj:
        """The creator's send (the POST response; ``fromUser`` is the creator's public user)."""
        out = creator_message(
            self.inbox, fan_id, text, price=price, media_ids=media_ids, at=datetime.now(UTC)
        )
        self._chat_of_message[out["id"]] = fan_id
        return out

    def update_fan(
        self, fan_id: int, name: str | None, username: str | None, unread: int | None
    ) -> JsonObj:
        """Rename a fan and/or set their chat's ``unreadMessagesCount``; the full user."""
        fan = self.inbox.fans[fan_id]
        if name is not None:
            fan["name"] = name
        if username is not None:
            fan["username"] = username
        chat = self.chat(fan_id)
        if unread is not None and chat is not None:
            chat["unreadMessagesCount"] = unread
        return fan

    def unsend(self, fan_id: int, message: JsonObj) -> None:
        msgs = self.inbox.messages[fan_id]
        msgs[:] = [m for m in msgs if m is not message]
        self._chat_of_message.pop(message["id"], None)
        chat = self.chat(fan_id)
        if chat is not None and chat["lastMessage"] is message:
            chat["lastMessage"] = msgs[-1] if msgs else None

    def mark_read(self, fan_id: int, read: bool) -> None:
        chat = self.chat(fan_id)
        if chat is None:
            return
        msgs = self.inbox.messages.get(fan_id, [])
        if not read:
            chat["unreadMessagesCount"] = max(1, chat["unreadMessagesCount"])
            return
        for m in msgs:
            if m["fromUser"]["id"] == fan_id and m["isNew"]:
                m["isNew"], m["isOpened"] = False, True
        chat.update(unreadMessagesCount=0, hasUnreadTips=False)
        if msgs:
            chat["lastReadMessageId"] = msgs[-1]["id"]

    def _sign_avatar(self, user: JsonObj) -> None:
        """Give ``avatar`` and ``avatarThumbs`` this run's CloudFront parameters."""
        sign = self.secrets.signed_url
        if isinstance(user.get("avatar"), str):
            user["avatar"] = sign(user["avatar"], self.creator_id)
        thumbs = user.get("avatarThumbs")
        if isinstance(thumbs, dict):
            user["avatarThumbs"] = {k: sign(v, self.creator_id) for k, v in thumbs.items()}


def _id(message: JsonObj) -> int:
    return int(message["id"])


def _as_html(text: str) -> str:
    if text.startswith("<p>"):
        return text
    return "<p>" + "<br>".join(html.escape(line, quote=False) for line in text.split("\n")) + "</p>"


__all__ = ["WS_URL", "Secrets", "SiteState"]
