"""Per-topic metrics: volume, share, trend, AHT, turns, silence, sentiment (`docs/metrics.md`)."""

from collections import defaultdict
from dataclasses import dataclass

from contracts.models.insights import TopicMetric
from services.graph.analytics.sessions import ChatScan
from services.graph.state import Message

TOP_TOPICS = 100


@dataclass(slots=True)
class _Tally:
    volume: int = 0
    previous_volume: int = 0
    sessions: int = 0
    session_minutes: float = 0.0
    session_turns: int = 0
    silent: int = 0
    decided: int = 0  # runs that are silent or not (pending ones left out)
    sentiment_sum: float = 0.0
    sentiment_count: int = 0


def mentioned(messages: list[Message], lo: int, hi: int) -> set[str]:
    """Topics the inbound messages with an index in [lo, hi) mention."""
    topics: set[str] = set()
    for index in range(lo, hi):
        message = messages[index]
        if message.topics and message.direction == "in":
            topics.update(message.topics)
    return topics


def _ratio(part: float, whole: float, places: int = 4) -> float | None:
    return round(part / whole, places) if whole else None


class TopicAccumulator:
    """Fed chat by chat (in chat id order, so float sums do not depend on arrival order)."""

    def __init__(self) -> None:
        self.tallies: defaultdict[str, _Tally] = defaultdict(_Tally)
        self.conversations = 0

    def add_chat(
        self,
        messages: list[Message],
        window: tuple[int, int],
        previous: tuple[int, int],
        scan: ChatScan,
        now_ms: int,
    ) -> None:
        """One chat: `window`, `previous` are index bounds of the windows; `scan` its sessions."""
        lo, hi = window
        tallies = self.tallies
        if lo < hi:
            self.conversations += 1
        for topic in mentioned(messages, *previous):
            tallies[topic].previous_volume += 1
        topics: set[str] = set()
        for index in range(lo, hi):
            message = messages[index]
            if not message.topics or message.direction != "in":
                continue
            topics.update(message.topics)
            if message.sentiment is not None:
                for topic in set(message.topics):
                    tally = tallies[topic]
                    tally.sentiment_sum += message.sentiment
                    tally.sentiment_count += 1
        for topic in topics:
            tallies[topic].volume += 1
        for session in scan.sessions:
            minutes = session.minutes
            for topic in session.topics:
                tally = tallies[topic]
                tally.sessions += 1
                tally.session_minutes += minutes
                tally.session_turns += session.turns
        for run in scan.runs:
            if not run.topics:
                continue
            silent = run.silent(now_ms)
            if silent is None:
                continue
            for topic in run.topics:
                tally = tallies[topic]
                tally.decided += 1
                tally.silent += silent

    def result(self) -> list[TopicMetric]:
        metrics = [
            TopicMetric(
                topic=topic,
                volume=t.volume,
                share=round(t.volume / self.conversations, 4),
                trend=_ratio(t.volume - t.previous_volume, t.previous_volume),
                aht_minutes=_ratio(t.session_minutes, t.sessions, 2),
                silence_share=_ratio(t.silent, t.decided),
                turns=_ratio(t.session_turns, t.sessions, 2),
                sentiment=_ratio(t.sentiment_sum, t.sentiment_count),
            )
            for topic, t in self.tallies.items()
            if t.volume > 0
        ]
        metrics.sort(key=lambda m: (-m.volume, m.topic))
        return metrics[:TOP_TOPICS]
