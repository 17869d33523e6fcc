"""Response metrics: first-response buckets, median and p90 reply, unanswered share, waiting."""

from datetime import UTC, datetime

from contracts.models.insights import ResponseMetrics
from services.graph.analytics import compute_analytics
from services.graph.analytics.responses import frt_bucket, percentile
from services.graph.state import CreatorState
from tests.graph.test_analytics_support import DAY, T0, at, fan, me, state_of


def responses(state: CreatorState, now_minute: float = 3000) -> ResponseMetrics:
    analytics = compute_analytics(state, at(0), at(0) + DAY, at(now_minute))
    assert analytics.responses is not None
    return analytics.responses


def buckets(metrics: ResponseMetrics) -> dict[str, int]:
    return {bucket.label: bucket.count for bucket in metrics.frt_buckets}


def test_first_response_times_fall_in_buckets_with_exclusive_upper_bounds() -> None:
    reply_minutes = [0, 4.99, 5, 14.99, 15, 59, 60, 239, 240, 1439, 1440]
    state = state_of(*[(fan(0), me(minutes)) for minutes in reply_minutes], (fan(0),))
    assert buckets(responses(state)) == {
        "<5m": 2,
        "5-15m": 2,
        "15-60m": 2,
        "1-4h": 2,
        "4-24h": 2,
        ">24h": 1,  # answered after the window ends: still an answer
        "never": 1,
    }


def test_all_buckets_are_present_in_order_even_when_empty() -> None:
    metrics = responses(state_of())
    assert [b.label for b in metrics.frt_buckets] == [
        "<5m",
        "5-15m",
        "15-60m",
        "1-4h",
        "4-24h",
        ">24h",
        "never",
    ]
    assert sum(buckets(metrics).values()) == 0


def test_frt_bucket_of_no_response_is_never() -> None:
    assert (frt_bucket(None), frt_bucket(4.999), frt_bucket(1e9)) == ("never", "<5m", ">24h")


def test_only_session_opening_runs_have_a_first_response_time() -> None:
    # Runs at 1 (opens the session, answered in 1 min) and 3 (mid-session, answered in 7 min).
    metrics = responses(state_of((me(0), fan(1), me(2), fan(3), me(10))))
    assert buckets(metrics)["<5m"] == 1
    assert sum(buckets(metrics).values()) == 1
    assert metrics.median_reply_minutes == 4.0  # every answered run counts: median of 1 and 7


def test_median_and_p90_interpolate_between_ranks_of_answered_runs() -> None:
    state = state_of(
        *[(fan(0), me(minutes)) for minutes in (1, 2, 3, 4, 10)],
        (fan(0),),  # unanswered: not a reply time
    )
    metrics = responses(state)
    assert metrics.median_reply_minutes == 3.0
    assert metrics.p90_reply_minutes == 7.6  # rank 0.9 * 4 = 3.6: 4 + 0.6 * (10 - 4)


def test_percentile_of_one_value_is_that_value() -> None:
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([0.0, 10.0], 0.9) == 9.0


def test_reply_times_are_null_without_answered_runs() -> None:
    metrics = responses(state_of((fan(0),)))
    assert (metrics.median_reply_minutes, metrics.p90_reply_minutes) == (None, None)


def test_unanswered_share_is_unanswered_runs_over_all_runs_in_the_window() -> None:
    state = state_of(
        (fan(0), me(1), fan(2)),  # two runs, the second unanswered
        (fan(10), me(11)),
        (fan(-100),),  # before the window: not counted
    )
    metrics = responses(state)
    assert (metrics.inbound_runs, metrics.answered_runs) == (3, 2)
    assert metrics.unanswered_share == 0.3333


def test_unanswered_share_is_null_without_runs() -> None:
    assert responses(state_of((me(0),))).unanswered_share is None


def test_waiting_fans_are_listed_longest_first_whatever_the_window() -> None:
    state = state_of(
        (fan(0), me(1), fan(10), fan(20)),  # waiting since minute 10
        (fan(5),),
        (fan(0), me(3)),  # answered
        (fan(-5000),),  # before the window, still waiting now
    )
    metrics = responses(state, now_minute=100)
    assert metrics.waiting_count == 3
    assert [(w.chat_id, w.minutes) for w in metrics.waiting] == [
        ("4", 5100.0),
        ("2", 95.0),
        ("1", 90.0),
    ]
    assert metrics.waiting[2].since == datetime.fromtimestamp((T0 + 10 * 60_000) / 1000, tz=UTC)


def test_the_waiting_list_is_capped_at_50_and_the_count_is_not() -> None:
    metrics = responses(state_of(*[(fan(0),) for _ in range(60)]), now_minute=10)
    assert metrics.waiting_count == 60
    assert [w.chat_id for w in metrics.waiting] == [str(i) for i in range(1, 51)]


def test_a_deleted_reply_leaves_the_fan_waiting_and_unanswered() -> None:
    metrics = responses(state_of((fan(0), me(5, deleted=True))), now_minute=10)
    assert metrics.waiting_count == 1
    assert metrics.unanswered_share == 1.0
    assert buckets(metrics)["never"] == 1
