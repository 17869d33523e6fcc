"""The WebSocket envelopes: `{"type": str, "payload": …}`, both ways.

`IncomingWssMessage` (Agent/Bridge → Brain) and `OutgoingWssMessage` (Brain → Agent/Bridge) are
pydantic discriminated unions on `type`. Inbound envelopes may carry an optional `ref` chosen by
the sender; the Brain echoes it in `ingest_ack` and `system_error` so an outbox can match them.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from contracts.models.capture import (
    CaptureStatePayload,
    ChatUpdatePayload,
    SyncHelloPayload,
    SyncRequest,
    SyncState,
)
from contracts.models.commands import (
    CommandCheckPayload,
    CommandResultPayload,
    CommandStatusUpdate,
    CommandVerdict,
    ReplySuggestion,
    SendCommandPayload,
    SendMessageCommand,
)
from contracts.models.core import (
    ClearLocalData,
    ConnectionInfo,
    KeepalivePayload,
    SystemStatus,
    WssError,
)
from contracts.models.graph import ConversationNode
from contracts.models.ingest import CacheUpdatePayload, IngestAck, NewRawMessagePayload
from contracts.models.insights import AnalyticsUpdate, FullSyncResponse

Ref = Annotated[str | None, Field(default=None, max_length=128)]


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- inbound ---------------------------------------------------------------------------------
class CacheUpdateMessage(_Envelope):
    type: Literal["cache_update"]
    payload: CacheUpdatePayload
    ref: Ref = None


class NewRawMessageMessage(_Envelope):
    type: Literal["new_raw_message"]
    payload: NewRawMessagePayload
    ref: Ref = None


class KeepaliveMessage(_Envelope):
    type: Literal["keepalive"]
    payload: KeepalivePayload | None = None
    ref: Ref = None


class CommandResultMessage(_Envelope):
    type: Literal["command_result"]
    payload: CommandResultPayload
    ref: Ref = None


class CommandCheckMessage(_Envelope):
    """Agent → Brain, before it executes a command: answered by `command_verdict`."""

    type: Literal["command_check"]
    payload: CommandCheckPayload
    ref: Ref = None


class SyncHelloMessage(_Envelope):
    """Agent → Brain, first after `connection_ack`; answered by `sync_state`."""

    type: Literal["sync_hello"]
    payload: SyncHelloPayload
    ref: Ref = None


class ChatUpdateMessage(_Envelope):
    """Agent → Brain: changed chat-list items (fan names, unread counters, read state)."""

    type: Literal["chat_update"]
    payload: ChatUpdatePayload
    ref: Ref = None


class CaptureStateMessage(_Envelope):
    """Agent → Brain: what the capture covers (chat list, each chat's history, backfill)."""

    type: Literal["capture_state"]
    payload: CaptureStatePayload
    ref: Ref = None


class SendCommandMessage(_Envelope):
    """Bridge → Brain: an analyst approves a draft (as is or edited) or writes a message.

    Same meaning as `POST /api/v1/users/{id}/commands`; answered with an `ingest_ack` once the
    request is stored, then `command_status` frames as the command moves on.
    """

    type: Literal["send_command"]
    payload: SendCommandPayload
    ref: Ref = None


IncomingWssMessage = Annotated[
    CacheUpdateMessage
    | NewRawMessageMessage
    | KeepaliveMessage
    | CommandResultMessage
    | SyncHelloMessage
    | ChatUpdateMessage
    | CaptureStateMessage
    | SendCommandMessage
    | CommandCheckMessage,
    Field(discriminator="type"),
]


# --- outbound --------------------------------------------------------------------------------
class ConnectionAckMessage(_Envelope):
    type: Literal["connection_ack"] = "connection_ack"
    payload: ConnectionInfo


class SystemStatusMessage(_Envelope):
    type: Literal["system_status"] = "system_status"
    payload: SystemStatus


class SystemErrorMessage(_Envelope):
    type: Literal["system_error"] = "system_error"
    payload: WssError


class FullSyncResponseMessage(_Envelope):
    type: Literal["full_sync_response"] = "full_sync_response"
    payload: FullSyncResponse


class AppendMessageMessage(_Envelope):
    type: Literal["append_message"] = "append_message"
    payload: ConversationNode


class AnalyticsUpdateMessage(_Envelope):
    type: Literal["analytics_update"] = "analytics_update"
    payload: AnalyticsUpdate


class CommandToExecuteMessage(_Envelope):
    type: Literal["command_to_execute"] = "command_to_execute"
    payload: SendMessageCommand


class CommandVerdictMessage(_Envelope):
    """Brain → Agent, the answer to `command_check`: execute only when `executable`."""

    type: Literal["command_verdict"] = "command_verdict"
    payload: CommandVerdict


class IngestAckMessage(_Envelope):
    type: Literal["ingest_ack"] = "ingest_ack"
    payload: IngestAck


class ClearLocalDataMessage(_Envelope):
    type: Literal["clear_local_data"] = "clear_local_data"
    payload: ClearLocalData


class SyncStateMessage(_Envelope):
    type: Literal["sync_state"] = "sync_state"
    payload: SyncState


class SyncRequestMessage(_Envelope):
    type: Literal["sync_request"] = "sync_request"
    payload: SyncRequest


class ReplySuggestionMessage(_Envelope):
    type: Literal["reply_suggestion"] = "reply_suggestion"
    payload: ReplySuggestion


class CommandStatusMessage(_Envelope):
    type: Literal["command_status"] = "command_status"
    payload: CommandStatusUpdate


OutgoingWssMessage = Annotated[
    ConnectionAckMessage
    | SystemStatusMessage
    | SystemErrorMessage
    | FullSyncResponseMessage
    | AppendMessageMessage
    | AnalyticsUpdateMessage
    | CommandToExecuteMessage
    | IngestAckMessage
    | ClearLocalDataMessage
    | ReplySuggestionMessage
    | CommandStatusMessage
    | SyncStateMessage
    | SyncRequestMessage
    | CommandVerdictMessage,
    Field(discriminator="type"),
]

INCOMING: TypeAdapter[
    CacheUpdateMessage
    | NewRawMessageMessage
    | KeepaliveMessage
    | CommandResultMessage
    | SyncHelloMessage
    | ChatUpdateMessage
    | CaptureStateMessage
    | SendCommandMessage
    | CommandCheckMessage
] = TypeAdapter(IncomingWssMessage)
OUTGOING: TypeAdapter[
    ConnectionAckMessage
    | SystemStatusMessage
    | SystemErrorMessage
    | FullSyncResponseMessage
    | AppendMessageMessage
    | AnalyticsUpdateMessage
    | CommandToExecuteMessage
    | IngestAckMessage
    | ClearLocalDataMessage
    | ReplySuggestionMessage
    | CommandStatusMessage
    | SyncStateMessage
    | SyncRequestMessage
    | CommandVerdictMessage
] = TypeAdapter(OutgoingWssMessage)

INCOMING_TYPES: frozenset[str] = frozenset(
    [
        "cache_update",
        "new_raw_message",
        "keepalive",
        "command_result",
        "sync_hello",
        "chat_update",
        "capture_state",
        "send_command",
        "command_check",
    ]
)
