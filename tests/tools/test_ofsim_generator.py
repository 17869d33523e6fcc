"""Tests of tools.ofsim: shapes, determinism, conversation realism, live updates."""

from __future__ import annotations

import base64
import gc
import json
import random
import re
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest

from tools.ofsim import (
    DEFAULT_END,
    Inbox,
    creator_message,
    fan_message,
    generate_inbox,
    html_to_text,
    iter_messages,
    mark_purchased,
    texts,
    topic_of,
    ws_frame_chat_message,
    ws_frame_counters,
)

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


@pytest.fixture(scope="module")
def inbox() -> Inbox:
    return generate_inbox(n_chats=150, seed=1)


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


# -- determinism -------------------------------------------------------------------


def test_same_seed_same_inbox() -> None:
    a, b = generate_inbox(n_chats=40, seed=7), generate_inbox(n_chats=40, seed=7)
    assert a == b
    assert as_json(a) == as_json(b)


def test_other_seed_other_inbox() -> None:
    assert as_json(generate_inbox(n_chats=10, seed=1)) != as_json(
        generate_inbox(n_chats=10, seed=2)
    )


def test_global_random_and_gc_untouched() -> None:
    random.seed(1234)
    expected = random.random()
    random.seed(1234)
    generate_inbox(n_chats=5)
    assert random.random() == expected
    assert gc.isenabled()
    gc.disable()
    try:
        generate_inbox(n_chats=2)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_arguments_are_validated() -> None:
    with pytest.raises(ValueError):
        generate_inbox(messages_per_chat=(10, 5))
    with pytest.raises(ValueError):
        generate_inbox(days=0)


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


# -- conversation realism ----------------------------------------------------------


def test_turns_alternate_with_realistic_delays(inbox: Inbox) -> None:
    replies = []  # seconds from a fan line to the creator's next line
    both_ways = 0
    for msgs in inbox.messages.values():
        dirs = [by_creator(inbox, m) for m in msgs]
        switches = sum(a != b for a, b in pairwise(dirs))
        both_ways += switches >= 2
        for prev, cur in pairwise(msgs):
            if not by_creator(inbox, prev) and by_creator(inbox, cur) and not cur["isFromQueue"]:
                replies.append(epoch(cur["createdAt"]) - epoch(prev["createdAt"]))
    assert both_ways > 0.7 * len(inbox.messages)
    assert 60 < statistics.median(replies) < 3 * 3600
    assert min(replies) < 5 * 60
    assert any(r > 2 * 3600 for r in replies)


def test_some_chats_end_unanswered(inbox: Inbox) -> None:
    unanswered = [c for c in inbox.chats if not by_creator(inbox, c["lastMessage"])]
    assert len(unanswered) >= 10
    assert any(c["unreadMessagesCount"] > 0 for c in unanswered)
    assert all(c["unreadMessagesCount"] == 0 for c in inbox.chats if c not in unanswered)


def test_all_fan_topics_present(inbox: Inbox) -> None:
    fan_topics = Counter(
        topic_of(m) for m in all_messages(inbox) if not by_creator(inbox, m) and m["text"]
    )
    assert set(fan_topics) >= FAN_TOPICS
    creator_topics = {topic_of(m) for m in all_messages(inbox) if by_creator(inbox, m)}
    assert creator_topics >= {"greeting", "thanks", "teaser", "ppv_offer", "custom_quote"}
    assert None not in creator_topics


def test_phrase_banks_are_unambiguous_and_pg13() -> None:
    assert texts.duplicate_phrases() == []
    banned = {"nude", "naked", "sex", "porn", "explicit"}
    for banks in (texts.FAN_BANKS, texts.CREATOR_BANKS):
        for phrases in banks.values():
            for phrase in phrases:
                assert not set(re.findall(r"[a-z]+", phrase.lower())) & banned, phrase


