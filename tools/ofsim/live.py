"""Live traffic on a generated inbox: new fan messages, creator sends, purchases, frames.

These functions update the inbox in place (see the conventions in ``generator``) and
return an independent copy of the new or changed message, safe to mutate (redact...).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Literal

from tools.ofsim import texts
from tools.ofsim.conversation import GENERAL_TOPICS, compose
from tools.ofsim.media import VaultItem, make_vault_item, media_item
from tools.ofsim.model import DAY, Inbox, JsonObj, State, iso, state_of, to_ts
from tools.ofsim.model import message as build_message
from tools.ofsim.users import stub

_FAN_BANKS = texts.esc_bank(texts.FAN_BANKS)
_TOPICS = [t for t, _ in GENERAL_TOPICS]
_TOPIC_WEIGHTS = [w for _, w in GENERAL_TOPICS]
_CREATOR_PUBLIC = ("id", "name", "username", "avatar", "avatarThumbs", "isVerified", "canEarn")


def _new_id(st: State, ts: int) -> int:
    mid = max(st.last_id + 1, ts * 1000)
    st.last_id = mid
    st.clock = max(st.clock, ts)
    return mid


def _chat(inbox: Inbox, st: State, fan_id: int) -> JsonObj:
    if fan_id not in inbox.fans:
        raise KeyError(f"fan {fan_id} is not in this inbox")
    chat = st.chat_of.get(fan_id)
    if chat is None:
        chat = {
            "withUser": stub(fan_id),
            "lastMessage": None,
            "unreadMessagesCount": 0,
            "lastReadMessageId": 0,
            "hasPurchasedFeed": False,
            "countPinnedMessages": 0,
            "canGoToProfile": True,
            "canSendMessage": True,
            "canNotSendReason": False,
            "hasUnreadTips": False,
            "isMutedNotifications": False,
        }
        st.chat_of[fan_id] = chat
        inbox.chats.insert(0, chat)
    return chat


def _to_front(chats: list[JsonObj], chat: JsonObj) -> None:
    for i, c in enumerate(chats):
        if c is chat:
            del chats[i]
            break
    chats.insert(0, chat)


def _vault_item(st: State, media_id: int) -> VaultItem:
    item = st.vault.get(media_id)
    if item is None:
        item = make_vault_item(st.signer, media_id, "photo", media_id % 997, iso(st.clock))
        st.vault[media_id] = item
    return item


def fan_message(
    inbox: Inbox,
    fan_id: int,
    *,
    seed: int | None = None,
    at: datetime | None = None,
    kind: Literal["text", "tip", "purchase_request"] = "text",
) -> JsonObj:
    """A new inbound message from ``fan_id`` (``api2_chat_message`` style: ``fromUser`` is
    the fan's full user object). Its id is greater than every id in the inbox.

    ``seed`` None draws from the inbox's own deterministic stream; ``at`` None is a few
    minutes after the inbox's latest message. The inbox gets the stub-user version.
    """
    st = state_of(inbox)
    chat = _chat(inbox, st, fan_id)
    rng = st.rng if seed is None else random.Random(seed)
    ts = to_ts(at) if at is not None else st.clock + rng.randint(20, 600)
    price = 0
    if kind == "tip":
        topic = "tip"
        price = rng.choice(texts.TIP_AMOUNTS[inbox.tiers.get(fan_id, "regular")])
        html = "" if rng.random() < 0.3 else compose(rng, _FAN_BANKS["tip"], texts.FAN_EMOJI)
    else:
        topic = "purchase_intent"
        if kind == "text":
            topic = rng.choices(_TOPICS, weights=_TOPIC_WEIGHTS)[0]
        emoji = texts.NEG_EMOJI if topic in texts.NEGATIVE_TOPICS else texts.FAN_EMOJI
        html = compose(rng, _FAN_BANKS[topic], emoji)
        html = html.replace("{amount}", texts.fmt_amount(rng.choice((5, 10, 15, 20))))
    created = iso(ts)
    stored = build_message(
        _new_id(st, ts), html, stub(fan_id), created, created,
        price=price, is_tip=kind == "tip", is_new=True,
    )  # fmt: skip
    inbox.messages.setdefault(fan_id, []).append(stored)
    chat["lastMessage"] = stored
    chat["unreadMessagesCount"] += 1
    chat["hasUnreadTips"] = chat["hasUnreadTips"] or kind == "tip"
    _to_front(inbox.chats, chat)
    fan = inbox.fans[fan_id]
    fan["lastSeen"] = created
    out = copy.deepcopy(stored)
    out["fromUser"] = copy.deepcopy(fan)
    return out


def creator_message(
    inbox: Inbox,
    fan_id: int,
    text: str,
    *,
    price: float = 0.0,
    media_ids: Sequence[int] = (),
    at: datetime | None = None,
) -> JsonObj:
    """The message object OnlyFans returns for the creator's ``POST /chats/{fan}/messages``.

    ``text`` starting with ``<p>`` is taken as the web app's HTML; plain text is escaped,
    wrapped in ``<p>`` and its newlines become ``<br>``. ``price > 0`` makes it a locked
    PPV. Sending marks the fan's messages read.
    """
    st = state_of(inbox)
    chat = _chat(inbox, st, fan_id)
    ts = to_ts(at) if at is not None else st.clock + 30
    if not text.startswith("<p>"):
        text = "<p>" + "<br>".join(texts.esc(line) for line in text.split("\n")) + "</p>"
    ppv = price > 0
    kp = st.signer.key_pair_id
    media = [media_item(_vault_item(st, m), not ppv, kp) for m in media_ids]
    created = iso(ts)
    mid = _new_id(st, ts)
    creator_id = int(inbox.creator["id"])
    stored = build_message(
        mid, text, stub(creator_id), created, created,
        price=price if ppv else 0, media=media, cancel_seconds=DAY, can_report=False,
    )  # fmt: skip
    msgs = inbox.messages.setdefault(fan_id, [])
    for m in reversed(msgs):
        if m["fromUser"]["id"] != creator_id:
            if not m["isNew"]:
                break
            m["isNew"], m["isOpened"] = False, True
    msgs.append(stored)
    chat.update(
        lastMessage=stored, unreadMessagesCount=0, hasUnreadTips=False, lastReadMessageId=mid
    )
    _to_front(inbox.chats, chat)
    out = copy.deepcopy(stored)
    public = {k: v for k, v in inbox.creator.items() if k in _CREATOR_PUBLIC}
    out["fromUser"] = copy.deepcopy(public)  # the full user, minus wsUrl / wsAuthToken
    return out


def mark_purchased(
    inbox: Inbox, fan_id: int, message_id: int, *, at: datetime | None = None
) -> JsonObj:
    """Record that the fan bought the PPV ``message_id`` (see the PPV convention)."""
    st = state_of(inbox)
    for m in reversed(inbox.messages.get(fan_id, [])):
        if m["id"] == message_id:
            break
    else:
        raise KeyError(f"message {message_id} is not in the chat with {fan_id}")
    if m["isFree"] or m["isTip"]:
        raise ValueError(f"message {message_id} is not a PPV")
    ts = to_ts(at) if at is not None else st.clock + 60
    st.clock = max(st.clock, ts)
    kp = st.signer.key_pair_id
    m["media"] = [media_item(_vault_item(st, x["id"]), True, kp) for x in m["media"]]
    m.update(canPurchase=False, canPurchaseReason="opened", isOpened=True, changedAt=iso(ts))
    return copy.deepcopy(m)


def iter_messages(inbox: Inbox) -> Iterator[JsonObj]:
    """Every message with ``chatId`` (the fan id) added, chat by chat in ``inbox.chats``
    order, oldest first within a chat. Shallow copies: nested values are shared."""
    seen: set[int] = set()
    for chat in inbox.chats:
        fid = chat["withUser"]["id"]
        seen.add(fid)
        for m in inbox.messages.get(fid, ()):
            yield {**m, "chatId": fid}
    for fid, msgs in inbox.messages.items():
        if fid not in seen:
            for m in msgs:
                yield {**m, "chatId": fid}


def ws_frame_chat_message(message: JsonObj) -> JsonObj:
    """The WebSocket push for a new message: ``{"api2_chat_message": message}``."""
    return {"api2_chat_message": message}


def ws_frame_counters(unread: int, priority: int, tips: int) -> JsonObj:
    """The unread-counters push (no wrapper key)."""
    return {"chat_messages": unread, "count_priority_chat": priority, "unread_tips": tips}
