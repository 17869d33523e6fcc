"""Fixtures for the tools.ofsim tests."""

from __future__ import annotations

import pytest

from tools.ofsim import Inbox, generate_inbox


@pytest.fixture(scope="module")
def inbox() -> Inbox:
    return generate_inbox(n_chats=150, seed=1)
