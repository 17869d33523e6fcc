"""msgspec Structs for the raw OnlyFans JSON the Agent forwards, and their decoders.

Hot path, so msgspec, not pydantic: `contracts.models.ingest` holds the pydantic models of the
same payloads for the wire edge and schema export; these Structs mirror only what normalization
reads, and a test keeps the payload field names in step with the pydantic ones.

Tolerance (OnlyFans shapes drift, see /work/shared/of-traffic.md): unknown fields are ignored,
optional fields may be missing or null, and decoding is lax (`strict=False`), so an `id` may be
an int or a digit string, a `price` an int, a float or a numeric string. Both `isOpened` and
`isOpen` are read. `fromUser`/`withUser` may be a stub `{id, _view}` or a full user.

Frames are decoded in two steps: the envelope with each record kept as `msgspec.Raw`, then each
record on its own, so one bad record is reported without failing the frame. `gc=False` is safe
on every Struct here: decoded JSON cannot form reference cycles.
"""

from typing import Annotated

import msgspec

OnlyFansId = Annotated[int, msgspec.Meta(gt=0)]
RawTimestamp = str | int | float

_NULL = b"null"


class UserRaw(msgspec.Struct, gc=False):
    """A user: stub `{id, _view: "m"}` with `skip_users=all`, else the full object."""

    id: OnlyFansId
    name: str | None = None
    username: str | None = None
    avatar: str | None = None


class MediaRaw(msgspec.Struct, gc=False):
    """A media item; only its kind (`photo`, `video`, `gif`, `audio`) is used here."""

    type: str | None = None


class MessageRaw(msgspec.Struct, gc=False, rename="camel"):
    """An OnlyFans message object (plus `chatId`, which the Agent adds in snapshots)."""

    id: OnlyFansId
    from_user: UserRaw | None = None
    chat_id: OnlyFansId | None = None
    text: str | None = None
    price: float | None = None
    is_free: bool | None = None
    is_tip: bool | None = None
    media_count: int | None = None
    media: list[MediaRaw] | None = None
    is_opened: bool | None = None
    is_open: bool | None = None
    can_purchase: bool | None = None
    is_from_queue: bool | None = None
    created_at: RawTimestamp | None = None
    changed_at: RawTimestamp | None = None
    # Deletion/unsend markers: not seen in any source yet; read when present.
    is_deleted: bool | None = None
    deleted_at: RawTimestamp | None = None


class ChatRaw(msgspec.Struct, gc=False, rename="camel"):
    """A chat-list item. `lastMessage` stays raw: a bad one must not sink the chat."""

    with_user: UserRaw
    last_message: msgspec.Raw = msgspec.Raw(_NULL)
    unread_messages_count: int | None = None
    last_read_message_id: int | None = None
    has_purchased_feed: bool | None = None
    count_pinned_messages: int | None = None
    has_unread_tips: bool | None = None
    can_send_message: bool | None = None
    is_muted_notifications: bool | None = None

    def has_last_message(self) -> bool:
        """Whether `lastMessage` is present and not null."""
        raw = self.last_message  # spans exactly the JSON value, so `null` is 4 bytes
        size = len(raw)
        return size > 0 and (size != len(_NULL) or bytes(raw) != _NULL)


class CacheUpdateRaw(msgspec.Struct, gc=False, rename={"install_id": "installId"}):
    """A `cache_update` payload (one part of a snapshot); records are decoded later."""

    snapshot_id: str
    part: int
    parts: int
    chats: list[msgspec.Raw] = []
    messages: list[msgspec.Raw] = []
    install_id: str | None = None  # read by the gateway (the resume handshake), not here


class NewRawMessageRaw(msgspec.Struct, gc=False, rename={"chat_id": "chatId"}):
    """A `new_raw_message` payload; `message` is decoded by `normalize_delta`."""

    source: str
    message: msgspec.Raw
    chat_id: int | None = None


message_decoder = msgspec.json.Decoder(MessageRaw, strict=False)
chat_decoder = msgspec.json.Decoder(ChatRaw, strict=False)
_cache_update_decoder = msgspec.json.Decoder(CacheUpdateRaw, strict=False)
_new_raw_message_decoder = msgspec.json.Decoder(NewRawMessageRaw, strict=False)


def decode_cache_update(payload: bytes) -> CacheUpdateRaw:
    """`cache_update` payload bytes → envelope with each chat and message left as raw JSON.

    Raises `msgspec.ValidationError` (bad envelope) or `msgspec.DecodeError` (not JSON, or
    nested too deep).
    """
    try:
        return _cache_update_decoder.decode(payload)
    except RecursionError:
        raise msgspec.DecodeError("JSON is nested too deeply") from None


def decode_new_raw_message(payload: bytes) -> NewRawMessageRaw:
    """`new_raw_message` payload bytes → envelope with the message left as raw JSON.

    Raises `msgspec.ValidationError` / `msgspec.DecodeError` on a bad envelope, as above.
    """
    try:
        return _new_raw_message_decoder.decode(payload)
    except RecursionError:
        raise msgspec.DecodeError("JSON is nested too deeply") from None


class _CacheUpdateFrame(msgspec.Struct, gc=False):
    payload: CacheUpdateRaw


class _NewRawMessageFrame(msgspec.Struct, gc=False):
    payload: NewRawMessageRaw


_cache_update_frame_decoder = msgspec.json.Decoder(_CacheUpdateFrame, strict=False)
_new_raw_message_frame_decoder = msgspec.json.Decoder(_NewRawMessageFrame, strict=False)


def decode_cache_update_frame(frame: bytes) -> CacheUpdateRaw:
    """A whole `cache_update` envelope (as stored in `AGENT_IN`) → its payload."""
    return _cache_update_frame_decoder.decode(frame).payload


def decode_new_raw_message_frame(frame: bytes) -> NewRawMessageRaw:
    """A whole `new_raw_message` envelope (as stored in `AGENT_IN`) → its payload."""
    return _new_raw_message_frame_decoder.decode(frame).payload
