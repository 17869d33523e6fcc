"""`chat_update` and `capture_state` frames (as stored in `AGENT_IN`) → events.

- `chat_update`: chat-list items that changed on the page after the last snapshot. Each is
  normalized as a snapshot's chat is (fan profile, chat state, read pointer, `lastMessage`),
  with the frame's `AGENT_IN` sequence in the chat and profile events: a chat's unread counter
  can go back to an earlier value, and that return is a new fact, not a duplicate.
- `capture_state`: what the Agent's capture covers → one `CaptureProgressed` and a
  `ChatCoverageSeen` per chat it reports.

Pure like `normalize.py`: a malformed chat becomes a `RecordRejected` and the rest goes on; a
frame whose envelope cannot be read raises `msgspec.DecodeError` for the lane to report.
"""

import hashlib

import msgspec

from contracts.events import (
    CaptureProgressed,
    ChatCoverageSeen,
    Event,
    RecordRejected,
    make_event_id,
)
from services.ingest.onlyfans_types import OnlyFansId, chat_decoder, message_decoder
from services.ingest.records import (
    RecordError,
    chat_seen,
    fan_profile,
    message_events,
    message_read,
)

_DECODE_ERRORS = (msgspec.DecodeError, RecursionError)


class _ChatUpdate(msgspec.Struct, gc=False):
    chats: list[msgspec.Raw]


class _ChatUpdateFrame(msgspec.Struct, gc=False):
    payload: _ChatUpdate


class _ChatCoverage(msgspec.Struct, gc=False, rename="camel"):
    chat_id: OnlyFansId
    complete: bool
    oldest_message_id: OnlyFansId | None = None
    oldest_at: int | None = None
    messages: int = 0


class _ChatList(msgspec.Struct, gc=False, rename="camel"):
    complete: bool
    chats_known: int


class _Backfill(msgspec.Struct, gc=False, rename="camel"):
    state: str
    chats_done: int = 0
    chats_total: int = 0
    since: int | None = None
    rate_limited_until: int | None = None
    requests: int = 0
    started_at: int | None = None


class _CaptureState(msgspec.Struct, gc=False, rename="camel"):
    at: int
    chat_list: _ChatList
    backfill: _Backfill
    last_capture_at: int | None = None
    chats: list[_ChatCoverage] = []


class _CaptureStateFrame(msgspec.Struct, gc=False):
    payload: _CaptureState


_chat_update_decoder = msgspec.json.Decoder(_ChatUpdateFrame, strict=False)
_capture_state_decoder = msgspec.json.Decoder(_CaptureStateFrame, strict=False)


def normalize_chat_update(creator_id: int, frame: bytes, capture_seq: int) -> list[Event]:
    """A whole `chat_update` envelope → its events; `capture_seq` is its `AGENT_IN` sequence."""
    try:
        update = _chat_update_decoder.decode(frame).payload
    except RecursionError:
        raise msgspec.DecodeError("JSON is nested too deeply") from None
    digest = hashlib.blake2b(frame, digest_size=8).hexdigest()
    events: list[Event] = []
    for position, raw in enumerate(update.chats):
        try:
            chat = chat_decoder.decode(raw)
        except _DECODE_ERRORS as exc:
            events.append(_rejected(creator_id, digest, position, _reason(exc)))
            continue
        last_id: int | None = None
        if chat.has_last_message():
            try:
                last = message_decoder.decode(chat.last_message)
                events += message_events(creator_id, chat.with_user.id, "fetch", last)
                last_id = last.id
            except _DECODE_ERRORS as exc:
                reason = f"last_message.{_reason(exc)}"
                events.append(_rejected(creator_id, digest, position, reason))
            except RecordError as exc:
                reason = f"last_message.{exc.reason}"
                events.append(_rejected(creator_id, digest, position, reason))
        events.append(fan_profile(creator_id, chat.with_user, capture_seq))
        events.append(chat_seen(creator_id, chat, last_id, capture_seq))
        read = message_read(creator_id, chat)
        if read is not None:
            events.append(read)
    return events


def normalize_capture_state(creator_id: int, frame: bytes) -> list[Event]:
    """A whole `capture_state` envelope → `CaptureProgressed`, then one `ChatCoverageSeen` per
    reported chat."""
    try:
        state = _capture_state_decoder.decode(frame).payload
    except RecursionError:
        raise msgspec.DecodeError("JSON is nested too deeply") from None
    backfill, listed = state.backfill, state.chat_list
    key = (
        f"{creator_id}:capture:capture_progressed:{backfill.state}:"
        f"{backfill.chats_done}/{backfill.chats_total}:{listed.complete}:{listed.chats_known}:"
        f"{backfill.rate_limited_until}:{backfill.requests}"
    )
    events: list[Event] = [
        CaptureProgressed(
            state.at,
            listed.complete,
            max(0, listed.chats_known),
            backfill.state[:32],
            max(0, backfill.chats_done),
            max(0, backfill.chats_total),
            backfill.since,
            backfill.rate_limited_until,
            max(0, backfill.requests),
            backfill.started_at,
            state.last_capture_at,
            event_id=make_event_id(key),
            creator_id=creator_id,
        )
    ]
    for chat in state.chats:
        chat_key = (
            f"{creator_id}:{chat.chat_id}:chat_coverage_seen:"
            f"{chat.complete}:{chat.oldest_message_id}:{chat.messages}"
        )
        events.append(
            ChatCoverageSeen(
                chat.chat_id,
                chat.complete,
                chat.oldest_message_id,
                chat.oldest_at,
                max(0, chat.messages),
                state.at,
                event_id=make_event_id(chat_key),
                creator_id=creator_id,
            )
        )
    return events


def _reason(exc: Exception) -> str:
    if isinstance(exc, msgspec.ValidationError):
        return "malformed"
    return "too_deep" if isinstance(exc, RecursionError) else "invalid_json"


def _rejected(creator_id: int, digest: str, position: int, reason: str) -> RecordRejected:
    key = f"{creator_id}:chat_update:{digest}:chat:{position}:record_rejected:{reason}"
    return RecordRejected(
        event_id=make_event_id(key),
        creator_id=creator_id,
        record_kind="chat",
        position=position,
        reason=reason,
    )
