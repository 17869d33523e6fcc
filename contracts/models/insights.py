"""`full_sync_response` and `analytics_update`.

Analytics come in sections; an `AnalyticsUpdate` carries only the sections that changed and the
Bridge merges them section by section. Every number is defined in `docs/metrics.md`.
"""

from datetime import date, datetime

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


class Bucket(WireModel):
    """One bar of a distribution."""

    label: str = Field(description="`<5m`, `5-15m`, `15-60m`, `1-4h`, `4-24h`, `>24h`, `never`.")
    count: int


class WaitingFan(WireModel):
    chat_id: str
    since: datetime = Field(description="First message of the unanswered trailing run.")
    minutes: float


class ResponseMetrics(WireModel):
    """How fast fans get answers, over inbound runs that start in the window."""

    frt_buckets: list[Bucket] = Field(default_factory=list)
    median_reply_minutes: float | None = None
    p90_reply_minutes: float | None = None
    unanswered_share: float | None = Field(default=None, ge=0.0, le=1.0)
    inbound_runs: int = 0
    answered_runs: int = 0
    waiting_count: int = Field(default=0, description="Fans waiting now, whatever the window.")
    waiting: list[WaitingFan] = Field(
        default_factory=list, description="Longest wait first, capped at 50."
    )


class DayAmount(WireModel):
    day: date
    tips: float = 0.0
    ppv: float = 0.0
    total: float = 0.0


class FanSpend(WireModel):
    chat_id: str
    name: str | None = None
    username: str | None = None
    lifetime_spend: float


class MoneyMetrics(WireModel):
    revenue_by_day: list[DayAmount] = Field(default_factory=list)
    tips_total: float = 0.0
    ppv_total: float = 0.0
    revenue_total: float = 0.0
    ppv_sent: int = 0
    ppv_purchased: int = 0
    ppv_conversion: float | None = Field(default=None, ge=0.0, le=1.0)
    top_fans: list[FanSpend] = Field(
        default_factory=list, description="Highest lifetime spend (all history), at most 10."
    )
    revenue_per_conversation: float | None = None


class DayCount(WireModel):
    day: date
    inbound: int = 0
    outbound: int = 0


class ActivityMetrics(WireModel):
    conversations: int = Field(default=0, description="Chats with a message in the window.")
    messages_by_day: list[DayCount] = Field(default_factory=list)
    heatmap: list[list[int]] = Field(
        default_factory=list,
        description="Inbound messages, 7 weekday rows (Monday first) x 24 UTC hour columns.",
    )


class BackfillStatus(WireModel):
    """The Agent's history backfill as it last reported it."""

    state: str = Field(description="idle, running, paused, rate_limited, stopped, done.")
    chats_done: int = 0
    chats_total: int = 0
    since: datetime | None = None
    rate_limited_until: datetime | None = None
    requests: int = 0
    started_at: datetime | None = None
    reported_at: datetime | None = None


class Coverage(WireModel):
    """What the Brain's data covers, so no figure passes for whole when it is not.

    `chats_complete / chats_known` is the share of chats whose history is captured back to the
    first message; `complete_since` is the instant after which every known chat is captured
    (null while the chat list itself is not walked to its end, or nothing is complete)."""

    chats_known: int = Field(
        default=0, description="Chats the Brain holds, or the Agent saw listed if more."
    )
    chat_list_complete: bool = Field(
        default=False, description="The Agent walked the whole chat list."
    )
    chats_complete: int = Field(default=0, description="Chats with their whole history.")
    share_complete: float | None = Field(
        default=None, ge=0.0, le=1.0, description="chats_complete / chats_known."
    )
    messages_captured: int = 0
    complete_since: datetime | None = None
    whole: bool = Field(
        default=False,
        description="The chat list and every chat's history are complete: figures are whole.",
    )
    last_capture_at: datetime | None = None
    backfill: BackfillStatus | None = None


class Analytics(WireModel):
    """Sections are optional: a service fills what it knows, the Bridge shows what is present."""

    window_from: datetime | None = None
    window_to: datetime | None = None
    topics: list[TopicMetric] | None = None
    responses: ResponseMetrics | None = None
    money: MoneyMetrics | None = None
    activity: ActivityMetrics | None = None
    coverage: Coverage | None = Field(
        default=None, description="What the data behind these figures covers."
    )


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
