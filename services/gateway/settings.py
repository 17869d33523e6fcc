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
    socket_queue: int = Field(default=1000, description="Outgoing frames buffered per socket.")
    full_sync_timeout_s: float = 5.0
    query_timeout_s: float = Field(default=10.0, description="How long REST waits for graph.")
    dashboard_dir: Path | None = Field(
        default=None, description="Built dashboard to serve at `/` (default: bridge-ui/dist)."
    )
