"""REST query results served by the graph service through the gateway."""

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from contracts.models.base import WireModel
from contracts.models.graph import ConversationNode, FanRef

ChatSort = Literal["priority", "waiting", "revenue", "recent"]
ChatFilter = Literal["all", "unread", "awaiting", "spenders"]


class ChatPage(WireModel):
    items: list[ConversationNode]
    total: int = Field(description="Chats matching the filter.")
    offset: int
    limit: int
    next_offset: int | None


class ChatMessage(WireModel):
    id: str
    direction: Literal["in", "out"]
    at: datetime
    text: str
    price: float = 0.0
    is_tip: bool = False
    tip_amount: float = 0.0
    is_ppv: bool = False
    purchased: bool = False
    sentiment: float | None = None
    topics: list[str] = Field(default_factory=list)


class MessagePage(WireModel):
    """Newest first; pass `nextCursor` as `before` for older messages."""

    items: list[ChatMessage]
    next_cursor: str | None


class FanProfile(WireModel):
    fan: FanRef
    lifetime_spend: float
    tips: float
    ppv: float
    messages: int
    first_message_at: datetime | None
    last_message_at: datetime | None
    topics: list[str]
    conversation: ConversationNode
    rfm: str | None = Field(default=None, description="Recency/frequency/monetary code, R5F3M4.")
    segment: str | None = Field(
        default=None, description="new, whale, loyal, promising, at_risk, lapsed or casual."
    )
    churn_risk: float | None = Field(default=None, ge=0.0, le=1.0)
    churn_reasons: list[str] = Field(default_factory=list, description="Strongest first.")
    priority_reasons: list[str] = Field(default_factory=list, description="Strongest first.")


class QueryReply(WireModel):
    """The envelope of a `rpc.graph.<op>.<user>` reply."""

    ok: bool
    status: int = 200
    error: str | None = None
    data: Any = None


class FanInsight(WireModel):
    fan_id: str
    label: str
    creator_ids: list[str]
    lifetime_spend: float
    messages: int
    community: int | None
    centrality: float


class CommunityInsight(WireModel):
    community: int
    fan_ids: list[str]
    topics: list[str]
    lifetime_spend: float
    messages: int


class NetworkInsights(WireModel):
    """Agency questions about the network: who matters, who is shared, which groups exist."""

    central_fans: list[FanInsight]
    shared_fans: list[FanInsight]
    communities: list[CommunityInsight]


class CreatorSettings(WireModel):
    """Per-creator settings an analyst may change."""

    # `true` is not one day, and `1` or `"yes"` does not turn auto-send on.
    retention_days: int | None = Field(
        default=None, ge=1, le=3650, description="Keep messages this many days; null: forever."
    )
    auto_send: bool = Field(
        default=False,
        strict=True,
        description="Send approved-by-filter AI drafts without a human. Off by default: "
        "OnlyFans' terms forbid AI chatbots writing to fans on their own.",
    )
    restricted_words: list[str] = Field(
        default_factory=list,
        max_length=500,
        description="Words a reply draft must not contain (besides the built-in list); a draft "
        "with one is blocked and never auto-sent.",
    )

    @field_validator("retention_days", mode="before")
    @classmethod
    def _days_not_a_boolean(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError("a number of days, not true or false")  # noqa: TRY004 - pydantic reports ValueError, not TypeError
        return value


class DeletionReport(WireModel):
    user_id: str
    deleted: list[str] = Field(description="What was removed, one line each.")
