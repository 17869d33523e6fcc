"""The graph service's state for the partitions it owns, and its snapshots.

A partition's snapshot is every creator state in it plus the `EVENTS` sequence it reflects,
msgpack-encoded into the `graph_snapshots` object store. A restart loads it and replays only
what came after; since every fold is idempotent, replaying a little too much is harmless.
"""

import gc
from dataclasses import dataclass, field

import msgspec
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from nats.js.object_store import ObjectStore

from contracts import subjects
from contracts.events import CreatorDeleted, Event
from contracts.runtime.objects import read_object
from contracts.streams import PARTITIONS
from services.graph.state import CreatorState


class PartitionSnapshot(msgspec.Struct):
    partition: int
    seq: int
    states: list[CreatorState]


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(PartitionSnapshot)


@dataclass
class Partition:
    number: int
    seq: int = 0
    states: dict[str, CreatorState] = field(default_factory=dict)
    snapshot_seq: int = 0  # seq of the last snapshot written

    def state(self, user_id: str) -> CreatorState:
        state = self.states.get(user_id)
        if state is None:
            creator_id = int(user_id) if user_id.isdigit() else 0
            state = self.states[user_id] = CreatorState(creator_id)
        return state

    def apply(self, user_id: str, events: list[Event], seq: int) -> set[int]:
        """Fold a batch of `user_id`'s events stored at `seq`; returns the chats that changed."""
        changed: set[int] = set()
        if seq <= self.seq:
            return changed  # already in the state (a snapshot newer than this message)
        self.seq = seq
        if any(isinstance(e, CreatorDeleted) for e in events):
            self.states.pop(user_id, None)
            return changed
        state = self.state(user_id)
        for event in events:
            changed |= state.apply(event)
        return changed


class Projection:
    def __init__(self, partitions: list[int]) -> None:
        self.partitions = {p: Partition(p) for p in partitions}

    def owns(self, user_id: str) -> bool:
        return subjects.partition_of(user_id, PARTITIONS) in self.partitions

    def partition_of(self, user_id: str) -> Partition:
        return self.partitions[subjects.partition_of(user_id, PARTITIONS)]

    def state(self, user_id: str) -> CreatorState | None:
        if not self.owns(user_id):
            return None
        return self.partition_of(user_id).states.get(user_id)

    def drop(self, user_id: str) -> None:
        if self.owns(user_id):
            self.partition_of(user_id).states.pop(user_id, None)

    # -- snapshots --------------------------------------------------------------------------
    async def load(self, js: JetStreamContext, store: ObjectStore) -> None:
        for partition in self.partitions.values():
            try:
                data = await read_object(js, store, f"p{partition.number}")
            except NotFoundError:
                continue
            if not data:
                continue
            gc_was_enabled = gc.isenabled()
            gc.disable()  # a million small objects: the cyclic GC would rescan them repeatedly
            try:
                snapshot = _decoder.decode(data)
            finally:
                if gc_was_enabled:
                    gc.enable()
            partition.seq = partition.snapshot_seq = snapshot.seq
            partition.states = {str(s.creator_id): s for s in snapshot.states}

    async def save(self, store: ObjectStore, *, force: bool = False) -> int:
        """Snapshot partitions that changed since their last snapshot; returns how many."""
        saved = 0
        for partition in self.partitions.values():
            if partition.seq == partition.snapshot_seq and not force:
                continue
            seq = partition.seq
            blob = _encoder.encode(
                PartitionSnapshot(partition.number, seq, list(partition.states.values()))
            )
            await store.put(f"p{partition.number}", blob)
            partition.snapshot_seq = seq
            saved += 1
        return saved
