"""Tests of tools.ofsim shapes: users, chats, messages, media, ids and time."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

from tests.tools.ofsim_inboxes import (
    BOOL_FIELDS,
    CHAT_FIELDS,
    FAN_FIELDS,
    ISO_RE,
    MEDIA_FIELDS,
    MESSAGE_FIELDS,
    all_messages,
    by_creator,
    epoch,
    urls,
)
from tools.ofsim import (
    DEFAULT_END,
    Inbox,
    generate_inbox,
)

# -- shapes ------------------------------------------------------------------------


def test_creator_is_users_me(inbox: Inbox) -> None:
    me = inbox.creator
    assert me["id"] == 300000
    assert {"name", "username", "avatar", "avatarThumbs", "isVerified"} <= me.keys()
    assert me["wsUrl"] == "wss://ws2.onlyfans.com/ws3/24"
    header, payload, sig = me["wsAuthToken"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["sub"] == "300000"
    assert claims["exp"] - claims["iat"] == 86400
    assert header and sig


def test_fans_are_full_users(inbox: Inbox) -> None:
    assert len(inbox.fans) == 150
    usernames = [f["username"] for f in inbox.fans.values()]
    assert len(set(usernames)) == len(usernames)
    for fid, fan in inbox.fans.items():
        assert set(fan) == FAN_FIELDS
        assert fan["id"] == fid
        assert 100_000 <= fid <= 999_999
        assert fid != inbox.creator["id"]
        if fan["avatar"] is not None:
            assert set(fan["avatarThumbs"]) == {"c50", "c144"}
        assert fan["lastSeen"] is None or ISO_RE.match(fan["lastSeen"])
    assert set(inbox.tiers) == set(inbox.fans)


def test_chat_items(inbox: Inbox) -> None:
    assert len(inbox.chats) == 150
    last_ids = []
    for chat in inbox.chats:
        assert set(chat) == CHAT_FIELDS
        fid = chat["withUser"]["id"]
        assert chat["withUser"] == {"id": fid, "_view": "m"}
        msgs = inbox.messages[fid]
        assert chat["lastMessage"] is msgs[-1]
        last_ids.append(chat["lastMessage"]["id"])
        fan_msgs = [m for m in msgs if not by_creator(inbox, m)]
        new = [m for m in fan_msgs if m["isNew"]]
        assert chat["unreadMessagesCount"] == len(new)
        assert chat["hasUnreadTips"] == any(m["isTip"] for m in new)
        assert all(m["id"] > chat["lastReadMessageId"] for m in new)
        assert chat["lastReadMessageId"] in {0} | {m["id"] for m in msgs}
        assert chat["countPinnedMessages"] == sum(m["isPinned"] for m in msgs)
        assert chat["canNotSendReason"] is False or not chat["canSendMessage"]
    assert last_ids == sorted(last_ids, reverse=True)  # most recent first


def test_message_fields_and_types(inbox: Inbox) -> None:
    for m in all_messages(inbox):
        assert set(m) == MESSAGE_FIELDS
        assert m["responseType"] == "message"
        for key in BOOL_FIELDS:
            assert isinstance(m[key], bool), key
        assert isinstance(m["price"], int | float)
        assert m["mediaCount"] == len(m["media"])
        assert isinstance(m["canPurchaseReason"], str)
        assert m["releaseForms"] == []
        assert m["fromUser"] == {"id": m["fromUser"]["id"], "_view": "m"}
        assert ISO_RE.match(m["createdAt"])
        assert ISO_RE.match(m["changedAt"])
        assert m["changedAt"] >= m["createdAt"]
        assert m["isFromQueue"] == (m["queueId"] != 0)
        assert m["giphyId"] is None or m["text"] == ""


def test_media_items(inbox: Inbox) -> None:
    media = [x for m in all_messages(inbox) for x in m["media"]]
    assert media
    assert {x["type"] for x in media} >= {"photo", "video"}
    for x in media:
        assert set(x) >= MEDIA_FIELDS
        assert 1_000_000_000 <= x["id"] < 10_000_000_000
        assert {"full", "preview", "thumb", "squarePreview"} <= set(x["files"])
        assert set(x["videoSources"]) == {"240", "720"}
        assert x["locked"] is not x["canView"]


def test_signed_media_urls(inbox: Inbox) -> None:
    found = [u for m in all_messages(inbox) for u in urls(m["media"])]
    assert len(found) > 100
    for u in found:
        if "/dash/files/" in u:  # DRM manifests are signed by CloudFront cookies
            continue
        assert "Policy=" in u and "Signature=" in u and "Key-Pair-Id=" in u, u
    drm = [
        x["files"]["drm"] for m in all_messages(inbox) for x in m["media"] if "drm" in x["files"]
    ]
    assert drm
    for d in drm:
        for kind in ("hls", "dash"):
            assert set(d["signature"][kind]) == {
                "CloudFront-Policy",
                "CloudFront-Signature",
                "CloudFront-Key-Pair-Id",
            }


def test_json_round_trip(inbox: Inbox) -> None:
    for obj in (inbox.creator, inbox.chats, list(inbox.fans.values()), all_messages(inbox)):
        assert json.loads(json.dumps(obj)) == obj


# -- ids and time ------------------------------------------------------------------


def test_ids_unique_increasing_and_13_digits(inbox: Inbox) -> None:
    ids = [m["id"] for m in all_messages(inbox)]
    assert len(set(ids)) == len(ids)
    for msgs in inbox.messages.values():
        chat_ids = [m["id"] for m in msgs]
        assert chat_ids == sorted(chat_ids)
        assert len(set(chat_ids)) == len(chat_ids)
        for m in msgs:
            assert 10**12 <= m["id"] < 10**13 < 2**53
            assert m["id"] // 1000 == epoch(m["createdAt"])  # ids follow time


def test_message_counts_and_window() -> None:
    end = datetime(2025, 1, 10, tzinfo=UTC)
    ib = generate_inbox(n_chats=60, messages_per_chat=(3, 12), seed=4, end=end, days=7)
    lo, hi = int((end - timedelta(days=7)).timestamp()), int(end.timestamp())
    for msgs in ib.messages.values():
        assert 3 <= len(msgs) <= 12
        for m in msgs:
            assert lo <= epoch(m["createdAt"]) <= epoch(m["changedAt"]) <= hi


def test_default_end_is_fixed(inbox: Inbox) -> None:
    newest = max(epoch(m["createdAt"]) for m in all_messages(inbox))
    assert newest <= DEFAULT_END.timestamp()
