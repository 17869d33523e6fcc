"""Snapshot assembly progress, kept in KV so a restarted ingest resumes a snapshot mid-way.

Key `<user>.<digest of snapshot_id>` holds one snapshot's progress; key `<user>.open` names the
snapshot whose remaining parts the creator's deltas are waiting for.
"""

import contextlib
import hashlib
from dataclasses import dataclass, field
from typing import Literal, Protocol

import msgspec
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from contracts.runtime.nats import retried

State = Literal["open", "complete", "abandoned"]


class SnapshotProgress(msgspec.Struct):
    snapshot_id: str
    parts: int
    done: list[int] = []
    part_records: dict[int, tuple[int, int]] = {}
    chats: int = 0
    messages: int = 0
    rejected: int = 0
    state: State = "open"
    updated_at: float = 0.0
    # Keys (see `SeenEvents`) of events published from chats' `lastMessage`: a lane resuming
    # after a restart seeds its filter with them, or the same messages in later parts would be
    # published a second time.
    last_message_keys: list[int] = []

    def offsets(self, part: int) -> tuple[int, int]:
        """(chats, messages) in the parts before `part` that were seen."""
        earlier = [size for p, size in self.part_records.items() if p < part]
        return sum(c for c, _ in earlier), sum(m for _, m in earlier)


class ProgressStore(Protocol):
    async def load(self, user_id: str, snapshot_id: str) -> SnapshotProgress | None: ...
    async def save(self, user_id: str, progress: SnapshotProgress) -> None: ...
    async def open_snapshot(self, user_id: str) -> str | None: ...
    async def set_open(self, user_id: str, snapshot_id: str | None) -> None: ...


def _key(user_id: str, snapshot_id: str) -> str:
    return f"{user_id}.{hashlib.blake2b(snapshot_id.encode(), digest_size=12).hexdigest()}"


_encode = msgspec.json.encode
_decode = msgspec.json.Decoder(SnapshotProgress).decode


class KvProgressStore:
    """Progress in KV; every call waits out a NATS reconnect (each is safe to repeat)."""

    def __init__(self, kv: KeyValue) -> None:
        self.kv = kv

    async def _get(self, key: str) -> bytes | None:
        async def get() -> bytes | None:
            try:
                return (await self.kv.get(key)).value or None
            except KeyNotFoundError:
                return None

        return await retried(get, "progress_get")

    async def load(self, user_id: str, snapshot_id: str) -> SnapshotProgress | None:
        value = await self._get(_key(user_id, snapshot_id))
        return _decode(value) if value else None

    async def save(self, user_id: str, progress: SnapshotProgress) -> None:
        key, blob = _key(user_id, progress.snapshot_id), _encode(progress)
        await retried(lambda: self.kv.put(key, blob), "progress_put")

    async def open_snapshot(self, user_id: str) -> str | None:
        value = await self._get(f"{user_id}.open")
        return value.decode() if value else None

    async def set_open(self, user_id: str, snapshot_id: str | None) -> None:
        key = f"{user_id}.open"
        if snapshot_id is not None:
            await retried(lambda: self.kv.put(key, snapshot_id.encode()), "progress_put")
            return

        async def delete() -> None:
            with contextlib.suppress(KeyNotFoundError):
                await self.kv.delete(key)

        await retried(delete, "progress_delete")


@dataclass
class MemoryProgressStore:
    """In-process store for unit and property tests."""

    rows: dict[str, bytes] = field(default_factory=dict)

    async def load(self, user_id: str, snapshot_id: str) -> SnapshotProgress | None:
        row = self.rows.get(_key(user_id, snapshot_id))
        return _decode(row) if row else None

    async def save(self, user_id: str, progress: SnapshotProgress) -> None:
        self.rows[_key(user_id, progress.snapshot_id)] = _encode(progress)

    async def open_snapshot(self, user_id: str) -> str | None:
        row = self.rows.get(f"{user_id}.open")
        return row.decode() if row else None

    async def set_open(self, user_id: str, snapshot_id: str | None) -> None:
        if snapshot_id is None:
            self.rows.pop(f"{user_id}.open", None)
        else:
            self.rows[f"{user_id}.open"] = snapshot_id.encode()
