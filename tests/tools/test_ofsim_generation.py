"""Tests of tools.ofsim generation: determinism, argument checks, scale."""

from __future__ import annotations

import gc
import json
import random
import re
import time

import pytest

from tests.tools.ofsim_inboxes import (
    as_json,
)
from tools.ofsim import (
    CloudFront,
    generate_inbox,
)

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


# -- scale -------------------------------------------------------------------------


def test_20k_messages_quickly() -> None:
    started = time.perf_counter()
    ib = generate_inbox(n_chats=500, messages_per_chat=(30, 50), seed=11)
    elapsed = time.perf_counter() - started
    total = sum(len(v) for v in ib.messages.values())
    assert 15_000 <= total <= 25_000
    assert elapsed < 10, f"{total} messages took {elapsed:.1f}s"  # ~0.3 s expected


def test_a_total_is_shared_out_exactly_over_every_chat() -> None:
    ib = generate_inbox(n_chats=40, total_messages=1234, seed=5)
    lengths = [len(v) for v in ib.messages.values()]
    assert len(lengths) == 40
    assert sum(lengths) == 1234
    assert min(lengths) >= 10  # at least half an even share (30.85) rounded down
    assert ib == generate_inbox(n_chats=40, total_messages=1234, seed=5)


def test_a_total_needs_chats_and_cannot_be_negative() -> None:
    with pytest.raises(ValueError):
        generate_inbox(n_chats=0, total_messages=5)
    with pytest.raises(ValueError):
        generate_inbox(n_chats=3, total_messages=-1)
    assert generate_inbox(n_chats=3, total_messages=0).chats[0]["lastMessage"] is None


def test_fixed_cloudfront_values_sign_every_media_url() -> None:
    fixed = CloudFront("POLICY", "SIGNATURE", "APKAFIXEDFIXEDFIXED0")
    plain = generate_inbox(n_chats=30, seed=2)
    signed = generate_inbox(n_chats=30, seed=2, cloudfront=fixed)
    text = json.dumps(signed.messages)
    assert "Key-Pair-Id=" in text
    assert set(re.findall(r"Policy=([^&]*)&", text)) == {"POLICY"}
    assert set(re.findall(r"Signature=([^&]*)&", text)) == {"SIGNATURE"}
    assert set(re.findall(r'Key-Pair-Id=([^&"]*)', text)) == {"APKAFIXEDFIXEDFIXED0"}
    assert set(re.findall(r'"CloudFront-Policy": "([^"]*)"', text)) <= {"POLICY"}
    # Only the signatures differ: the same chats, texts and ids as without them.
    assert [m["id"] for v in plain.messages.values() for m in v] == [
        m["id"] for v in signed.messages.values() for m in v
    ]
    assert plain.fans == signed.fans


@pytest.mark.slow
def test_200k_messages_over_2000_chats() -> None:
    started = time.perf_counter()
    ib = generate_inbox(n_chats=2000, total_messages=200_000, seed=1)
    elapsed = time.perf_counter() - started
    assert sum(len(v) for v in ib.messages.values()) == 200_000
    assert len({m["id"] for v in ib.messages.values() for m in v}) == 200_000
    print(f"200,000 messages over 2,000 chats in {elapsed:.1f}s")  # ~3 s on 2 cores
