"""Shared data model: the Inbox container and the OnlyFans message-object builder."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tools.ofsim.media import Signer, VaultItem

JsonObj = dict[str, Any]

DEFAULT_END = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
DAY = 86400
UNSUBSCRIBED = "subscription_expired"


_DAY_PREFIX: dict[int, str] = {}


def iso(ts: int) -> str:
    """Epoch seconds -> ``2024-05-01T18:22:10+00:00`` (UTC, the offset OnlyFans sends)."""
    day, rest = divmod(int(ts), 86400)
    prefix = _DAY_PREFIX.get(day)
    if prefix is None:
        prefix = _DAY_PREFIX[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{prefix}{hours:02d}:{minutes:02d}:{seconds:02d}+00:00"


def to_ts(dt: datetime) -> int:
    return int((dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp())


@dataclass(slots=True)
class State:
    """Mutable bookkeeping behind an Inbox (ids, clock, vault, chat index)."""

    seed: int
    rng: random.Random
    last_id: int
    clock: int
    signer: Signer
    vault: dict[int, VaultItem]
    chat_of: dict[int, JsonObj]


@dataclass(frozen=True)
class Inbox:
    creator: JsonObj
    fans: dict[int, JsonObj]
    chats: list[JsonObj]
    messages: dict[int, list[JsonObj]]
    tiers: dict[int, str] = field(default_factory=dict)  # fan id -> whale|regular|small
    _state: State | None = field(default=None, repr=False, compare=False)


def message(
    mid: int,
    html: str,
    from_user: JsonObj,
    created: str,
    changed: str,
    *,
    price: float = 0,
    is_tip: bool = False,
    media: list[JsonObj] | None = None,
    previews: Sequence[int] = (),
    queue_id: int = 0,
    giphy: str | None = None,
    locked_text: bool = False,
    is_opened: bool = False,
    is_new: bool = False,
    cancel_seconds: int = 0,
    is_liked: bool = False,
    purchased: bool = False,
    can_report: bool = True,
    is_pinned: bool = False,
) -> JsonObj:
    """One OnlyFans message object with every field of of-traffic.md section 2."""
    media = media if media is not None else []
    ppv = price > 0 and not is_tip
    return {
        "responseType": "message",
        "text": html,
        "giphyId": giphy,
        "lockedText": locked_text,
        "isFree": not ppv,
        "price": price,
        "isMediaReady": True,
        "mediaCount": len(media),
        "media": media,
        "previews": list(previews),
        "isTip": is_tip,
        "isReportedByMe": False,
        "isCouplePeopleMedia": False,
        "queueId": queue_id,
        "fromUser": from_user,
        "isFromQueue": queue_id != 0,
        "canUnsendQueue": queue_id != 0,
        "unsendSecondsQueue": 1000000 if queue_id else 0,
        "id": mid,
        "isOpened": is_opened,
        "isNew": is_new,
        "createdAt": created,
        "changedAt": changed,
        "cancelSeconds": cancel_seconds,
        "isLiked": is_liked,
        "canPurchase": ppv and not purchased,
        "canPurchaseReason": ("opened" if purchased else "") if ppv else "free",
        "canReport": can_report,
        "canBePinned": True,
        "isPinned": is_pinned,
        "releaseForms": [],
    }


def state_of(inbox: Inbox) -> State:
    """The inbox's bookkeeping, rebuilt from its messages if it was built by hand."""
    st = inbox._state
    if st is None:
        last_id = max((m["id"] for ms in inbox.messages.values() for m in ms), default=0)
        clock = last_id // 1000
        signer = Signer(b"ofsim", "APKAOFSIMOFSIMOFSIM0", clock + DAY, int(inbox.creator["id"]))
        chat_of = {c["withUser"]["id"]: c for c in inbox.chats}
        st = State(0, random.Random("ofsim:live"), last_id, clock, signer, {}, chat_of)
        object.__setattr__(inbox, "_state", st)
    return st
