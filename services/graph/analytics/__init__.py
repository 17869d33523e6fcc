"""Analytics computed from the graph projection; every metric is defined in `docs/metrics.md`.

`compute_analytics` is a pure function of the state and its arguments. Chats are visited in chat
id order and each chat's messages in `(created_at, message_id)` order, so the result (float sums
included) does not depend on the order in which events arrived: a snapshot and then deltas give
the same analytics as the whole history applied at once. Each chat is walked once per window
(bisecting to the window, so a short window over a long history stays cheap) plus once for the
fan's lifetime spend.
"""

from datetime import UTC, datetime

from contracts.models.insights import Analytics
from services.graph.analytics.activity import ActivityAccumulator, report_days
from services.graph.analytics.money import MoneyAccumulator
from services.graph.analytics.responses import ResponseAccumulator
from services.graph.analytics.sessions import live_messages, scan_chat, window_bounds
from services.graph.analytics.topics import TopicAccumulator
from services.graph.coverage import coverage_of
from services.graph.state import CreatorState

__all__ = ["compute_analytics"]


def compute_analytics(
    state: CreatorState, window_from_ms: int, window_to_ms: int, now_ms: int
) -> Analytics:
    """All analytics sections over the window [window_from_ms, window_to_ms) (epoch ms, UTC).

    Topic trends compare with the previous window of equal length; `now_ms` decides how long
    fans have been waiting and whether an unanswered fan message is silent yet.
    """
    previous_from_ms = window_from_ms - (window_to_ms - window_from_ms)
    topics = TopicAccumulator()
    responses = ResponseAccumulator(now_ms)
    money = MoneyAccumulator()
    activity = ActivityAccumulator()
    first_ms: int | None = None  # the creator's first message: by-day series start no earlier
    for chat_id in sorted(state.chats):
        messages = live_messages(state.chats[chat_id])
        if not messages:
            continue
        if first_ms is None or messages[0].created_at < first_ms:
            first_ms = messages[0].created_at
        lo, hi = window_bounds(messages, window_from_ms, window_to_ms)
        previous = window_bounds(messages, previous_from_ms, window_from_ms)
        scan = scan_chat(messages, lo, hi)
        topics.add_chat(messages, (lo, hi), previous, scan, now_ms)
        responses.add_chat(chat_id, messages, scan)
        money.add_chat(chat_id, messages, lo, hi)
        activity.add_chat(messages, lo, hi)
    days = report_days(window_from_ms, window_to_ms, first_ms)
    return Analytics(
        window_from=datetime.fromtimestamp(window_from_ms / 1000, tz=UTC),
        window_to=datetime.fromtimestamp(window_to_ms / 1000, tz=UTC),
        topics=topics.result(),
        responses=responses.result(),
        money=money.result(state.fans, days),
        activity=activity.result(days),
        coverage=coverage_of(state),
    )