def test_html_text(inbox: Inbox) -> None:
    msgs = all_messages(inbox)
    for m in msgs:
        text = m["text"]
        if not text:
            continue
        assert text.startswith("<p>") and text.endswith("</p>")
        body = text[3:-4].replace("<br>", "")
        assert "<" not in body and ">" not in body
        assert body.count("&") == len(ENTITY_RE.findall(body))
    joined = "".join(m["text"] for m in msgs)
    assert "&amp;" in joined and "&lt;" in joined and "<br>" in joined
    assert any(e in joined for e in texts.FAN_EMOJI + texts.CREATOR_EMOJI)
    assert html_to_text("<p>you &amp; me &lt;3<br>ok</p>") == "you & me <3\nok"


def test_tips(inbox: Inbox) -> None:
    tips = [m for m in all_messages(inbox) if m["isTip"]]
    assert len(tips) >= 10
    for m in tips:
        assert not by_creator(inbox, m)
        assert m["price"] > 0 and m["isFree"] and not m["canPurchase"]
        assert m["price"] in {5, 10, 20, 25, 50, 100, 200}


def test_ppv_sent_and_some_purchased(inbox: Inbox) -> None:
    ppvs = [m for m in all_messages(inbox) if is_ppv(m)]
    bought = [m for m in ppvs if not m["canPurchase"]]
    pending = [m for m in ppvs if m["canPurchase"]]
    assert len(bought) >= 10 and len(pending) >= 10
    for m in ppvs:
        assert by_creator(inbox, m)
        assert not m["isFree"] and m["mediaCount"] > 0
    for m in bought:
        assert m["isOpened"] and m["canPurchaseReason"] == "opened"
        assert m["changedAt"] > m["createdAt"]
        assert all(x["canView"] and x["files"]["full"]["url"] for x in m["media"])
    for m in pending:
        assert not m["isOpened"] and m["canPurchaseReason"] == ""
        for x in m["media"]:
            assert x["canView"] == (x["id"] in m["previews"])
            if not x["canView"]:
                assert x["files"]["full"]["url"] is None and x["src"] is None
    for m in all_messages(inbox):
        if not is_ppv(m):
            assert not m["canPurchase"] and m["canPurchaseReason"] == "free"


def test_mass_messages_share_queue_ids(inbox: Inbox) -> None:
    queued = [m for m in all_messages(inbox) if m["isFromQueue"]]
    assert queued and all(by_creator(inbox, m) for m in queued)
    texts_by_queue: dict[int, set[str]] = {}
    for m in queued:
        texts_by_queue.setdefault(m["queueId"], set()).add(m["text"])
    assert all(len(t) == 1 for t in texts_by_queue.values())
    assert max(Counter(m["queueId"] for m in queued).values()) > 1


def test_big_spenders_spend_more() -> None:
    ib = generate_inbox(n_chats=400, messages_per_chat=(10, 40), seed=9)
    spend: dict[int, float] = {}
    for fid, msgs in ib.messages.items():
        tips = sum(m["price"] for m in msgs if m["isTip"])
        bought = sum(m["price"] for m in msgs if is_ppv(m) and not m["canPurchase"])
        spend[fid] = tips + bought
    by_tier: dict[str, list[float]] = {}
    for fid, tier in ib.tiers.items():
        by_tier.setdefault(tier, []).append(spend[fid])
    assert statistics.mean(by_tier["whale"]) > 3 * statistics.mean(by_tier["small"])
    whales = [fid for fid, t in ib.tiers.items() if t == "whale"]
    assert any(sum(m["isTip"] for m in ib.messages[f]) >= 2 for f in whales)
    assert sum(v == 0 for v in spend.values()) > len(spend) / 3  # most spend little


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


# -- scale -------------------------------------------------------------------------


def test_20k_messages_quickly() -> None:
    started = time.perf_counter()
    ib = generate_inbox(n_chats=500, messages_per_chat=(30, 50), seed=11)
    elapsed = time.perf_counter() - started
    total = sum(len(v) for v in ib.messages.values())
    assert 15_000 <= total <= 25_000
    assert elapsed < 10, f"{total} messages took {elapsed:.1f}s"  # ~0.3 s expected
