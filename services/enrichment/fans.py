"""Per-fan and per-chat scores: what a chatter should answer first, and who is slipping away.

Everything here is a transparent rule over facts the log holds (messages, tips, purchases, and
the per-message scores), not a trained model: with no labelled churn data, a rule an analyst can
read and argue with beats an opaque number. Every score comes with the reasons that drove it.

RFM uses fixed, documented thresholds rather than quintiles of the creator's own fans, so a
fan's tier does not move because other fans did, and a score never needs the whole population.
"""

from bisect import insort
from dataclasses import dataclass, field
from itertools import pairwise

from services.enrichment.nlp import taxonomy

DAY_MS = 86_400_000
RECENT = 12  # inbound messages looked at for the recent-mood reasons
TIMELINE = 24  # latest messages kept per chat (bounded memory at 20,000 chats)
INBOUND_TIMES = 200  # latest fan-message times kept per chat, for recency and frequency

_R = ((1, 5), (3, 4), (7, 3), (30, 2))  # days since the fan's last message -> R
_F = ((50, 5), (20, 4), (8, 3), (3, 2))  # fan messages in the last 30 days -> F
_M = ((500.0, 5), (100.0, 4), (25.0, 3), (0.01, 2))  # lifetime spend ($) -> M

_URGENT_TOPICS = {
    taxonomy.PURCHASE_INTENT: 0.35,
    taxonomy.CUSTOM_REQUEST: 0.3,
    taxonomy.PRICING: 0.25,
    taxonomy.COMPLAINT: 0.3,
    taxonomy.TIP: 0.2,
    taxonomy.CONTENT_REQUEST: 0.15,
    taxonomy.LEAVING: 0.3,
}


@dataclass
class Line:
    """One message of a chat's recent timeline."""

    at: int
    message_id: int
    direction: str
    text: str
    paid: bool = False  # a PPV or a tip: never a reply to learn from
    sentiment: float | None = None
    topics: tuple[str, ...] = ()


@dataclass
class ChatFacts:
    """What enrichment remembers of one chat: aggregates and the latest messages by time.

    Events may arrive in any order (a snapshot lists chats newest first, deltas race), so the
    timeline is kept sorted by `created_at` and capped; pairs (fan message → creator reply)
    are learned from it, never from arrival order.
    """

    chat_id: int
    fan_name: str | None = None
    first_in_at: int | None = None
    timeline: list[Line] = field(default_factory=list)
    inbound_times: list[int] = field(default_factory=list)  # sorted, capped
    tips: float = 0.0
    ppv_paid: float = 0.0
    ppv_offered: dict[int, bool] = field(default_factory=dict)  # message id -> bought
    learned_upto: int = 0  # created_at of the latest reply learned

    @property
    def spend(self) -> float:
        return round(self.tips + self.ppv_paid, 2)

    @property
    def last(self) -> Line | None:
        return self.timeline[-1] if self.timeline else None

    @property
    def last_in_at(self) -> int | None:
        return self.inbound_times[-1] if self.inbound_times else None

    @property
    def last_direction(self) -> str:
        return self.timeline[-1].direction if self.timeline else ""

    @property
    def recent(self) -> list[Line]:
        return [line for line in self.timeline if line.direction == "in"][-RECENT:]

    def add(self, line: Line) -> None:
        if any(existing.message_id == line.message_id for existing in self.timeline):
            return
        insort(self.timeline, line, key=lambda item: (item.at, item.message_id))
        if len(self.timeline) > TIMELINE:
            del self.timeline[0]
        if line.direction == "in":
            insort(self.inbound_times, line.at)
            if len(self.inbound_times) > INBOUND_TIMES:
                del self.inbound_times[0]
            if self.first_in_at is None or line.at < self.first_in_at:
                self.first_in_at = line.at

    def line(self, message_id: int) -> Line | None:
        for item in self.timeline:
            if item.message_id == message_id:
                return item
        return None

    def new_pairs(self) -> list[tuple[str, str, int]]:
        """(fan text, creator reply, reply time) not learned yet, oldest first."""
        pairs = []
        for before, after in pairwise(self.timeline):
            if (
                before.direction == "in"
                and after.direction == "out"
                and not after.paid
                and before.text
                and after.text
                and after.at > self.learned_upto
            ):
                pairs.append((before.text, after.text, after.at))
        if self.timeline:
            self.learned_upto = max(self.learned_upto, self.timeline[-1].at)
        return pairs


def _band(value: float, bands: tuple[tuple[float, int], ...]) -> int:
    for threshold, score in bands:
        if value >= threshold:
            return score
    return 1


