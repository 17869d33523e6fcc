"""`full_sync_response` and `analytics_update`.

Analytics come in sections; an `AnalyticsUpdate` carries only the sections that changed and the
Bridge merges them section by section.
"""

from datetime import datetime

from pydantic import Field

from contracts.models.base import WireModel
from contracts.models.graph import ConversationNode


class TopicMetric(WireModel):
    topic: str
    volume: int
    share: float = Field(description="Share of all conversations in the window, 0..1.")
    trend: float | None = Field(default=None, description="Relative change vs previous window.")
    aht_minutes: float | None = None
    silence_share: float | None = None
    turns: float | None = None
    sentiment: float | None = Field(default=None, ge=0.0, le=1.0)


class Analytics(WireModel):
    """Sections are optional: a service fills what it knows, the Bridge shows what is present."""

    window_from: datetime | None = None
    window_to: datetime | None = None
    topics: list[TopicMetric] | None = None


class FullSyncResponse(WireModel):
    user_id: str
    generated_at: datetime
    conversations: list[ConversationNode]
    total_conversations: int = Field(description="May exceed len(conversations) when capped.")
    truncated: bool = False
    analytics: Analytics = Field(default_factory=Analytics)


class AnalyticsUpdate(WireModel):
    user_id: str
    at: datetime
    analytics: Analytics
