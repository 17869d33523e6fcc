"""Tests of tools.ofsim live updates: new fan and creator messages, purchases, frames."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.tools.ofsim_inboxes import (
    MESSAGE_FIELDS,
    all_messages,
    epoch,
    fresh,
    urls,
)
from tools.ofsim import (
    DEFAULT_END,
    Inbox,
    creator_message,
    fan_message,
    iter_messages,
    mark_purchased,
    topic_of,
    ws_frame_chat_message,
    ws_frame_counters,
)

# -- live updates ------------------------------------------------------------------


def test_fan_message_is_new_and_full() -> None:
    ib = fresh()
    before = max(m["id"] for m in all_messages(ib))
    chat = ib.chats[-1]
    fid = chat["withUser"]["id"]
    unread = chat["unreadMessagesCount"]
    msg = fan_message(ib, fid)
    assert msg["id"] > before
    assert set(msg) == MESSAGE_FIELDS
    assert msg["fromUser"] == ib.fans[fid]
    assert msg["isNew"] and not msg["isOpened"]
    assert epoch(msg["createdAt"]) >= DEFAULT_END.timestamp()
    assert ib.chats[0] is chat and chat["unreadMessagesCount"] == unread + 1
    stored = ib.messages[fid][-1]
    assert stored["id"] == msg["id"] and stored["fromUser"] == {"id": fid, "_view": "m"}
    assert chat["lastMessage"] is stored
    assert fan_message(ib, fid)["id"] > msg["id"]
    json.loads(json.dumps(ws_frame_chat_message(msg)))


def test_fan_message_kinds_and_seed() -> None:
    ib = fresh()
    fid = next(iter(ib.fans))
    tip = fan_message(ib, fid, kind="tip")
    assert tip["isTip"] and tip["price"] > 0 and tip["isFree"]
    assert ib.chats[0]["hasUnreadTips"]
    req = fan_message(ib, fid, kind="purchase_request")
    assert topic_of(req) == "purchase_intent"
    at = datetime(2024, 7, 1, 9, 30, tzinfo=UTC)
    a = fan_message(fresh(), fid, seed=42, at=at)
    b = fan_message(fresh(), fid, seed=42, at=at)
    assert a == b and a["createdAt"] == "2024-07-01T09:30:00+00:00"
    assert a["id"] == int(at.timestamp()) * 1000
    with pytest.raises(KeyError):
        fan_message(ib, 1)


def test_fan_message_stream_is_deterministic() -> None:
    a, b = fresh(), fresh()
    fids = list(a.fans)[:5]
    assert [fan_message(a, f) for f in fids] == [fan_message(b, f) for f in fids]


def test_creator_message() -> None:
    ib = fresh()
    chat = next(c for c in ib.chats if c["unreadMessagesCount"] > 0)
    fid = chat["withUser"]["id"]
    before = max(m["id"] for m in all_messages(ib))
    sent = creator_message(ib, fid, "you & me <3\nsoon")
    assert sent["text"] == "<p>you &amp; me &lt;3<br>soon</p>"
    assert sent["id"] > before and set(sent) == MESSAGE_FIELDS
    assert sent["fromUser"]["id"] == ib.creator["id"]
    assert "wsAuthToken" not in sent["fromUser"] and "username" in sent["fromUser"]
    assert sent["isFree"] and sent["canPurchaseReason"] == "free" and sent["cancelSeconds"] > 0
    assert chat["unreadMessagesCount"] == 0 and not chat["hasUnreadTips"]
    assert chat["lastReadMessageId"] == sent["id"] and ib.chats[0] is chat
    assert not any(m["isNew"] for m in ib.messages[fid])
    assert creator_message(ib, fid, "<p>already html</p>")["text"] == "<p>already html</p>"


def test_creator_ppv_then_purchase() -> None:
    ib = fresh()
    fid = ib.chats[3]["withUser"]["id"]
    vault_id = next(x["id"] for m in all_messages(ib) for x in m["media"])
    ppv = creator_message(ib, fid, "just for you", price=12.5, media_ids=[vault_id, 555])
    assert not ppv["isFree"] and ppv["price"] == 12.5 and ppv["mediaCount"] == 2
    assert ppv["canPurchase"] and not ppv["isOpened"]
    assert all(not x["canView"] and x["files"]["full"]["url"] is None for x in ppv["media"])
    assert all("Signature=" in u for u in urls(ppv["media"]))
    at = datetime(2024, 6, 2, tzinfo=UTC)
    bought = mark_purchased(ib, fid, ppv["id"], at=at)
    assert not bought["canPurchase"] and bought["isOpened"]
    assert bought["canPurchaseReason"] == "opened"
    assert bought["changedAt"] == "2024-06-02T00:00:00+00:00"
    assert all(x["canView"] and "Policy=" in x["files"]["full"]["url"] for x in bought["media"])
    assert ib.messages[fid][-1]["canPurchase"] is False
    with pytest.raises(ValueError):
        mark_purchased(ib, fid, creator_message(ib, fid, "free")["id"])


def test_returned_messages_are_independent_copies() -> None:
    ib = fresh()
    fid = next(iter(ib.fans))
    msg = creator_message(ib, fid, "hi", price=5, media_ids=[123])
    msg["media"][0]["files"]["preview"]["url"] = "redacted"
    assert ib.messages[fid][-1]["media"][0]["files"]["preview"]["url"] != "redacted"


def test_hand_built_inbox_gets_fresh_ids() -> None:
    src = fresh()
    ib = Inbox(src.creator, src.fans, src.chats, src.messages)
    before = max(m["id"] for m in all_messages(ib))
    fid = next(iter(ib.fans))
    assert fan_message(ib, fid)["id"] > before


def test_iter_messages(inbox: Inbox) -> None:
    items = list(iter_messages(inbox))
    assert len(items) == sum(len(v) for v in inbox.messages.values())
    assert len({m["id"] for m in items}) == len(items)
    for m in items:
        assert m["chatId"] in inbox.fans
        assert m["fromUser"]["id"] in (m["chatId"], inbox.creator["id"])
    assert all("chatId" not in m for m in all_messages(inbox))


def test_ws_frames() -> None:
    assert ws_frame_counters(3, 2, 1) == {
        "chat_messages": 3,
        "count_priority_chat": 2,
        "unread_tips": 1,
    }
    assert ws_frame_chat_message({"id": 1}) == {"api2_chat_message": {"id": 1}}
