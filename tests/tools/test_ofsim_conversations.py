"""Tests of tools.ofsim conversation realism: turns, topics, tips, PPV, spend."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from itertools import pairwise

from tests.tools.ofsim_inboxes import (
    ENTITY_RE,
    FAN_TOPICS,
    all_messages,
    by_creator,
    epoch,
    is_ppv,
)
from tools.ofsim import (
    Inbox,
    generate_inbox,
    html_to_text,
    texts,
    topic_of,
)

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
