"""The simulated site's server state: one generated inbox plus the session's secrets.

``SiteState`` wraps a ``tools.ofsim`` inbox generated up to "now" and adds what the
site itself owns: random credentials (``Secrets``), the log of the creator's sends, the
signatures seen, the WebSocket hub and a few test switches. Media URLs from ofsim carry
per-folder CloudFront parameters; here every URL and DRM signature is rewritten to the
session's single ``Policy`` / ``Signature`` / ``Key-Pair-Id`` so a test can look for them.
"""

from __future__ import annotations

import base64
import html
import json
import re
import secrets
import string
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from tools.ofsim import JsonObj, creator_message, fan_message, generate_inbox
from tools.ofsim.users import fake_jwt
from tools.ofsim.users import stub as user_stub
from tools.ofsite.hub import Hub

WS_URL = "wss://onlyfans.com/ws3/24"
# The creator fields other users see (``/users/list``, ``fromUser`` of the creator's sends).
CREATOR_PUBLIC = ("id", "name", "username", "avatar", "avatarThumbs", "isVerified", "canEarn")
_ALNUM = string.ascii_lowercase + string.digits
_URL_PARAM = re.compile(r"([?&])(Policy|Signature|Key-Pair-Id)=[^&#]*")


def _token(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


@dataclass(frozen=True, slots=True)
class Secrets:
    """Every credential of one simulator run (random at start, never derived from the seed)."""

    sess: str
    auth_id: str
    fp: str
    app_token: str
    xbc: str
    sign_secret: str
    ws_token: str
    policy: str
    signature: str
    key_pair_id: str

    @classmethod
    def generate(cls, creator_id: int) -> Secrets:
        now = int(time.time())
        resource = f"https://cdn2.onlyfans.com/files/{secrets.token_hex(8)}/*"
        expires = {"DateLessThan": {"AWS:EpochTime": now + 86400}}
        statement = {"Resource": resource, "Condition": expires}
        policy_json = json.dumps({"Statement": [statement]}, separators=(",", ":"))
        cf = str.maketrans("+=/", "-_~")
        return cls(
            sess=_token(_ALNUM, 26),
            auth_id=str(secrets.randbelow(9 * 10**9) + 10**9),
            fp=secrets.token_hex(16),
            app_token=secrets.token_hex(16),
            xbc=secrets.token_hex(20),
            sign_secret=_token(string.ascii_letters + string.digits, 32),
            ws_token=fake_jwt(creator_id, now, secrets.randbits(64)),
            policy=base64.b64encode(policy_json.encode()).decode().translate(cf),
            signature=base64.b64encode(secrets.token_bytes(128)).decode().translate(cf),
            key_pair_id="APKA" + _token(string.ascii_uppercase + string.digits, 16),
        )

    def cookies(self) -> dict[str, str]:
        return {"sess": self.sess, "auth_id": self.auth_id, "fp": self.fp}

    def report(self) -> JsonObj:
        """The ``/_sim/secrets`` shape (without the signatures list)."""
        return {
            "cookies": self.cookies(),
            "appToken": self.app_token,
            "xbc": self.xbc,
            "signSecret": self.sign_secret,
            "wsToken": self.ws_token,
            "media": {
                "Policy": self.policy,
                "Signature": self.signature,
                "Key-Pair-Id": self.key_pair_id,
            },
        }


class SiteState:
    """The whole server-side state of one simulator run (single event loop, no locking)."""

    def __init__(
        self,
        creator_id: int = 300000,
        n_chats: int = 20,
        seed: int = 1,
        *,
        messages_per_chat: tuple[int, int] = (5, 40),
    ) -> None:
        self.inbox = generate_inbox(
            creator_id, n_chats=n_chats, messages_per_chat=messages_per_chat, seed=seed,
            end=datetime.now(UTC),
        )  # fmt: skip
        self.creator_id = creator_id
        self.secrets = Secrets.generate(creator_id)
        self.inbox.creator["wsUrl"] = WS_URL
        self.inbox.creator["wsAuthToken"] = self.secrets.ws_token
        self.sent: list[JsonObj] = []
        self.rejected: list[JsonObj] = []
        self.signatures: list[str] = []
        self.requests: list[JsonObj] = []
        self.fail_sends = 0
        self.ws_frames: Counter[str] = Counter()
        self.typing: list[int] = []
        self.hub = Hub()
        self._chat_of_message: dict[int, int] = {}
        for fan_id, msgs in self.inbox.messages.items():
            for m in msgs:
                self._resign(m)
                self._chat_of_message[m["id"]] = fan_id
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
        return next((c for c in self.inbox.chats if c["withUser"]["id"] == fan_id), None)

    def find_message(self, message_id: int) -> tuple[int, JsonObj] | None:
        fan_id = self._chat_of_message.get(message_id)
        if fan_id is None:
            return None
        for m in self.inbox.messages.get(fan_id, ()):
            if m["id"] == message_id:
                return fan_id, m
        return None

    def counters(self) -> JsonObj:
        """The unread-counters frame: chats with unread messages, and with unread tips."""
        chats = self.inbox.chats
        unread = sum(1 for c in chats if c["unreadMessagesCount"] > 0)
        tips = sum(1 for c in chats if c["hasUnreadTips"])
        return {"chat_messages": unread, "count_priority_chat": 0, "unread_tips": tips}

    def secrets_report(self) -> JsonObj:
        return {**self.secrets.report(), "signatures": list(self.signatures)}

    # -- changes ---------------------------------------------------------------

    def new_fan_message(
        self, fan_id: int, text: str | None, kind: Literal["text", "tip"]
    ) -> JsonObj:
        """A new inbound message (full ``fromUser``); ``text`` replaces the generated one."""
        out = fan_message(self.inbox, fan_id, kind=kind, at=datetime.now(UTC))
        stored = self.inbox.messages[fan_id][-1]
        if text is not None:
            stored["text"] = out["text"] = _as_html(text)
        self._resign(stored)
        self._chat_of_message[out["id"]] = fan_id
        return self._resign(out)

    def new_creator_message(
        self, fan_id: int, text: str, price: float, media_ids: list[int]
    ) -> JsonObj:
        """The creator's send (the POST response; ``fromUser`` is the creator's public user)."""
        out = creator_message(
            self.inbox, fan_id, text, price=price, media_ids=media_ids, at=datetime.now(UTC)
        )
        self._resign(self.inbox.messages[fan_id][-1])
        self._chat_of_message[out["id"]] = fan_id
        return self._resign(out)

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

    def _resign(self, message: JsonObj) -> JsonObj:
        """Rewrite CloudFront parameters in ``message`` (in place) to this session's values."""
        self._resign_any(message)
        return message

    def _resign_any(self, obj: Any) -> None:
        s = self.secrets
        values = {"Policy": s.policy, "Signature": s.signature, "Key-Pair-Id": s.key_pair_id}
        if isinstance(obj, dict):
            for key, value in obj.items():
                if key.startswith("CloudFront-") and key[11:] in values:
                    obj[key] = values[key[11:]]
                elif isinstance(value, str):
                    if "Key-Pair-Id=" in value:
                        obj[key] = _URL_PARAM.sub(lambda m: f"{m[1]}{m[2]}={values[m[2]]}", value)
                elif isinstance(value, dict | list):
                    self._resign_any(value)
        elif isinstance(obj, list):
            for item in obj:
                self._resign_any(item)


def _as_html(text: str) -> str:
    if text.startswith("<p>"):
        return text
    return "<p>" + "<br>".join(html.escape(line, quote=False) for line in text.split("\n")) + "</p>"


__all__ = ["WS_URL", "Secrets", "SiteState"]
