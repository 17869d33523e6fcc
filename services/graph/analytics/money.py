"""Money: revenue by day, tips, PPV conversion, top fans, revenue per conversation
(`docs/metrics.md`)."""

import heapq
from collections import defaultdict

from contracts.models.insights import DayAmount, FanSpend, MoneyMetrics
from services.graph.analytics.activity import day_date
from services.graph.analytics.sessions import DAY_MS
from services.graph.state import Fan, Message

TOP_FANS = 10


def lifetime_spend(messages: list[Message]) -> float:
    """Everything the fan ever paid in this chat: tips plus purchased PPVs."""
    return sum(m.revenue for m in messages if m.is_tip or m.is_ppv)


def _cents(amount: float) -> float:
    return round(amount, 2)


class MoneyAccumulator:
    """Fed chat by chat in chat id order, so float sums do not depend on arrival order."""

    def __init__(self) -> None:
        self.tips: defaultdict[int, float] = defaultdict(float)
        self.ppv: defaultdict[int, float] = defaultdict(float)
        self.ppv_sent = 0
        self.ppv_purchased = 0
        self.conversations = 0
        self.spenders: list[tuple[float, int]] = []  # (-lifetime spend, chat id)

    def add_chat(self, chat_id: int, messages: list[Message], lo: int, hi: int) -> None:
        spend = lifetime_spend(messages)
        if spend > 0:
            self.spenders.append((-spend, chat_id))
        if lo < hi:
            self.conversations += 1
        for index in range(lo, hi):
            message = messages[index]
            if message.direction == "in":
                if message.is_tip:
                    self.tips[message.created_at // DAY_MS] += message.tip_amount
            elif message.is_ppv:
                self.ppv_sent += 1
                if message.purchased:
                    self.ppv_purchased += 1
                    self.ppv[message.created_at // DAY_MS] += message.price

    def result(self, fans: dict[int, Fan], days: range) -> MoneyMetrics:
        # Sum days in day order: dict order follows chat order, which float sums must not.
        tips_total = sum(self.tips[day] for day in sorted(self.tips))
        ppv_total = sum(self.ppv[day] for day in sorted(self.ppv))
        revenue = tips_total + ppv_total
        top = []
        for negative_spend, chat_id in heapq.nsmallest(TOP_FANS, self.spenders):
            fan = fans.get(chat_id)
            top.append(
                FanSpend(
                    chat_id=str(chat_id),
                    name=fan.name if fan else None,
                    username=fan.username if fan else None,
                    lifetime_spend=_cents(-negative_spend),
                )
            )
        return MoneyMetrics(
            revenue_by_day=[
                DayAmount(
                    day=day_date(day),
                    tips=_cents(self.tips.get(day, 0.0)),
                    ppv=_cents(self.ppv.get(day, 0.0)),
                    total=_cents(self.tips.get(day, 0.0) + self.ppv.get(day, 0.0)),
                )
                for day in days
            ],
            tips_total=_cents(tips_total),
            ppv_total=_cents(ppv_total),
            revenue_total=_cents(revenue),
            ppv_sent=self.ppv_sent,
            ppv_purchased=self.ppv_purchased,
            ppv_conversion=(
                round(self.ppv_purchased / self.ppv_sent, 4) if self.ppv_sent else None
            ),
            top_fans=top,
            revenue_per_conversation=(
                _cents(revenue / self.conversations) if self.conversations else None
            ),
        )
