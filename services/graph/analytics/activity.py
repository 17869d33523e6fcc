"""Activity: active conversations, messages per UTC day, inbound heatmap (`docs/metrics.md`)."""

from collections import defaultdict
from datetime import date, timedelta

from contracts.models.insights import ActivityMetrics, DayCount
from services.graph.analytics.sessions import DAY_MS
from services.graph.state import Message

HOUR_MS = 3_600_000
EPOCH = date(1970, 1, 1)
EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday = 0)


def epoch_day(ms: int) -> int:
    """Days since 1970-01-01 (UTC) of an epoch-ms time."""
    return ms // DAY_MS


def day_date(day: int) -> date:
    return EPOCH + timedelta(days=day)


def report_days(from_ms: int, to_ms: int, first_ms: int | None) -> range:
    """The epoch days a by-day series lists, oldest first: those that overlap [from_ms, to_ms),
    from the day of the creator's first message (`first_ms`; None: no message, no days) on."""
    if first_ms is None or to_ms <= from_ms:
        return range(0)
    return range(epoch_day(max(from_ms, first_ms)), epoch_day(to_ms - 1) + 1)


def weekday_hour(ms: int) -> tuple[int, int]:
    """UTC weekday (Monday = 0) and hour of an epoch-ms time."""
    return (epoch_day(ms) + EPOCH_WEEKDAY) % 7, (ms // HOUR_MS) % 24


class ActivityAccumulator:
    def __init__(self) -> None:
        self.inbound: defaultdict[int, int] = defaultdict(int)
        self.outbound: defaultdict[int, int] = defaultdict(int)
        self.heatmap = [[0] * 24 for _ in range(7)]
        self.conversations = 0

    def add_chat(self, messages: list[Message], lo: int, hi: int) -> None:
        if lo >= hi:
            return
        self.conversations += 1
        inbound, outbound, heatmap = self.inbound, self.outbound, self.heatmap
        for index in range(lo, hi):
            at = messages[index].created_at
            if messages[index].direction == "in":
                inbound[at // DAY_MS] += 1
                weekday, hour = weekday_hour(at)
                heatmap[weekday][hour] += 1
            else:
                outbound[at // DAY_MS] += 1

    def result(self, days: range) -> ActivityMetrics:
        return ActivityMetrics(
            conversations=self.conversations,
            messages_by_day=[
                DayCount(
                    day=day_date(day),
                    inbound=self.inbound.get(day, 0),
                    outbound=self.outbound.get(day, 0),
                )
                for day in days
            ],
            heatmap=[list(row) for row in self.heatmap],
        )
