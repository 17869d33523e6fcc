"""Money: revenue by day, tips, PPV conversion, top fans, revenue per conversation."""

from datetime import date

from contracts.events import PpvPurchased, PpvSent, TipReceived, make_event_id
from contracts.models.insights import MoneyMetrics
from services.graph.analytics import compute_analytics
from services.graph.state import CreatorState, Fan
from tests.graph.test_analytics_support import CREATOR, DAY, at, fan, me, message_added, state_of

PPV = {"is_ppv": True}


def money(state: CreatorState, days: int = 3) -> MoneyMetrics:
    analytics = compute_analytics(state, at(0), at(0) + days * DAY, at(0) + days * DAY)
    assert analytics.money is not None
    return analytics.money


def three_days() -> CreatorState:
    state = state_of(
        (
            fan(-2000, is_tip=True, tip_amount=100.0),  # before the window: lifetime only
            fan(10, is_tip=True, tip_amount=5.0),
            me(20, price=10.0, purchased=True, **PPV),
            me(1460, price=15.0, **PPV),  # day 2, not bought
        ),
        (
            me(2885, price=20.0, purchased=True, **PPV),  # day 3
            fan(2890, is_tip=True, tip_amount=2.5),
            fan(2900, is_tip=True, tip_amount=50.0, deleted=True),
        ),
        (fan(30),),
    )
    state.fans[1] = Fan(1, name="Alice", username="alice")
    return state


def test_revenue_by_day_lists_every_day_of_the_window_with_tips_and_ppv() -> None:
    days = [(d.day, d.tips, d.ppv, d.total) for d in money(three_days()).revenue_by_day]
    assert days == [
        (date(2025, 6, 16), 5.0, 10.0, 15.0),
        (date(2025, 6, 17), 0.0, 0.0, 0.0),
        (date(2025, 6, 18), 2.5, 20.0, 22.5),
    ]


def test_totals_sum_the_window_and_leave_out_deleted_tips() -> None:
    metrics = money(three_days())
    assert (metrics.tips_total, metrics.ppv_total, metrics.revenue_total) == (7.5, 30.0, 37.5)


def test_ppv_conversion_is_purchased_over_sent_in_the_window() -> None:
    metrics = money(three_days())
    assert (metrics.ppv_sent, metrics.ppv_purchased, metrics.ppv_conversion) == (3, 2, 0.6667)


def test_ppv_conversion_is_null_when_no_ppv_was_sent() -> None:
    assert money(state_of((fan(0), me(1)))).ppv_conversion is None


def test_top_fans_rank_lifetime_spend_including_before_the_window() -> None:
    top = [(f.chat_id, f.name, f.username, f.lifetime_spend) for f in money(three_days()).top_fans]
    assert top == [("1", "Alice", "alice", 115.0), ("2", None, None, 22.5)]


def test_top_fans_are_at_most_ten_ties_broken_by_chat_id() -> None:
    state = state_of(
        *[(fan(0, is_tip=True, tip_amount=5.0 if i == 12 else 1.0),) for i in range(1, 13)]
    )
    assert [f.chat_id for f in money(state).top_fans] == ["12", *map(str, range(1, 10))]


def test_revenue_per_conversation_divides_by_active_conversations() -> None:
    assert money(three_days()).revenue_per_conversation == 12.5  # 37.5 over chats 1, 2, 3


def test_revenue_per_conversation_is_null_without_conversations() -> None:
    metrics = money(state_of((fan(-10, is_tip=True, tip_amount=1.0),)))
    assert metrics.revenue_per_conversation is None
    assert metrics.top_fans[0].lifetime_spend == 1.0


def test_tips_and_purchases_folded_from_events_count() -> None:
    state = CreatorState(CREATOR)
    for event in (
        message_added(1, 11, "in", at(0), is_tip=True, price=4.0),
        message_added(1, 12, "out", at(1)),
        PpvSent(
            event_id=make_event_id("ppv"),
            creator_id=CREATOR,
            chat_id=1,
            message_id=12,
            price=9.0,
            media_count=1,
            created_at=at(1),
        ),
        PpvPurchased(
            event_id=make_event_id("bought"),
            creator_id=CREATOR,
            chat_id=1,
            message_id=12,
            fan_id=1,
            price=9.0,
        ),
        message_added(1, 13, "in", at(2)),
        TipReceived(
            event_id=make_event_id("tip"),
            creator_id=CREATOR,
            chat_id=1,
            message_id=13,
            fan_id=1,
            amount=6.0,
            created_at=at(2),
        ),
    ):
        state.apply(event)
    metrics = money(state, days=1)
    assert (metrics.tips_total, metrics.ppv_total, metrics.ppv_conversion) == (10.0, 9.0, 1.0)
