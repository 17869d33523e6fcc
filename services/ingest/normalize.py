"""Raw OnlyFans JSON (from the Agent's `cache_update` / `new_raw_message`) → domain events.

Pure: no NATS, no clock, no state. The `ingest` service decodes a frame with
`decode_cache_update` / `decode_new_raw_message`, calls `normalize_snapshot` (once all parts of a
snapshot arrived) or `normalize_delta`, and publishes each event with `event_id` as
`Nats-Msg-Id`. A malformed record becomes a `RecordRejected` (reported, never silently dropped)
and the rest goes on; these functions never raise on record content.
"""

import gc
import hashlib
from collections.abc import Sequence

import msgspec

from contracts.events import (
    Event,
    RecordKind,
    RecordRejected,
    SnapshotReplaced,
    Source,
    make_event_id,
)
from services.ingest.onlyfans_types import (
    CacheUpdateRaw,
    ChatRaw,
    NewRawMessageRaw,
    chat_decoder,
    decode_cache_update,
    decode_new_raw_message,
    message_decoder,
)
from services.ingest.records import (
    RecordError,
    chat_seen,
    fan_profile,
    message_events,
    message_read,
)

__all__ = [
    "CacheUpdateRaw",
    "NewRawMessageRaw",
    "SnapshotResult",
    "decode_cache_update",
    "decode_new_raw_message",
    "normalize_delta",
    "normalize_snapshot",
    "normalize_snapshot_part",
    "snapshot_completed",
]

_DELTA_SOURCES: dict[str, Source] = {"fetch": "fetch", "xhr": "xhr", "websocket": "websocket"}
_MAX_DETAIL = 200
# msgspec raises RecursionError for JSON nested deeper than it will follow.
_DECODE_ERRORS = (msgspec.DecodeError, RecursionError)

RawRecord = bytes | msgspec.Raw


class SnapshotResult(msgspec.Struct, frozen=True):
    """`events`: `SnapshotReplaced` first, then fan profiles, chats, messages in input order
    (each followed by its derived events; then chats' `lastMessage`s not among them) and read
    pointers; the same message seen twice gives its events once. `rejected`: one
    `RecordRejected` per malformed record, chats first, each in input order; publish these too.
    """

    events: list[Event]
    rejected: list[RecordRejected]
    chat_count: int = 0
    message_count: int = 0
    # Ids of the events that came from chats' `lastMessage`: the same message usually comes
    # again in a later part, so a lane resuming after a restart must know it was published.
    last_message_event_ids: list[str] = []


def normalize_snapshot(
    creator_id: int,
    snapshot_id: str,
    chats_raw: Sequence[RawRecord],
    messages_raw: Sequence[RawRecord],
) -> SnapshotResult:
    """A whole snapshot (all parts' chats and messages, in order) → its events, deterministically.

    Each chat gives `FanProfileSeen`, `ChatSeen`, `MessageRead` (when it has a read pointer) and
    its `lastMessage`; each message its `MessageAdded` and derived events. `position` in a
    rejection is the index in `chats_raw` or `messages_raw`.
    """
    # The cyclic GC rescans live containers each time enough are allocated; pausing it during
    # this bulk build is worth ~7% at 100k messages, ~35% at 1M (bench/ingest_normalize.py).
    # Nothing built here forms a cycle. Concurrent callers are safe: only the one that found
    # the GC on turns it back on.
    return _normalize(creator_id, snapshot_id, chats_raw, messages_raw, (0, 0), head=True)


def normalize_snapshot_part(
    creator_id: int,
    snapshot_id: str,
    chats_raw: Sequence[RawRecord],
    messages_raw: Sequence[RawRecord],
    offsets: tuple[int, int],
) -> SnapshotResult:
    """One part of a snapshot → its events, without the `SnapshotReplaced` head.

    The service normalizes a snapshot part by part so it never holds a whole 1M-message
    snapshot; `offsets` (chats and messages in earlier parts) keep rejection positions and ids
    snapshot-wide. The head is published once the last part is in (`snapshot_completed`).
    """
    return _normalize(creator_id, snapshot_id, chats_raw, messages_raw, offsets, head=False)


def snapshot_completed(
    creator_id: int, snapshot_id: str, chat_count: int, message_count: int
) -> SnapshotReplaced:
    """The boundary event closing a snapshot whose parts are all in."""
    key = f"{creator_id}:snapshot:{snapshot_id}:snapshot_replaced:0"
    return SnapshotReplaced(
        event_id=make_event_id(key),
        creator_id=creator_id,
        snapshot_id=snapshot_id,
        chat_count=chat_count,
        message_count=message_count,
    )


