"""Shared raw OnlyFans records and event helpers for the normalize tests."""

from typing import Any, TypeVar

import msgspec

from contracts.events import Event, MessageAdded, RecordRejected
from services.ingest.normalize import normalize_delta, normalize_snapshot

CREATOR = 300_000
FAN = 400_001
OTHER_FAN = 400_002


def message(**fields: Any) -> dict[str, Any]:
    """An OnlyFans message from the fan, as in /work/shared/of-traffic.md; override any field."""
    base: dict[str, Any] = {
        "responseType": "message", "id": 5_100_000_000_002, "text": "<p>see you tonight?</p>",
        "giphyId": None, "lockedText": False, "isFree": True, "price": 0, "mediaCount": 0,
        "media": [], "previews": [], "isTip": False, "isFromQueue": False, "queueId": 0,
        "fromUser": {"id": FAN, "_view": "m"}, "isOpened": True, "isNew": True,
        "isLiked": False, "canPurchase": False, "canReport": True, "releaseForms": [],
        "createdAt": "2024-05-01T18:22:10+00:00", "changedAt": "2024-05-01T18:22:10+00:00",
        "someFieldOnlyFansAddsTomorrow": {"x": [1, 2]},
    }  # fmt: skip
    return base | fields


def ppv(**fields: Any) -> dict[str, Any]:
    """The creator's paid message with one photo."""
    return message(
        id=5_100_000_000_001, text="<p>new set, just for you</p>", isFree=False, price=9.99,
        mediaCount=1, media=[{"id": 7_700_001, "type": "photo", "canView": False}],
        fromUser={"id": CREATOR, "_view": "m"}, isOpened=False, canPurchase=False,
        createdAt="2024-05-01T17:05:00+00:00", changedAt="2024-05-01T17:05:00+00:00",
    ) | fields  # fmt: skip


def chat(fan: int = FAN, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "withUser": {"id": fan, "_view": "m"}, "lastMessage": None, "unreadMessagesCount": 1,
        "lastReadMessageId": 5_100_000_000_001, "hasPurchasedFeed": False,
        "countPinnedMessages": 0, "canGoToProfile": True, "canSendMessage": True,
        "canNotSendReason": False, "hasUnreadTips": False, "isMutedNotifications": False,
    }  # fmt: skip
    return base | fields


def enc(value: Any) -> bytes:
    return msgspec.json.encode(value)


def delta(msg: dict[str, Any], chat_id: int | None = FAN, source: str = "fetch") -> list[Event]:
    return normalize_delta(CREATOR, chat_id, source, enc(msg))


E = TypeVar("E")


def of_kind(events: list[Event], kind: type[E]) -> list[E]:
    return [e for e in events if isinstance(e, kind)]


def only_added(events: list[Event]) -> MessageAdded:
    (added,) = of_kind(events, MessageAdded)
    return added


def rejection(events: list[Event]) -> RecordRejected:
    (rejected,) = events
    assert isinstance(rejected, RecordRejected)
    return rejected


def snapshot(chats: list[Any], messages: list[Any], snapshot_id: str = "snap-1") -> Any:
    raws = [r if isinstance(r, bytes) else enc(r) for r in messages]
    return normalize_snapshot(CREATOR, snapshot_id, [enc(c) for c in chats], raws)
