"""Raw ingest frames: cache updates and new raw messages, decoded lazily."""

import msgspec
import pytest

from contracts.models.ingest import CacheUpdatePayload, NewRawMessagePayload
from services.ingest.normalize import (
    CacheUpdateRaw,
    NewRawMessageRaw,
    decode_cache_update,
    decode_new_raw_message,
    normalize_delta,
    normalize_snapshot,
)
from tests.ingest.raw_records import (
    CREATOR,
    FAN,
    chat,
    enc,
    message,
    only_added,
)

# --- frames --------------------------------------------------------------------------------


def test_cache_update_keeps_records_raw_so_one_bad_record_does_not_fail_the_frame() -> None:
    payload = (
        b'{"snapshot_id":"s1","part":0,"parts":1,"chats":[' + enc(chat()) + b',{"withUser":7}],'
        b'"messages":[' + enc(message(chatId=FAN)) + b',[1,2],"x"],"extra":true}'
    )
    frame = decode_cache_update(payload)
    assert isinstance(frame, CacheUpdateRaw)
    assert (frame.snapshot_id, frame.part, frame.parts) == ("s1", 0, 1)
    assert (len(frame.chats), len(frame.messages)) == (2, 3)
    result = normalize_snapshot(CREATOR, frame.snapshot_id, frame.chats, frame.messages)
    assert [(r.record_kind, r.position) for r in result.rejected] == [
        ("chat", 1), ("message", 1), ("message", 2),
    ]  # fmt: skip


@pytest.mark.parametrize("payload", [b"{", b'{"part":0}', b'{"snapshot_id":"s","part":0}'])
def test_bad_cache_update_envelope_raises_msgspec_error(payload: bytes) -> None:
    with pytest.raises(msgspec.DecodeError):
        decode_cache_update(payload)


def test_new_raw_message_frame_decodes_chat_id_and_defers_the_message() -> None:
    frame = decode_new_raw_message(
        b'{"chatId":"400001","source":"websocket","message":' + enc(message()) + b"}"
    )
    assert isinstance(frame, NewRawMessageRaw)
    assert (frame.chat_id, frame.source) == (FAN, "websocket")
    events = normalize_delta(CREATOR, frame.chat_id, frame.source, frame.message)
    assert only_added(events).source == "websocket"


def test_new_raw_message_without_chat_id() -> None:
    frame = decode_new_raw_message(b'{"source":"xhr","message":{"id":1}}')
    assert frame.chat_id is None


def test_payload_field_names_match_the_pydantic_wire_models() -> None:
    """The msgspec Structs mirror `contracts.models.ingest`: catch drift."""
    cache_fields = {f.encode_name for f in msgspec.structs.fields(CacheUpdateRaw)}
    raw_fields = {f.encode_name for f in msgspec.structs.fields(NewRawMessageRaw)}
    assert cache_fields == set(CacheUpdatePayload.model_fields)
    assert raw_fields == set(NewRawMessagePayload.model_fields)
