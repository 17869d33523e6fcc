"""Per-topic metrics on a hand-computed day of four conversations."""

from contracts.models.insights import TopicMetric
from services.graph.analytics import compute_analytics
from services.graph.state import CreatorState
from tests.graph.test_analytics_support import DAY, at, fan, me, state_of

WINDOW = (at(0), at(0) + DAY)  # the previous window is the day before


def topics(state: CreatorState, now_minute: float = 1800) -> dict[str, TopicMetric]:
    analytics = compute_analytics(state, *WINDOW, at(now_minute))
    assert analytics.topics is not None
    return {metric.topic: metric for metric in analytics.topics}


def a_day() -> CreatorState:
    return state_of(
        # Chat 1: one session 0..25 (4 turns), runs at 0 and 20 both answered; ppv the day before.
        (
            fan(-100, topics=("ppv",)),
            me(-90),
            fan(0, topics=("ppv",), sentiment=0.8),
            me(10),
            fan(20, topics=("ppv", "custom"), sentiment=0.4),
            me(25),
        ),
        # Chat 2: session 100..105 (1 turn) then a lone reply at 200; its run answered in 100 min.
        (fan(100, topics=("ppv",)), fan(105), me(200)),
        # Chat 3: one message never answered; at now (minute 1800) it has waited 25 h: silent.
        (fan(300, topics=("custom",), sentiment=0.2),),
        # Chat 4: active, no topic.
        (me(400),),
        # Chat 5: only the previous day.
        (fan(-200, topics=("gone",)),),
    )


def test_volume_counts_conversations_mentioning_the_topic_in_the_window() -> None:
    metrics = topics(a_day())
    assert {topic: m.volume for topic, m in metrics.items()} == {"ppv": 2, "custom": 2}


def test_share_is_volume_over_active_conversations() -> None:
    metrics = topics(a_day())
    assert metrics["ppv"].share == 0.5  # chats 1 and 2 of the 4 active (1, 2, 3, 4)


def test_trend_compares_with_the_previous_window_and_is_null_when_it_had_none() -> None:
    metrics = topics(a_day())
    assert metrics["ppv"].trend == 1.0  # 2 now vs 1 (chat 1) the day before
    assert metrics["custom"].trend is None


def test_aht_and_turns_average_the_sessions_mentioning_the_topic() -> None:
    metrics = topics(a_day())
    assert (metrics["ppv"].aht_minutes, metrics["ppv"].turns) == (15.0, 2.5)  # (25+5)/2, (4+1)/2
    assert (metrics["custom"].aht_minutes, metrics["custom"].turns) == (12.5, 2.5)  # (25+0)/2


def test_silence_share_is_runs_unanswered_for_24_hours_among_decided_runs() -> None:
    metrics = topics(a_day())
    assert metrics["ppv"].silence_share == 0.0  # 3 runs, all answered within 24 h
    assert metrics["custom"].silence_share == 0.5  # chat 1 answered, chat 3 silent


def test_a_young_unanswered_run_is_pending_and_left_out_of_silence() -> None:
    metrics = topics(a_day(), now_minute=400)  # chat 3 has waited 100 minutes
    assert metrics["custom"].silence_share == 0.0


def test_sentiment_averages_scored_inbound_messages_mentioning_the_topic() -> None:
    metrics = topics(a_day())
    assert metrics["ppv"].sentiment == 0.6  # 0.8 and 0.4; chat 2's message is unscored
    assert metrics["custom"].sentiment == 0.3


def test_sentiment_is_null_when_no_message_of_the_topic_is_scored() -> None:
    metrics = topics(state_of((fan(0, topics=("a",)), me(1))))
    assert metrics["a"].sentiment is None


def test_topics_of_the_creators_own_messages_do_not_count() -> None:
    assert topics(state_of((me(0, topics=("promo",)), fan(1)))) == {}


def test_topics_of_deleted_messages_do_not_count() -> None:
    assert topics(state_of((fan(0, topics=("x",), deleted=True), fan(1)))) == {}


def test_topics_are_listed_by_volume_then_name() -> None:
    state = state_of(
        (fan(0, topics=("b", "c")),),
        (fan(0, topics=("c",)),),
        (fan(0, topics=("a",)),),
    )
    assert list(topics(state)) == ["c", "a", "b"]
