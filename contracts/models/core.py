"""Connection lifecycle: `connection_ack`, `system_status`, `system_error`, `keepalive`."""

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import ConfigDict, Field

from contracts.models.base import WireModel

Role = Literal["agent", "analyst"]


class ConnectionInfo(WireModel):
    """First frame on every socket: who the Brain thinks you are and the limits it enforces."""

    version: str
    connection_id: str
    role: Role
    user_ids: list[str] = Field(description="Creators this socket is bound to.")
    server_time: datetime
    keepalive_interval_s: int = 20
    max_frame_bytes: int = Field(description="Frames larger than this get `frame_too_large`.")


class BrainState(StrEnum):
    IDLE = "IDLE"
    PROCESSING_SNAPSHOT = "PROCESSING_SNAPSHOT"
    REALTIME = "REALTIME"
    DEGRADED = "DEGRADED"


class SystemStatus(WireModel):
    """What the Brain is doing for one creator, and whether that creator's Agent is online."""

    user_id: str
    state: BrainState | None = Field(
        default=None, description="Absent when the frame only reports the Agent's presence."
    )
    agent_online: bool | None = None
    detail: str | None = None
    at: datetime


class ErrorCode(StrEnum):
    INVALID_JSON = "invalid_json"
    INVALID_ENVELOPE = "invalid_envelope"
    UNKNOWN_TYPE = "unknown_type"
    INVALID_PAYLOAD = "invalid_payload"
    FRAME_TOO_LARGE = "frame_too_large"
    NOT_ALLOWED = "not_allowed"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    RECORD_REJECTED = "record_rejected"
    SNAPSHOT_ABANDONED = "snapshot_abandoned"
    INTERNAL = "internal"


class WssError(WireModel):
    """A typed, recoverable error. The socket that receives it stays open."""

    code: ErrorCode
    message: str
    ref: str | None = Field(default=None, description="The `ref` of the frame that caused it.")
    details: list[dict[str, Any]] = Field(default_factory=list)


class KeepalivePayload(WireModel):
    """Empty on purpose: the Agent sends `{}` (or `null`) every 20 s."""

    model_config = ConfigDict(extra="forbid")


class ClearLocalData(WireModel):
    """Tells the creator's Agent to delete everything it stored (IndexedDB, outbox)."""

    user_id: str
    reason: str
