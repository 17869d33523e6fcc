"""Commands the Agent executes, and what it reports back.

Sending a message to a fan is irreversible and may cost the fan money: a `commandId` is executed
at most once, whichever path brings it and however often.
"""

from datetime import datetime
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
