"""Activity: conversations, messages per day, the weekday-by-hour heatmap; and the wire shape."""

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from contracts.models.insights import ActivityMetrics, Analytics
from services.graph.analytics import compute_analytics
from services.graph.analytics.activity import weekday_hour
from services.graph.state import CreatorState
from tests.graph.test_analytics_support import DAY, at, fan, me, state_of


def activity(state: CreatorState, days: int = 3, start: int = 0) -> ActivityMetrics:
    analytics = compute_analytics(state, at(start), at(0) + days * DAY, at(0) + days * DAY)
    assert analytics.activity is not None
    return analytics.activity


def test_messages_per_day_count_each_direction_and_list_empty_days() -> None:
    state = state_of((fan(-10), fan(0), me(1), fan(2 * 1440 + 5)))
    by_day = [(d.day, d.inbound, d.outbound) for d in activity(state).messages_by_day]
    assert by_day == [
        (date(2025, 6, 16), 1, 1),
        (date(2025, 6, 17), 0, 0),
        (date(2025, 6, 18), 1, 0),
    ]


def test_days_start_no_earlier_than_the_creators_first_message() -> None:
    state = state_of((fan(1440 + 5),))
    by_day = activity(state, start=-10 * 1440).messages_by_day
    assert [d.day for d in by_day] == [date(2025, 6, 17), date(2025, 6, 18)]


def test_a_creator_without_messages_has_no_days_and_an_empty_heatmap() -> None:
    metrics = activity(state_of())
    assert metrics.messages_by_day == []
    assert metrics.heatmap == [[0] * 24 for _ in range(7)]
    assert metrics.conversations == 0


def test_the_window_includes_its_start_and_excludes_its_end() -> None:
    state = state_of((fan(0), fan(3 * 1440)))
    assert sum(d.inbound for d in activity(state).messages_by_day) == 1


def test_heatmap_counts_inbound_messages_by_utc_weekday_and_hour() -> None:
    state = state_of((fan(0), fan(30), me(5), fan(23 * 60 + 30), fan(6 * 1440 + 22 * 60)))
    heatmap = activity(state, days=7).heatmap
    assert (len(heatmap), {len(row) for row in heatmap}) == (7, {24})
    assert heatmap[0][0] == 2  # Monday 00:00 and 00:30; the creator's 00:05 does not count
    assert heatmap[0][23] == 1
    assert heatmap[6][22] == 1  # Sunday 22:00
    assert sum(map(sum, heatmap)) == 4


@given(st.integers(min_value=0, max_value=4_102_444_800_000))
def test_weekday_and_hour_agree_with_the_calendar(ms: int) -> None:
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    assert weekday_hour(ms) == (moment.weekday(), moment.hour)


def test_conversations_count_chats_with_a_live_message_in_the_window() -> None:
    state = state_of((fan(0),), (me(10),), (fan(-5),), (fan(20, deleted=True),))
    assert activity(state).conversations == 2


def test_deleted_messages_are_not_activity() -> None:
    state = state_of((fan(0), fan(1, deleted=True), me(2, deleted=True)))
    metrics = activity(state)
    assert (metrics.messages_by_day[0].inbound, metrics.messages_by_day[0].outbound) == (1, 0)
    assert metrics.heatmap[0][0] == 1


def test_analytics_speak_camel_case_and_round_trip() -> None:
    state = state_of((fan(0, topics=("a",), is_tip=True, tip_amount=2.0), me(3)), (fan(5),))
    analytics = compute_analytics(state, at(0), at(0) + DAY, at(60))
    wire = analytics.model_dump(mode="json")
    assert {"windowFrom", "topics", "responses", "money", "activity"} <= set(wire)
    assert "revenueByDay" in wire["money"] and "frtBuckets" in wire["responses"]
    assert wire["topics"][0]["ahtMinutes"] == 3.0
    assert Analytics.model_validate_json(analytics.model_dump_json()) == analytics