def _recency_band(days: float) -> int:
    for limit, score in _R:
        if days <= limit:
            return score
    return 1


@dataclass(frozen=True)
class ChatScore:
    lifetime_spend: float
    rfm: str
    segment: str
    churn_risk: float
    churn_reasons: tuple[str, ...]
    priority: float
    priority_reasons: tuple[str, ...]


def segment_of(r: int, f: int, m: int, new: bool) -> str:
    if new and m <= 2:
        return "new"
    if m == 5 and r >= 3:
        return "whale"
    if f >= 4 and m >= 3 and r >= 4:
        return "loyal"
    if r == 1:
        return "lapsed"
    if m >= 3 and r <= 2:
        return "at_risk"
    if r >= 4 and m >= 2:
        return "promising"
    return "casual"


def _combine(weights: list[tuple[float, str]]) -> tuple[float, tuple[str, ...]]:
    """Independent reasons combined as 1 - prod(1 - w); reasons strongest first."""
    risk = 1.0
    for weight, _ in weights:
        risk *= 1.0 - weight
    reasons = tuple(reason for _, reason in sorted(weights, key=lambda w: -w[0]))
    return round(1.0 - risk, 4), reasons


def churn(facts: ChatFacts, now_ms: int) -> tuple[float, tuple[str, ...]]:
    if facts.last_in_at is None:
        return 0.0, ()
    weights: list[tuple[float, str]] = []
    silent_days = (now_ms - facts.last_in_at) / DAY_MS
    times = facts.inbound_times
    gaps = sorted(b - a for a, b in pairwise(times) if b > a)
    usual_days = gaps[len(gaps) // 2] / DAY_MS if gaps else 3.0
    if silent_days > max(3 * usual_days, 2.0):
        weights.append((min(0.6, 0.15 * silent_days / max(usual_days, 1.0)), "silent_for_long"))
    last14 = sum(1 for t in times if t > now_ms - 14 * DAY_MS)
    prior14 = sum(1 for t in times if now_ms - 28 * DAY_MS < t <= now_ms - 14 * DAY_MS)
    if prior14 >= 4 and last14 < prior14 / 2:
        weights.append((0.3, "fewer_messages"))
    moods = [m.sentiment for m in list(facts.recent)[-5:] if m.sentiment is not None]
    if moods and sum(moods) / len(moods) < 0.4:
        weights.append((0.3, "negative_mood"))
    recent_topics = {t for m in list(facts.recent)[-5:] for t in m.topics}
    if taxonomy.LEAVING in recent_topics:
        weights.append((0.6, "says_leaving"))
    if taxonomy.COMPLAINT in recent_topics:
        weights.append((0.35, "complained"))
    if facts.last_direction == "in" and now_ms - facts.last_in_at > DAY_MS:
        weights.append((0.25, "unanswered_over_a_day"))
    offered = [facts.ppv_offered[k] for k in sorted(facts.ppv_offered)][-3:]
    if len(offered) >= 3 and not any(offered):
        weights.append((0.15, "ignores_ppv"))
    return _combine(weights)


def score_chat(facts: ChatFacts, now_ms: int) -> ChatScore:
    last_in = facts.last_in_at
    days = (now_ms - last_in) / DAY_MS if last_in is not None else 10_000.0
    r = _recency_band(days)
    f = _band(sum(1 for t in facts.inbound_times if t > now_ms - 30 * DAY_MS), _F)
    m = _band(facts.spend, _M)
    new = facts.first_in_at is not None and now_ms - facts.first_in_at < 7 * DAY_MS
    risk, risk_reasons = churn(facts, now_ms)
    weights: list[tuple[float, str]] = []
    if m >= 4:
        weights.append((0.3 if m == 4 else 0.45, "big_spender"))
    elif m == 3:
        weights.append((0.15, "spender"))
    if facts.last_direction == "in":
        latest = facts.recent[-1].topics if facts.recent else ()
        for topic in latest:
            if topic in _URGENT_TOPICS:
                weights.append((_URGENT_TOPICS[topic], topic))
    if risk >= 0.5:
        weights.append((0.25, "churn_risk"))
    if new:
        weights.append((0.1, "new_fan"))
    priority, reasons = _combine(weights)
    return ChatScore(
        lifetime_spend=facts.spend,
        rfm=f"R{r}F{f}M{m}",
        segment=segment_of(r, f, m, new),
        churn_risk=risk,
        churn_reasons=risk_reasons,
        priority=priority,
        priority_reasons=reasons,
    )
