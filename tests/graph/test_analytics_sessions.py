"""Sessions, turns, inbound runs and responses on hand-written conversations."""

from services.graph.analytics.sessions import (
    ChatScan,
    InboundRun,
    live_messages,
    scan_chat,
    waiting_since,
    window_bounds,
)
from services.graph.state import CreatorState
from tests.graph.test_analytics_support import DAY, MIN, at, fan, me, state_of


def scan_all(
    state: CreatorState, chat_id: int = 1, start: float = 0, end: float = 10**6
) -> ChatScan:
    messages = live_messages(state.chats[chat_id])
    lo, hi = window_bounds(messages, at(start), at(end))
    return scan_chat(messages, lo, hi)


def test_a_gap_shorter_than_30_minutes_keeps_the_session_and_30_minutes_splits_it() -> None:
    state = state_of((fan(0), me(29.99), fan(59.99), fan(60.01)))
    sessions = scan_all(state).sessions
    # gaps: 29.99 min (same session), exactly 30 min (new session), 0.02 min (same session)
    assert [(s.start_ms, s.end_ms) for s in sessions] == [
        (at(0), at(29.99)),
        (at(59.99), at(60.01)),
    ]


def test_turns_are_runs_of_one_direction_within_a_session() -> None:
    state = state_of((fan(0), fan(1), me(2), fan(3), fan(60), me(61)))
    assert [s.turns for s in scan_all(state).sessions] == [3, 2]


def test_session_duration_is_last_minus_first_message_in_minutes() -> None:
    state = state_of((fan(0), me(10), fan(25), me(40), fan(100)))
    assert [s.minutes for s in scan_all(state).sessions] == [40.0, 0.0]


def test_session_topics_are_those_of_its_inbound_messages() -> None:
    state = state_of((fan(0, topics=("a",)), me(1, topics=("promo",)), fan(2, topics=("b", "a"))))
    assert scan_all(state).sessions[0].topics == {"a", "b"}


def test_an_inbound_run_ends_at_the_creators_next_message_which_is_its_response() -> None:
    state = state_of((fan(0), fan(3), me(10), me(11), fan(20), me(22)))
    runs = scan_all(state).runs
    assert [(r.start_ms, r.response_ms) for r in runs] == [(at(0), at(10)), (at(20), at(22))]
    assert [r.response_minutes for r in runs] == [10.0, 2.0]


def test_an_unanswered_run_continues_across_sessions_and_times_from_its_first_message() -> None:
    state = state_of((fan(0), fan(120), me(125)))
    runs = scan_all(state).runs
    assert len(runs) == 1
    assert runs[0].response_minutes == 125.0
    assert len(scan_all(state).sessions) == 2


def test_only_a_run_starting_with_the_sessions_first_inbound_message_opens_the_session() -> None:
    # Session 1: me, fan (opens), me, fan (does not). Session 2: fan (opens).
    # Session 3 starts with a follow-up to the unanswered run of session 2: nothing opens.
    state = state_of((me(0), fan(1), me(2), fan(3), me(4), fan(60), fan(120), me(121)))
    runs = scan_all(state).runs
    assert [(r.start_ms, r.opens_session) for r in runs] == [
        (at(1), True),
        (at(3), False),
        (at(60), True),
    ]


def test_a_run_has_no_response_until_the_creator_writes() -> None:
    state = state_of((me(0), fan(5), fan(6)))
    assert scan_all(state).runs == [InboundRun(at(5), None, True, frozenset())]


def test_sessions_and_runs_belong_to_the_window_of_their_first_message() -> None:
    state = state_of((fan(0), me(5), fan(100), fan(110), me(200), fan(300), me(310)))
    scan = scan_all(state, start=100, end=300)
    # Sessions start at 0, 100, 200 and 300; runs at 0, 100 (answered at 200) and 300.
    assert [s.start_ms for s in scan.sessions] == [at(100), at(200)]
    assert [(r.start_ms, r.response_ms) for r in scan.runs] == [(at(100), at(200))]


def test_a_response_after_the_window_still_answers_a_run_inside_it() -> None:
    state = state_of((fan(0), fan(10), me(20), fan(21)))
    scan = scan_all(state, start=0, end=15)
    assert [(r.start_ms, r.response_ms) for r in scan.runs] == [(at(0), at(20))]
    assert [(s.start_ms, s.end_ms, s.turns) for s in scan.sessions] == [(at(0), at(21), 3)]


def test_a_run_that_began_before_the_window_is_not_the_windows() -> None:
    state = state_of((fan(0), fan(10), me(20)))
    scan = scan_all(state, start=5, end=100)
    assert scan.runs == []
    assert scan.sessions == []  # the session began at minute 0


def test_deleted_messages_neither_answer_nor_bridge_sessions() -> None:
    state = state_of((fan(0), me(20, deleted=True), me(40), fan(45)))
    scan = scan_all(state)
    assert [(r.start_ms, r.response_ms) for r in scan.runs] == [(at(0), at(40)), (at(45), None)]
    assert [(s.start_ms, s.end_ms) for s in scan.sessions] == [(at(0), at(0)), (at(40), at(45))]


def test_silence_is_no_answer_within_24_hours_and_young_unanswered_runs_are_pending() -> None:
    answered_late = InboundRun(at(0), at(0) + DAY + MIN, True, frozenset())
    answered_on_time = InboundRun(at(0), at(0) + DAY, True, frozenset())
    unanswered = InboundRun(at(0), None, True, frozenset())
    assert answered_late.silent(now_ms=at(0) + 2 * DAY) is True
    assert answered_on_time.silent(now_ms=at(0) + 2 * DAY) is False
    assert unanswered.silent(now_ms=at(0) + DAY) is None
    assert unanswered.silent(now_ms=at(0) + DAY + 1) is True


def test_a_fan_waits_since_the_first_message_of_the_trailing_inbound_run() -> None:
    state = state_of(
        (fan(0), me(1), fan(2), fan(3)), (fan(0), me(1)), (fan(0), me(1, deleted=True))
    )
    assert waiting_since(live_messages(state.chats[1])) == at(2)
    assert waiting_since(live_messages(state.chats[2])) is None
    assert waiting_since(live_messages(state.chats[3])) == at(0)
