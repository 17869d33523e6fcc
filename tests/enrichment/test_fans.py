"""Fan and chat scores: tiers, churn reasons and priority follow the documented rules."""

from services.enrichment.fans import DAY_MS, ChatFacts, Line, churn, score_chat, segment_of
from services.enrichment.nlp import taxonomy

NOW = 1_800_000_000_000


def chat_with(times_days_ago: list[float], direction_last: str = "in") -> ChatFacts:
    facts = ChatFacts(1)
    for i, days in enumerate(sorted(times_days_ago, reverse=True)):
        facts.add(Line(int(NOW - days * DAY_MS), 100 + i, "in", f"fan line {i}"))
    if direction_last == "out":
        facts.add(Line(NOW - 1000, 999, "out", "creator reply"))
    return facts


def test_timeline_is_ordered_by_time_whatever_the_arrival_order() -> None:
    facts = ChatFacts(1)
    facts.add(Line(3000, 3, "out", "third"))
    facts.add(Line(1000, 1, "in", "first"))
    facts.add(Line(2000, 2, "in", "second"))
    facts.add(Line(2000, 2, "in", "second"))  # a duplicate is ignored
    assert [line.message_id for line in facts.timeline] == [1, 2, 3]
    assert facts.last_direction == "out" and facts.last_in_at == 2000
    assert facts.new_pairs() == [("second", "third", 3000)]
    assert facts.new_pairs() == []  # learned once


def test_paid_replies_are_not_learned_as_replies() -> None:
    facts = ChatFacts(1)
    facts.add(Line(1000, 1, "in", "send me something"))
    facts.add(Line(2000, 2, "out", "unlock this 🔥", paid=True))
    assert facts.new_pairs() == []


def test_rfm_segments() -> None:
    assert segment_of(5, 5, 5, new=False) == "whale"
    assert segment_of(5, 4, 3, new=False) == "loyal"
    assert segment_of(1, 1, 4, new=False) == "lapsed"
    assert segment_of(2, 2, 4, new=False) == "at_risk"
    assert segment_of(5, 1, 1, new=True) == "new"
    assert segment_of(3, 1, 1, new=False) == "casual"


def test_a_big_spender_asking_to_buy_outranks_a_quiet_free_fan() -> None:
    buyer = chat_with([0.1, 1, 2, 3])
    buyer.tips = 600.0
    buyer.timeline[-1].topics = (taxonomy.PURCHASE_INTENT,)
    quiet = chat_with([0.1])
    hot, cold = score_chat(buyer, NOW), score_chat(quiet, NOW)
    assert hot.priority > cold.priority
    assert (
        "big_spender" in hot.priority_reasons and taxonomy.PURCHASE_INTENT in hot.priority_reasons
    )
    assert hot.rfm.endswith("M5") and hot.segment == "whale"


def test_churn_risk_rises_with_silence_leaving_talk_and_bad_mood() -> None:
    steady = chat_with([0.2, 1, 2, 3, 4, 5], direction_last="out")
    risk, reasons = churn(steady, NOW)
    assert risk < 0.2 and reasons == ()
    silent = chat_with([20, 21, 22, 23, 24], direction_last="out")
    risk_silent, reasons_silent = churn(silent, NOW)
    assert risk_silent > risk and "silent_for_long" in reasons_silent
    leaving = chat_with([0.2, 1, 2, 3])
    leaving.timeline[-1].topics = (taxonomy.LEAVING,)
    for line in leaving.timeline:
        line.sentiment = 0.2
    risk_leaving, reasons_leaving = churn(leaving, NOW)
    assert risk_leaving >= 0.6
    assert reasons_leaving[0] == "says_leaving" and "negative_mood" in reasons_leaving
    assert 0.0 <= risk_leaving <= 1.0


def test_a_draft_answers_the_most_actionable_topic_of_a_message() -> None:
    from services.enrichment.service import INTENT_ORDER  # noqa: PLC0415

    assert sorted(INTENT_ORDER) == sorted(taxonomy.TOPICS)  # every topic, once
    topics = (taxonomy.COMPLIMENT, taxonomy.CUSTOM_REQUEST, taxonomy.PRICING)
    assert min(topics, key=INTENT_ORDER.index) == taxonomy.CUSTOM_REQUEST