def _normalize(
    creator_id: int,
    snapshot_id: str,
    chats_raw: Sequence[RawRecord],
    messages_raw: Sequence[RawRecord],
    offsets: tuple[int, int],
    *,
    head: bool,
) -> SnapshotResult:
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        builder = _SnapshotBuilder(creator_id, snapshot_id, offsets)
        builder.add_chats(chats_raw)
        builder.add_messages(messages_raw)
        return builder.build(head=head)
    finally:
        if gc_was_enabled:
            gc.enable()


class _SnapshotBuilder:
    """Collects one snapshot's events and rejections; `build` assembles and deduplicates them.

    Messages keep their input order: sorting a million by time costs about a quarter of the
    throughput (mostly cache misses walking the reordered objects), and consumers order by
    `created_at` anyway, as deltas may arrive out of order too.
    """

    def __init__(self, creator_id: int, snapshot_id: str, offsets: tuple[int, int]) -> None:
        self.creator_id = creator_id
        self.snapshot_id = snapshot_id
        self.chat_offset, self.message_offset = offsets
        self.rejected: list[RecordRejected] = []
        self.profiles: list[Event] = []
        self.chats: list[Event] = []
        self.reads: list[Event] = []
        # Per accepted message, in input order: its id and events (MessageAdded first).
        self.message_ids: list[int] = []
        self.message_groups: list[list[Event]] = []
        # Chats' lastMessage: usually also in `messages`, so emitted after them if new.
        self.last_ids: list[int] = []
        self.last_groups: list[list[Event]] = []
        self.seen_ids: set[int] = set()
        self.repeated_ids: set[int] = set()

    def reject(self, kind: RecordKind, position: int, reason: str, detail: str = "") -> None:
        position += self.message_offset if kind == "message" else self.chat_offset
        key = f"{self.creator_id}:{self.snapshot_id}:{kind}:{position}:record_rejected:{reason}"
        self.rejected.append(
            _rejected(
                key,
                self.creator_id,
                kind=kind,
                position=position,
                reason=reason,
                snapshot_id=self.snapshot_id,
                detail=detail,
            )
        )

    def add_chats(self, chats_raw: Sequence[RawRecord]) -> None:
        creator_id = self.creator_id
        for position, raw in enumerate(chats_raw):
            try:
                chat = chat_decoder.decode(raw)
            except _DECODE_ERRORS as exc:
                self.reject("chat", position, *_decode_failure(exc))
                continue
            last_message_id = self._add_last_message(position, chat)
            self.profiles.append(fan_profile(creator_id, chat.with_user))
            self.chats.append(chat_seen(creator_id, chat, last_message_id))
            read = message_read(creator_id, chat)
            if read is not None:
                self.reads.append(read)

    def _add_last_message(self, position: int, chat: ChatRaw) -> int | None:
        if not chat.has_last_message():
            return None
        try:
            last = message_decoder.decode(chat.last_message)
            events = message_events(self.creator_id, chat.with_user.id, "snapshot", last)
        except _DECODE_ERRORS as exc:
            reason, detail = _decode_failure(exc)
            self.reject("chat", position, f"last_message.{reason}", detail)
            return None
        except RecordError as exc:
            self.reject("chat", position, f"last_message.{exc.reason}")
            return None
        self._note_id(last.id)
        self.last_ids.append(last.id)
        self.last_groups.append(events)
        return last.id

    def _note_id(self, message_id: int) -> None:
        if message_id in self.seen_ids:
            self.repeated_ids.add(message_id)
        else:
            self.seen_ids.add(message_id)

    def add_messages(self, messages_raw: Sequence[RawRecord]) -> None:
        # The loop body is the hot path of a snapshot: locals only, no helper calls.
        creator_id = self.creator_id
        ids_append = self.message_ids.append
        groups_append = self.message_groups.append
        seen, repeated = self.seen_ids, self.repeated_ids
        decode_message = message_decoder.decode
        for position, raw in enumerate(messages_raw):
            try:
                msg = decode_message(raw)
                events = message_events(creator_id, None, "snapshot", msg)
            except _DECODE_ERRORS as exc:
                self.reject("message", position, *_decode_failure(exc))
            except RecordError as exc:
                self.reject("message", position, exc.reason)
            else:
                message_id = msg.id
                if message_id in seen:
                    repeated.add(message_id)
                else:
                    seen.add(message_id)
                ids_append(message_id)
                groups_append(events)

    def build(self, *, head: bool) -> SnapshotResult:
        body: list[Event] = []
        seen: set[str] = set()
        _extend_unique(body, seen, self.profiles)
        chat_count = _extend_unique(body, seen, self.chats)
        message_count = 0
        last_event_ids: list[str] = []
        repeated = self.repeated_ids
        # Per repeated message id, the ids of its events emitted so far.
        emitted: dict[int, set[str]] = {}
        # Counted: distinct accepted records of `messages`. A chat's `lastMessage` is emitted
        # when it is not among them but not counted, so a count survives being summed over
        # parts normalized separately (where a `lastMessage` often precedes its message).
        for counted, ids, groups in (
            (True, self.message_ids, self.message_groups),
            (False, self.last_ids, self.last_groups),
        ):
            before = len(body)
            added = _extend_groups(body, ids, groups, repeated, emitted)
            if counted:
                message_count += added
            else:
                last_event_ids = [e.event_id for e in body[before:]]
        _extend_unique(body, seen, self.reads)
        if head:
            first = snapshot_completed(self.creator_id, self.snapshot_id, chat_count, message_count)
            body.insert(0, first)
        return SnapshotResult(body, self.rejected, chat_count, message_count, last_event_ids)


