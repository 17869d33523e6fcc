"""Envelope validation in contracts: what the discriminated unions accept and refuse."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from contracts.models.commands import SendMessageCommand
from contracts.models.core import ConnectionInfo
from contracts.wire import INCOMING, OUTGOING, CacheUpdateMessage, ConnectionAckMessage


def test_keepalive_accepts_empty_null_and_missing_payload() -> None:
    for raw in (
        b'{"type":"keepalive","payload":{}}',
        b'{"type":"keepalive","payload":null}',
        b'{"type":"keepalive"}',
    ):
        assert INCOMING.validate_json(raw).type == "keepalive"


def test_unknown_type_and_extra_envelope_keys_are_refused() -> None:
    with pytest.raises(ValidationError):
        INCOMING.validate_json(b'{"type":"nope","payload":{}}')
    with pytest.raises(ValidationError):
        INCOMING.validate_json(b'{"type":"keepalive","payload":{},"x":1}')


def test_cache_update_part_must_be_below_parts() -> None:
    ok = b'{"type":"cache_update","payload":{"snapshot_id":"s","part":1,"parts":2}}'
    assert isinstance(INCOMING.validate_json(ok), CacheUpdateMessage)
    with pytest.raises(ValidationError):
        INCOMING.validate_json(
            b'{"type":"cache_update","payload":{"snapshot_id":"s","part":2,"parts":2}}'
        )


def test_raw_onlyfans_fields_ride_through_unchanged() -> None:
    raw = b'{"type":"new_raw_message","payload":{"chatId":1,"source":"xhr","message":{"id":7,"weird":[1]}}}'
    msg = INCOMING.validate_json(raw)
    assert msg.payload.message == {"id": 7, "weird": [1]}  # type: ignore[union-attr]


def test_outgoing_models_serialize_camel_case() -> None:
    info = ConnectionInfo(
        version="1",
        connection_id="c",
        role="agent",
        user_ids=["1"],
        server_time=datetime(2026, 1, 1, tzinfo=UTC),
        max_frame_bytes=10,
    )
    text = ConnectionAckMessage(payload=info).model_dump_json()
    assert '"connectionId":"c"' in text and '"maxFrameBytes":10' in text
    assert OUTGOING.validate_json(text).type == "connection_ack"


def test_send_message_command_uses_pinned_names() -> None:
    cmd = SendMessageCommand.model_validate(
        {
            "commandId": "c1",
            "userId": 1,
            "chatId": 2,
            "text": "hi",
            "price": None,
            "mediaIds": [],
            "origin": "analyst",
            "createdAt": "2026-01-01T00:00:00Z",
        }
    )
    dumped = cmd.model_dump(mode="json")
    assert set(dumped) == {
        "commandId",
        "userId",
        "chatId",
        "text",
        "price",
        "mediaIds",
        "origin",
        "createdAt",
    }
