"""`ConversationNode`: one chat as the dashboard lists it (the `append_message` payload)."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from contracts.models.base import WireModel

Direction = Literal["in", "out"]


class FanRef(WireModel):
    id: str
    name: str | None = None
    username: str | None = None


class LastMessage(WireModel):
    text: str = Field(description="Plain text (HTML removed).")
    at: datetime
    direction: Direction


class MessageCounts(WireModel):
    total: int = 0
    inbound: int = 0
    outbound: int = 0


class Revenue(WireModel):
    """Dollars the fan paid in this chat."""

    tips: float = 0.0
    ppv: float = 0.0
    total: float = 0.0


class ConversationNode(WireModel):
    user_id: str = Field(description="The creator.")
    chat_id: str = Field(description="The fan's OnlyFans user id.")
    fan: FanRef
    last_message: LastMessage | None = None
    counts: MessageCounts = Field(default_factory=MessageCounts)
    unread: int = 0
    awaiting_reply_since: datetime | None = None
    revenue: Revenue = Field(default_factory=Revenue)
    ppv_sent: int = 0
    ppv_purchased: int = 0
    sentiment_mean: float | None = Field(default=None, ge=0.0, le=1.0)
    topics: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    priority: float = 0.0