def normalize_delta(
    creator_id: int, chat_id: int | None, source: str, message_raw: RawRecord
) -> list[Event]:
    """One `new_raw_message` message → its events (`MessageAdded` first), or a single
    `RecordRejected` (`position` 0). `chat_id` is the payload's `chatId` (None when absent)."""
    reason: str
    detail = ""
    known_source = _DELTA_SOURCES.get(source)
    if known_source is None:
        reason = "unknown_source"
    elif chat_id is not None and chat_id <= 0:
        reason = "bad_chat_id"
    else:
        try:
            msg = message_decoder.decode(message_raw)
            return message_events(creator_id, chat_id, known_source, msg)
        except _DECODE_ERRORS as exc:
            reason, detail = _decode_failure(exc)
        except RecordError as exc:
            reason = exc.reason
    digest = hashlib.blake2b(message_raw, digest_size=16).hexdigest()
    key = f"{creator_id}:{digest}:record_rejected:{reason}"
    return [
        _rejected(
            key,
            creator_id,
            kind="delta",
            position=0,
            reason=reason,
            snapshot_id=None,
            detail=detail,
        )
    ]


def _rejected(
    key: str,
    creator_id: int,
    *,
    kind: RecordKind,
    position: int,
    reason: str,
    snapshot_id: str | None,
    detail: str,
) -> RecordRejected:
    return RecordRejected(
        event_id=make_event_id(key),
        creator_id=creator_id,
        record_kind=kind,
        position=position,
        reason=reason,
        snapshot_id=snapshot_id,
        detail=detail,
    )


def _decode_failure(exc: Exception) -> tuple[str, str]:
    """A decode error → (reason, detail). msgspec's messages name the path and the expected
    type, never the value, so they are safe to keep as detail."""
    if isinstance(exc, msgspec.ValidationError):  # a subclass of DecodeError: test it first
        return "malformed", str(exc)[:_MAX_DETAIL]
    if isinstance(exc, RecursionError):
        return "too_deep", ""
    return "invalid_json", str(exc)[:_MAX_DETAIL]


def _extend_groups(
    body: list[Event],
    ids: list[int],
    groups: list[list[Event]],
    repeated: set[int],
    emitted: dict[int, set[str]],
) -> int:
    """Append each message's event group once; return how many distinct messages were added."""
    if not repeated:
        for events in groups:
            body += events
        return len(groups)
    added = 0
    for message_id, events in zip(ids, groups, strict=True):
        if message_id not in repeated:
            body += events
            added += 1
            continue
        done = emitted.setdefault(message_id, set())
        # A group's first event is its MessageAdded: a new id is a new message.
        added += events[0].event_id not in done
        _extend_unique(body, done, events)
    return added


def _extend_unique(events: list[Event], seen: set[str], batch: Sequence[Event]) -> int:
    """Append the events of `batch` whose id is not in `seen`; return how many."""
    added = 0
    for event in batch:
        event_id = event.event_id
        if event_id not in seen:
            seen.add(event_id)
            events.append(event)
            added += 1
    return added
