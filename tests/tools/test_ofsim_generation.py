"""Tests of tools.ofsim generation: determinism, argument checks, scale."""

from __future__ import annotations

import gc
import random
import time

import pytest

from tests.tools.ofsim_inboxes import (
    as_json,
)
from tools.ofsim import (
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
