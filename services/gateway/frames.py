"""Validating inbound frames: raw bytes in, a typed frame or a `WssError` out.

Every frame is checked against `IncomingWssMessage`. Small frames go through the pydantic union
itself. `cache_update` frames can hold tens of thousands of raw OnlyFans objects, and pydantic
would materialize every one of them (TOOLCHAIN: ~34k msg/s), so they are checked by a msgspec
mirror of `CacheUpdateMessage` that validates the same shape while leaving each record as raw
bytes; a conformance test keeps the mirror and the pydantic model in agreement.
"""

from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from pydantic import ValidationError

from contracts.models.core import ErrorCode, WssError
from contracts.wire import INCOMING, INCOMING_TYPES, CacheUpdateMessage

# A Bridge only approves and sends; an Agent sends everything else it may send.
BRIDGE_TYPES = frozenset({"keepalive", "send_command"})
ALLOWED_TYPES: dict[str, frozenset[str]] = {
    "agent": (INCOMING_TYPES - BRIDGE_TYPES) | {"keepalive"},
    "analyst": BRIDGE_TYPES,
}
_MAX_DETAILS = 10


class _Head(msgspec.Struct):
    type: str
    ref: str | None = None


class _CacheUpdateHead(msgspec.Struct, rename={"install_id": "installId"}):
    snapshot_id: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    part: Annotated[int, msgspec.Meta(ge=0)]
    parts: Annotated[int, msgspec.Meta(ge=1, le=100_000)]
    chats: list[dict[str, msgspec.Raw]] = []
    messages: list[dict[str, msgspec.Raw]] = []
    install_id: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{8,64}$")] | None = None


class _CacheUpdateFrame(msgspec.Struct, forbid_unknown_fields=True):
    type: str
    payload: _CacheUpdateHead
    ref: Annotated[str, msgspec.Meta(max_length=128)] | None = None


_head_decoder = msgspec.json.Decoder(_Head)
_cache_update_decoder = msgspec.json.Decoder(_CacheUpdateFrame)


@dataclass(frozen=True)
class Frame:
    """A valid inbound frame. `model` is the pydantic envelope, except for `cache_update`."""

    type: str
    ref: str | None
    raw: bytes
    model: Any = None
    snapshot_id: str | None = None
    part: int | None = None
    parts: int | None = None
    install_id: str | None = None
    record_count: int = 0


def _error(code: ErrorCode, message: str, ref: str | None = None, **extra: Any) -> WssError:
    details = [extra] if extra else []
    return WssError(code=code, message=message, ref=ref, details=details)


def parse_frame(raw: bytes, role: str, max_bytes: int, *, utf8: bool = False) -> Frame | WssError:
    """Check one frame from a socket of `role`; never raises.

    `utf8` says the bytes are known to be UTF-8 (a text frame, decoded by the WebSocket layer);
    otherwise (a binary frame) they are checked first: msgspec raises UnicodeDecodeError on
    invalid UTF-8 in a string it decodes, and skips (so would store) it inside raw records.
    """
    if len(raw) > max_bytes:
        return _error(
            ErrorCode.FRAME_TOO_LARGE,
            f"frame of {len(raw)} bytes exceeds {max_bytes}; send snapshots in parts",
            size=len(raw),
            max=max_bytes,
        )
    if not utf8 and not _is_utf8(raw):
        return _error(ErrorCode.INVALID_JSON, "frame is not UTF-8")
    try:
        head = _head_decoder.decode(raw)
    except RecursionError:
        return _error(ErrorCode.INVALID_JSON, "frame is nested too deeply")
    except msgspec.DecodeError as exc:
        if _is_json(raw):
            return _error(ErrorCode.INVALID_ENVELOPE, f"not an envelope: {exc}")
        return _error(ErrorCode.INVALID_JSON, "frame is not valid JSON")
    ref = head.ref if isinstance(head.ref, str) and len(head.ref) <= 128 else None
    if head.type not in INCOMING_TYPES:
        return _error(ErrorCode.UNKNOWN_TYPE, f"unknown message type {head.type[:64]!r}", ref)
    if head.type not in ALLOWED_TYPES.get(role, frozenset()):
        return _error(ErrorCode.NOT_ALLOWED, f"{head.type!r} is not accepted from {role}", ref)
    if head.type == "cache_update":
        return _parse_cache_update(raw, ref)
    try:
        model = INCOMING.validate_json(raw)
    except ValidationError as exc:
        details = [
            {"loc": [str(p) for p in e["loc"]], "msg": e["msg"]}
            for e in exc.errors(include_url=False, include_input=False)[:_MAX_DETAILS]
        ]
        return WssError(
            code=ErrorCode.INVALID_PAYLOAD,
            message=f"invalid {head.type} payload",
            ref=ref,
            details=details,
        )
    return Frame(type=head.type, ref=ref, raw=raw, model=model)


def peek_ref(raw: bytes, max_bytes: int) -> str | None:
    """The `ref` of a frame that will not be parsed further (rate-limited), if it has one."""
    if len(raw) > max_bytes:
        return None
    try:
        head = _head_decoder.decode(raw)
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        return None
    return head.ref if isinstance(head.ref, str) and len(head.ref) <= 128 else None


def _parse_cache_update(raw: bytes, ref: str | None) -> Frame | WssError:
    try:
        frame = _cache_update_decoder.decode(raw)
    except RecursionError:
        return _error(ErrorCode.INVALID_PAYLOAD, "cache_update is nested too deeply", ref)
    except msgspec.ValidationError as exc:
        return _error(ErrorCode.INVALID_PAYLOAD, f"invalid cache_update payload: {exc}", ref)
    except msgspec.DecodeError as exc:  # pragma: no cover - the head decoded, so JSON is valid
        return _error(ErrorCode.INVALID_JSON, str(exc), ref)
    head = frame.payload
    if head.part >= head.parts:
        return _error(ErrorCode.INVALID_PAYLOAD, "invalid cache_update payload: part >= parts", ref)
    return Frame(
        type="cache_update",
        ref=ref,
        raw=raw,
        snapshot_id=head.snapshot_id,
        part=head.part,
        parts=head.parts,
        install_id=head.install_id,
        record_count=len(head.chats) + len(head.messages),
    )


def _is_json(raw: bytes) -> bool:
    try:
        msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        return False
    return True


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode()
    except UnicodeDecodeError:
        return False
    return True


def reference_check(raw: bytes) -> bool:
    """Whether the pydantic union itself accepts `raw` as a cache_update (for conformance)."""
    try:
        return isinstance(INCOMING.validate_json(raw), CacheUpdateMessage)
    except ValidationError:
        return False
