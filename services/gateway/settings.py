"""Gateway settings (`OFCA_*` environment variables)."""

from pathlib import Path

from pydantic import Field

from contracts.runtime.settings import ServiceSettings
from contracts.streams import MIB


class GatewaySettings(ServiceSettings):
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    max_frame_bytes: int = Field(
        default=4 * MIB,
        description="Frames above this get a `frame_too_large` system_error; the socket stays.",
    )
    hard_frame_bytes: int = Field(
        default=16 * MIB,
        description="Frames above this are refused by the WebSocket layer (close 1009).",
    )
    max_delta_bytes: int = Field(
        default=256 * 1024,
        description="Largest `new_raw_message` (one message object: a few KB in real traffic) "
        "and `command_result`; `chat_update` and `capture_state` may be 4x this. Larger ones "
        "get `frame_too_large`.",
    )
    bytes_per_second: float = Field(
        default=128 * MIB,
        description="Bytes per second one token may send over its sockets on this gateway "
        "(beyond the burst: `rate_limited`). 0: no limit.",
    )
    byte_burst: int = Field(default=1024 * MIB, description="Bytes a token may send at once.")
    socket_queue: int = Field(default=1000, description="Outgoing frames buffered per socket.")
    frames_per_second: float = Field(
        default=200,
        description="Frames per second one token may send over its sockets on this gateway; "
        "beyond it (and the burst) a frame gets `rate_limited`. 0: no limit.",
    )
    frame_burst: int = Field(
        default=400,
        description="Frames a token may send at once before the per-second rate applies. A "
        "token that sends this many more while rate-limited is flooding: closed with 1013.",
    )
    sockets_per_token: int = Field(
        default=5,
        description="Sockets one token may hold open on this gateway; the next handshake is "
        "refused (HTTP 403). 0: no limit.",
    )
    rest_per_second: float = Field(
        default=20,
        description="REST requests per second one token may make on this gateway (beyond "
        "the burst: 429 with Retry-After). 0: no limit.",
    )
    rest_burst: int = Field(default=60, description="REST requests a token may make at once.")
    max_body_bytes: int = Field(
        default=MIB,
        description="Largest REST request body; a larger one is refused with 413 before it "
        "is read.",
    )
    full_sync_timeout_s: float = 5.0
    query_timeout_s: float = Field(default=10.0, description="How long REST waits for graph.")
    dashboard_dir: Path | None = Field(
        default=None, description="Built dashboard to serve at `/` (default: bridge-ui/dist)."
    )
