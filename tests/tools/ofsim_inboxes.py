"""Shared field sets and helpers for the tools.ofsim tests."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from tools.ofsim import Inbox, generate_inbox

MESSAGE_FIELDS = {
    "responseType", "id", "text", "giphyId", "lockedText", "isFree", "price",
    "isMediaReady", "mediaCount", "media", "previews", "isTip", "isReportedByMe",
    "isCouplePeopleMedia", "queueId", "fromUser", "isFromQueue", "canUnsendQueue",
    "unsendSecondsQueue", "isOpened", "isNew", "createdAt", "changedAt", "cancelSeconds",
    "isLiked", "canPurchase", "canPurchaseReason", "canReport", "canBePinned", "isPinned",
    "releaseForms",
}  # fmt: skip
BOOL_FIELDS = {
    "lockedText", "isFree", "isMediaReady", "isTip", "isReportedByMe", "isCouplePeopleMedia",
    "isFromQueue", "canUnsendQueue", "isOpened", "isNew", "isLiked", "canPurchase",
    "canReport", "canBePinned", "isPinned",
}  # fmt: skip
CHAT_FIELDS = {
    "withUser", "lastMessage", "unreadMessagesCount", "lastReadMessageId", "hasPurchasedFeed",
    "countPinnedMessages", "canGoToProfile", "canSendMessage", "canNotSendReason",
    "hasUnreadTips", "isMutedNotifications",
}  # fmt: skip
FAN_FIELDS = {
    "id", "name", "username", "avatar", "avatarThumbs", "isVerified", "canEarn",
    "subscribedBy", "subscribedOn", "lastSeen",
}  # fmt: skip
MEDIA_FIELDS = {
    "id", "type", "canView", "hasError", "duration", "src", "preview", "thumb",
    "squarePreview", "locked", "source", "info", "files", "videoSources", "createdAt",
}  # fmt: skip
FAN_TOPICS = {
    "greeting", "compliment", "content_request", "custom_request", "pricing",
    "purchase_intent", "tip", "complaint", "scheduling", "small_talk", "leaving",
}  # fmt: skip
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")
ENTITY_RE = re.compile(r"&(amp|lt|gt);")


def fresh(seed: int = 3, n_chats: int = 20) -> Inbox:
    return generate_inbox(n_chats=n_chats, seed=seed)


def all_messages(ib: Inbox) -> list[dict[str, Any]]:
    return [m for msgs in ib.messages.values() for m in msgs]


def by_creator(ib: Inbox, m: dict[str, Any]) -> bool:
    return bool(m["fromUser"]["id"] == ib.creator["id"])


def is_ppv(m: dict[str, Any]) -> bool:
    return bool(m["price"] > 0 and not m["isTip"])


def epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp())


def urls(obj: Any) -> list[str]:
    if isinstance(obj, dict):
        return [u for v in obj.values() for u in urls(v)]
    if isinstance(obj, list):
        return [u for v in obj for u in urls(v)]
    return [obj] if isinstance(obj, str) and obj.startswith("https://") else []


def as_json(ib: Inbox) -> str:
    data = {
        "creator": ib.creator,
        "fans": {str(k): v for k, v in ib.fans.items()},
        "chats": ib.chats,
        "messages": {str(k): v for k, v in ib.messages.items()},
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False)
