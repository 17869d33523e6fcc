"""Support-desk response metrics: first-response buckets, reply times, waiting fans
(`docs/metrics.md`)."""

import math
from datetime import UTC, datetime

from contracts.models.insights import Bucket, ResponseMetrics, WaitingFan
from services.graph.analytics.sessions import MINUTE_MS, ChatScan, waiting_since
from services.graph.state import Message

WAITING_CAP = 50
NEVER = "never"
# (label, upper bound in minutes, exclusive); the last bucket has no bound.
FRT_BUCKETS: tuple[tuple[str, float], ...] = (
    ("<5m", 5),
    ("5-15m", 15),
    ("15-60m", 60),
    ("1-4h", 240),
    ("4-24h", 1440),
    (">24h", math.inf),
)


def frt_bucket(minutes: float | None) -> str:
    """The label of the bucket a first response time falls in (`never` for None)."""
    if minutes is None:
        return NEVER
    return next(label for label, bound in FRT_BUCKETS if minutes < bound)


def percentile(sorted_values: list[float], q: float) -> float:
    """The value at rank q*(n-1) of a sorted non-empty list, interpolating between ranks."""
    rank = q * (len(sorted_values) - 1)
    below = math.floor(rank)
    above = min(below + 1, len(sorted_values) - 1)
    fraction = rank - below
    return sorted_values[below] + (sorted_values[above] - sorted_values[below]) * fraction


class ResponseAccumulator:
    """Fed chat by chat; `result` needs `now_ms` only for how long fans have waited."""

    def __init__(self, now_ms: int) -> None:
        self.now_ms = now_ms
        self.buckets: dict[str, int] = {label: 0 for label, _ in FRT_BUCKETS} | {NEVER: 0}
        self.reply_minutes: list[float] = []
        self.runs = 0
        self.unanswered = 0
        self.waiting: list[tuple[int, int]] = []  # (since ms, chat id)

    def add_chat(self, chat_id: int, messages: list[Message], scan: ChatScan) -> None:
        for run in scan.runs:
            minutes = run.response_minutes
            self.runs += 1
            if minutes is None:
                self.unanswered += 1
            else:
                self.reply_minutes.append(minutes)
            if run.opens_session:
                self.buckets[frt_bucket(minutes)] += 1
        since = waiting_since(messages)
        if since is not None:
            self.waiting.append((since, chat_id))

    def result(self) -> ResponseMetrics:
        replies = sorted(self.reply_minutes)
        waiting = sorted(self.waiting)
        return ResponseMetrics(
            frt_buckets=[Bucket(label=label, count=n) for label, n in self.buckets.items()],
            median_reply_minutes=round(percentile(replies, 0.5), 2) if replies else None,
            p90_reply_minutes=round(percentile(replies, 0.9), 2) if replies else None,
            unanswered_share=round(self.unanswered / self.runs, 4) if self.runs else None,
            inbound_runs=self.runs,
            answered_runs=self.runs - self.unanswered,
            waiting_count=len(waiting),
            waiting=[
                WaitingFan(
                    chat_id=str(chat_id),
                    since=datetime.fromtimestamp(since / 1000, tz=UTC),
                    minutes=round(max(self.now_ms - since, 0) / MINUTE_MS, 2),
                )
                for since, chat_id in waiting[:WAITING_CAP]
            ],
        )
