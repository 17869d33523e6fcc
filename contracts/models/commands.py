"""Commands the Agent executes, and what it reports back.

Sending a message to a fan is irreversible and may cost the fan money: a `commandId` is executed
at most once, whichever path brings it and however often.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from contracts.models.base import WireModel
from contracts.models.ingest import OnlyFansId


class SendMessageCommand(WireModel):
    command_id: str = Field(min_length=1, max_length=128)
    user_id: OnlyFansId
    chat_id: OnlyFansId
    text: str = Field(max_length=10_000)
    price: float | None = Field(default=None, ge=0)
    media_ids: list[OnlyFansId] = Field(default_factory=list)
    origin: Literal["analyst", "auto"] = "analyst"
    created_at: datetime


class CommandResultPayload(WireModel):
    command_id: str = Field(min_length=1, max_length=128)
    status: Literal["sent", "failed", "rejected"]
    detail: Any = None


class CommandState(StrEnum):
    """Where a command is in its life. `sent`, `failed`, `rejected` and `expired` are final.

    requested → issued → delivered → sent | failed | rejected | expired; a request may also end
    `rejected` (rate limit, auto-send off) or `expired` (TTL passed before an Agent was online).
    """

    REQUESTED = "requested"
    ISSUED = "issued"
    DELIVERED = "delivered"
    SENT = "sent"
    FAILED = "failed"
    REJECTED = "rejected"
    EXPIRED = "expired"


FINAL_STATES: frozenset[CommandState] = frozenset(
    {CommandState.SENT, CommandState.FAILED, CommandState.REJECTED, CommandState.EXPIRED}
)


class CommandCheckPayload(WireModel):
    """Agent → Brain `command_check`: may the Agent execute this command now?

    Asked before every execution, whichever path brought the command (`via`: the socket's
    `command_to_execute` or the dashboard's `execute_agent_command`); answered with
    `command_verdict`. `installId` names the asking installation, so the Brain lets one Agent
    execute a command and refuses every other (at most once across browsers).
    """

    command_id: str = Field(min_length=1, max_length=128)
    via: Literal["socket", "bridge"] = "socket"
    install_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{8,64}$")


class CommandVerdict(WireModel):
    """Brain → Agent `command_verdict`, the answer to `command_check`.

    `executable` is true only for a command the Brain issued for this creator that is issued or
    delivered, not expired, not final and not granted to another Agent; anything else, and a
    Brain that cannot tell, is false with the `reason`. The Agent executes only on true.
    """

    command_id: str
    executable: bool
    reason: str = Field(default="", max_length=500)
    state: CommandState | None = Field(
        default=None, description="The command's state in the Brain, when it knows the command."
    )


class CommandCheck(WireModel):
    """The gateway's question on `rpc.command.check.<user>` (answered with a `CommandVerdict`).

    `holder` is who would execute: the Agent's `installId`, else its socket's connection id.
    """

    command_id: str = Field(min_length=1, max_length=128)
    via: Literal["socket", "bridge"]
    holder: str = Field(min_length=1, max_length=128)


class CommandRequest(WireModel):
    """What the gateway records on `commands.<user>.request` when someone asks for a send.

    `requested_by` is the token's subject (an analyst) or `auto` (an auto-sent draft).
    """

    command: SendMessageCommand
    requested_by: str = Field(max_length=256)
    via: Literal["rest", "bridge", "auto"]
    at: datetime
    draft_id: str | None = Field(
        default=None, max_length=128, description="The draft it approves (as is or edited)."
    )


class SendCommandPayload(WireModel):
    """The Bridge's `send_command`: a command, and the draft it approves if it does."""

    command: SendMessageCommand
    draft_id: str | None = Field(default=None, max_length=128)


class CommandEvent(WireModel):
    """One step of a command's life, recorded by `command` on `commands.<user>.lifecycle`.

    The stream of these is the audit log. Three steps are not plain states: `delivering` is
    written before a delivery is tried (a restart that finds it without an outcome counts the
    command as delivered and never tries again: at most once), `returned` records a delivery
    that found no Agent socket, after which the command is `issued` again, and `granted`
    records the Agent installation (`granted_to`) whose `command_check` was answered
    executable: the command is then `delivered` to it, and no other Agent may execute it.
    """

    command_id: str
    user_id: str
    chat_id: str
    seq: int = Field(ge=1, description="The step's number in this command's life (1: requested).")
    state: CommandState
    step: Literal["state", "delivering", "returned", "granted"] = "state"
    at: datetime
    actor: str = Field(description="Who or what caused the step: an analyst, auto, agent, command.")
    detail: str = ""
    expires_at: datetime | None = None
    granted_to: str | None = Field(
        default=None, description="`granted`: the Agent installation allowed to execute it."
    )


class CommandAccepted(WireModel):
    """The answer to `POST /api/v1/users/{id}/commands` (202)."""

    command_id: str
    duplicate: bool = Field(description="This commandId was already requested: nothing new.")
    stream_seq: int


class CommandStatusUpdate(WireModel):
    """Pushed to the creator's Bridges (`command_status`) on every step of a command."""

    command_id: str
    chat_id: str
    state: CommandState
    at: datetime
    detail: str = ""
    origin: Literal["analyst", "auto"] = "analyst"
    draft_id: str | None = None


class CommandRecord(WireModel):
    """A command with its whole history: one row of the audit log."""

    command: SendMessageCommand
    state: CommandState
    requested_by: str
    via: Literal["rest", "bridge", "auto"]
    draft_id: str | None = None
    requested_at: datetime
    updated_at: datetime
    expires_at: datetime | None = None
    history: list[CommandEvent] = Field(default_factory=list)


class CommandPage(WireModel):
    items: list[CommandRecord]
    total: int
    next_cursor: str | None = None


class ReplySuggestion(WireModel):
    """A reply draft for a chat awaiting the creator's answer; a human approves it or not.

    `blocked` drafts failed the safety filter (`block_reasons` says why): they are shown so the
    analyst understands, but can never be auto-sent.
    """

    draft_id: str
    user_id: str
    chat_id: str
    reply_to_message_id: str
    text: str
    intent: str | None = None
    source: Literal["retrieval", "template", "llm"]
    confidence: float = Field(ge=0.0, le=1.0)
    blocked: bool = False
    block_reasons: list[str] = Field(default_factory=list)
    model: str
    created_at: datetime
