"""The resume handshake: does the Brain hold this Agent installation's last snapshot?

An Agent streams every change of its local database through its outbox, so once one of its
snapshots reached the Brain whole, the outbox alone keeps the Brain complete: a reconnect need
not send the database again. The gateway records, per creator and installation, the last
snapshot whose every part it stored (KV `agent_sync`, key `<user>.<installId>`), and answers
an Agent's `sync_hello` from that record:

- same snapshot id: `incremental` (send the outbox only);
- no record: `full` (`first_sync`, or `unknown_snapshot` when the Brain forgot it: the creator's
  data was deleted, or ingest was replayed);
- another snapshot id: `full` and `fenced`: a copy of this database (a restored or copied
  browser profile) synced since, so this one takes a new installation id.

The record is written before the last part's `ingest_ack`, so an Agent that got that receipt
can rely on it. Parts are counted per socket: an Agent sends one snapshot on one connection.
"""

import time

import msgspec
import structlog
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from contracts.models.capture import SyncHelloPayload, SyncMode, SyncReason, SyncState
from contracts.runtime.nats import retried
from contracts.streams import KV_AGENT_SYNC
from services.gateway.frames import Frame
from services.gateway.runtime import GatewayRuntime

log = structlog.get_logger()


class SyncRecord(msgspec.Struct):
    snapshot_id: str
    parts: int
    at: int  # epoch ms


_decoder = msgspec.json.Decoder(SyncRecord)


def sync_key(user_id: str, install_id: str) -> str:
    return f"{user_id}.{install_id}"


def decide(hello: SyncHelloPayload, record: SyncRecord | None) -> SyncState:
    """The answer to `hello`, given the Brain's record of that installation."""
    if record is None:
        reason = SyncReason.FIRST_SYNC if hello.snapshot_id is None else SyncReason.UNKNOWN_SNAPSHOT
        mode = SyncMode.FULL
    elif record.snapshot_id == hello.snapshot_id:
        mode, reason = SyncMode.INCREMENTAL, SyncReason.RESUME
    else:
        mode, reason = SyncMode.FULL, SyncReason.FENCED
    return SyncState(
        mode=mode,
        reason=reason,
        install_id=hello.install_id,
        snapshot_id=record.snapshot_id if record else None,
    )


class SnapshotTracker:
    """One socket's snapshot in progress: which parts the Brain stored."""

    def __init__(self) -> None:
        self.snapshot_id: str | None = None
        self.parts: set[int] = set()

    def completes(self, frame: Frame) -> bool:
        """Whether storing `frame` (a part) makes its snapshot whole for the first time."""
        assert frame.part is not None and frame.parts is not None
        parts = self.parts if frame.snapshot_id == self.snapshot_id else set()
        return len(parts) < frame.parts <= len(parts | {frame.part})

    def add(self, frame: Frame) -> None:
        if frame.snapshot_id != self.snapshot_id:
            self.snapshot_id, self.parts = frame.snapshot_id, set()
        assert frame.part is not None
        self.parts.add(frame.part)


class AgentSync:
    def __init__(self, runtime: GatewayRuntime, user_id: str) -> None:
        self.rt = runtime
        self.user_id = user_id
        self.tracker = SnapshotTracker()
        self._kv: KeyValue | None = None

    async def kv(self) -> KeyValue:
        if self._kv is None:
            self._kv = await retried(lambda: self.rt.js.key_value(KV_AGENT_SYNC), "agent_sync kv")
        return self._kv

    async def answer(self, hello: SyncHelloPayload) -> SyncState:
        """Read the installation's record (waiting out a NATS hiccup; raises if it lasts)."""
        kv = await self.kv()
        key = sync_key(self.user_id, hello.install_id)
        try:
            entry = await retried(lambda: kv.get(key), "agent_sync get")
        except KeyNotFoundError:
            entry = None
        record = _decoder.decode(entry.value) if entry is not None and entry.value else None
        state = decide(hello, record)
        log.info("agent_sync", mode=state.mode.value, reason=state.reason.value)
        return state

    async def part_stored(self, frame: Frame) -> None:
        """After a part is in `AGENT_IN`: record the snapshot once all its parts are.

        Raises (a transient NATS error) when the record cannot be written: the part's receipt
        must then not go out, so the Agent sends the part again."""
        if frame.install_id is not None and self.tracker.completes(frame):
            assert frame.snapshot_id is not None and frame.parts is not None
            record = SyncRecord(frame.snapshot_id, frame.parts, int(time.time() * 1000))
            kv = await self.kv()
            key = sync_key(self.user_id, frame.install_id)
            await retried(lambda: kv.put(key, msgspec.json.encode(record)), "agent_sync put")
            log.info("agent_snapshot_recorded", parts=frame.parts)
        self.tracker.add(frame)
