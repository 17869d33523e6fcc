"""`ofca up --demo`'s Agent: the snapshot it sends names every fan, as the extension's does."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, cast

import pytest

from ofca.agent_protocol import AgentClient
from ofca.demo import feed
from tools.ofsim import generate_inbox

SIGNED = ("Policy=", "Signature=", "Key-Pair-Id=")


class SnapshotTakenError(Exception):
    """Stops `feed` once the snapshot is out (what follows is live traffic)."""


class RecordingClient:
    def __init__(self) -> None:
        self.chats: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []

    async def send_snapshot(
        self, chats: Sequence[dict[str, Any]], messages: Sequence[dict[str, Any]], snapshot_id: str
    ) -> list[dict[str, Any]]:
        self.chats, self.messages = list(chats), list(messages)
        raise SnapshotTakenError


async def test_the_demo_snapshot_carries_every_fans_public_user() -> None:
    inbox = generate_inbox(300000, n_chats=25, seed=300000)
    client = RecordingClient()
    with pytest.raises(SnapshotTakenError):
        await feed(cast(AgentClient, client), inbox, 1.0, random.Random(1))
    assert len(client.chats) == 25
    for chat in client.chats:
        user = chat["withUser"]
        fan = inbox.fans[user["id"]]
        assert user["name"] == fan["name"]
        assert user["username"] == fan["username"]
        assert "avatar" in user
        assert user["_view"] == "m"  # the stub's keys stay, as the extension merges them
        assert not any(marker in str(user) for marker in SIGNED)
    assert sum(1 for c in client.chats if c["withUser"]["avatar"]) > 0
    assert len(client.messages) == sum(len(m) for m in inbox.messages.values())
    assert inbox.chats[0]["withUser"] == {"id": inbox.chats[0]["withUser"]["id"], "_view": "m"}
