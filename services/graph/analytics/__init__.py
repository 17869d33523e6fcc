"""Analytics computed from the graph projection; every metric is defined in `docs/metrics.md`.

`compute_analytics` is a pure function of the state and its arguments. Chats are visited in chat
id order and each chat's messages in `(created_at, message_id)` order, so the result (float sums
included) does not depend on the order in which events arrived: a snapshot and then deltas give
the same analytics as the whole history applied at once. Each chat is walked once per window
(bisecting to the window, so a short window over a long history stays cheap) plus once for the
fan's lifetime spend.
"""

import asyncio
import time
from datetime import UTC, datetime

from contracts.models.insights import Analytics
from services.graph.analytics.activity import ActivityAccumulator, report_days
from services.graph.analytics.money import MoneyAccumulator
from services.graph.analytics.responses import ResponseAccumulator
from services.graph.analytics.sessions import live_messages, scan_chat, window_bounds
from services.graph.analytics.topics import TopicAccumulator
from services.graph.coverage import coverage_of
from services.graph.state import CreatorState

__all__ = ["AnalyticsRun", "compute_analytics", "compute_analytics_sliced"]
PAUSE_S = 0.002


class AnalyticsRun:
    """One analytics computation, fed chat by chat (so it can be paused between chats)."""

    def __init__(
        self, state: CreatorState, window_from_ms: int, window_to_ms: int, now_ms: int
    ) -> None:
        self.state = state
        self.window = (window_from_ms, window_to_ms)
        self.previous_from_ms = window_from_ms - (window_to_ms - window_from_ms)
        self.topics = TopicAccumulator()
        self.responses = ResponseAccumulator(now_ms)
        self.money = MoneyAccumulator()
        self.activity = ActivityAccumulator()
        self.now_ms = now_ms
        # The creator's first message: by-day series start no earlier.
        self.first_ms: int | None = None

    def add(self, chat_id: int) -> int:
        """Fold one chat in (a chat deleted meanwhile is skipped); returns its message count."""
        chat = self.state.chats.get(chat_id)
        messages = live_messages(chat) if chat is not None else []
        if not messages:
            return 0
        if self.first_ms is None or messages[0].created_at < self.first_ms:
            self.first_ms = messages[0].created_at
        window_from_ms, window_to_ms = self.window
        lo, hi = window_bounds(messages, window_from_ms, window_to_ms)
        previous = window_bounds(messages, self.previous_from_ms, window_from_ms)
        scan = scan_chat(messages, lo, hi)
        self.topics.add_chat(messages, (lo, hi), previous, scan, self.now_ms)
        self.responses.add_chat(chat_id, messages, scan)
        self.money.add_chat(chat_id, messages, lo, hi)
        self.activity.add_chat(messages, lo, hi)
        return len(messages)

    def result(self) -> Analytics:
        window_from_ms, window_to_ms = self.window
        days = report_days(window_from_ms, window_to_ms, self.first_ms)
        return Analytics(
            window_from=datetime.fromtimestamp(window_from_ms / 1000, tz=UTC),
            window_to=datetime.fromtimestamp(window_to_ms / 1000, tz=UTC),
            topics=self.topics.result(),
            responses=self.responses.result(),
            money=self.money.result(self.state.fans, days),
            activity=self.activity.result(days),
            coverage=coverage_of(self.state),
        )


def compute_analytics(
    state: CreatorState, window_from_ms: int, window_to_ms: int, now_ms: int
) -> Analytics:
    """All analytics sections over the window [window_from_ms, window_to_ms) (epoch ms, UTC).

    Topic trends compare with the previous window of equal length; `now_ms` decides how long
    fans have been waiting and whether an unanswered fan message is silent yet.
    """
    run = AnalyticsRun(state, window_from_ms, window_to_ms, now_ms)
    for chat_id in sorted(state.chats):
        run.add(chat_id)
    return run.result()


async def compute_analytics_sliced(
    state: CreatorState,
    window_from_ms: int,
    window_to_ms: int,
    now_ms: int,
    slice_s: float = 0.005,
) -> Analytics:
    """`compute_analytics`, giving the event loop back every `slice_s` of work: a creator
    with a million messages takes seconds, and every other creator's pushes and queries go
    on in between. Chats that change meanwhile are read as they are when their turn comes."""
    run = AnalyticsRun(state, window_from_ms, window_to_ms, now_ms)
    deadline = time.perf_counter() + slice_s
    for chat_id in sorted(state.chats):
        run.add(chat_id)
        if time.perf_counter() >= deadline:
            # A short sleep, not sleep(0): a waiting request needs several turns of the
            # loop (receive, answer, flush), and each turn would otherwise run a whole slice.
            await asyncio.sleep(PAUSE_S)
            deadline = time.perf_counter() + slice_s
    return run.result()
