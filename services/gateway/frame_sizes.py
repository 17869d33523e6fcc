"""How large each kind of frame may be: a snapshot part is megabytes, a delta is one message.

`OFCA_MAX_FRAME_BYTES` bounds every frame (snapshot parts are cut to it). The other kinds carry
one message, one command result, or up to 1,000 chat-list items or coverage entries: real ones
are kilobytes, so a frame far above that is not traffic but someone filling the store (twenty
3.9 MB `new_raw_message` frames once stored ~300 MB through AGENT_IN, EVENTS and graph
snapshots). Each kind gets a bound of its own.
"""

from contracts.models.core import ErrorCode, WssError
from services.gateway.frames import Frame
from services.gateway.settings import GatewaySettings

# Multiples of OFCA_MAX_DELTA_BYTES by frame type; a type not listed has only the frame bound.
DELTA_MULTIPLES: dict[str, int] = {
    "new_raw_message": 1,
    "command_result": 1,
    "sync_hello": 1,
    "send_command": 1,
    "chat_update": 4,
    "capture_state": 4,
}


def too_large(frame: Frame, size: int, settings: GatewaySettings) -> WssError | None:
    """A `frame_too_large` error when `frame` (of `size` bytes) exceeds its kind's bound."""
    multiple = DELTA_MULTIPLES.get(frame.type)
    if multiple is None:
        return None
    limit = multiple * settings.max_delta_bytes
    if size <= limit:
        return None
    return WssError(
        code=ErrorCode.FRAME_TOO_LARGE,
        message=f"a {frame.type} frame may be at most {limit} bytes ({size} sent)",
        ref=frame.ref,
        details=[{"size": size, "max": limit, "type": frame.type}],
    )
