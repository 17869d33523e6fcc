"""Analytics depend on the facts, not on the order they arrived in or how often.

Events about a message (deleted, tip, purchase) follow its `message_added`, as they do on the
stream; everything else is shuffled freely, split into snapshot and deltas, and replayed.
"""

from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.events import (
    Event,
    FanProfileSeen,
    MessageAdded,
    MessageDeleted,
    MessageScored,
    PpvPurchased,
    TipReceived,
    make_event_id,
)
from services.graph.analytics import compute_analytics
from services.graph.state import CreatorState
from tests.graph.test_analytics_support import CREATOR, at, message_added

WINDOW = (at(500), at(2000))
NOW = at(2500)


@dataclass(frozen=True)
class Spec:
    chat_id: int
    minute: int
    direction: Literal["in", "out"]
    price: float
    bought: bool
    score: tuple[float, tuple[str, ...]] | None
    deleted: bool


specs = st.builds(
    Spec,
    chat_id=st.integers(1, 4),
    minute=st.integers(-1000, 2600) | st.sampled_from([0, 10, 40, 1500]),
    direction=st.sampled_from(["in", "out"]),
    price=st.sampled_from([0.0, 0.0, 3.0, 9.99]),
    bought=st.booleans(),
    score=st.none()
    | st.tuples(
        st.sampled_from([0.1, 0.3, 0.7, 0.95]),
        st.lists(st.sampled_from(["ppv", "custom", "hi"]), max_size=2, unique=True).map(tuple),
    ),
    deleted=st.booleans(),
)


def id_of(*parts: Any) -> str:
    return make_event_id(":".join(map(str, (CREATOR, *parts))))


def events_of(messages: list[Spec]) -> list[Event]:
    events: list[Event] = [
        FanProfileSeen(event_id=id_of(fan, "fan"), creator_id=CREATOR, fan_id=fan, name=f"F{fan}")
        for fan in {m.chat_id for m in messages}
    ]
    for message_id, m in enumerate(messages, start=1):
        tip, ppv = m.direction == "in" and m.price > 0, m.direction == "out" and m.price > 0
        events.append(
            message_added(
                m.chat_id,
                message_id,
                m.direction,
                at(m.minute),
                price=m.price,
                is_free=not ppv,
                is_tip=tip,
                is_ppv=ppv,
            )
        )
        key = (m.chat_id, message_id)
        if m.score is not None:
            events.append(
                MessageScored(
                    event_id=id_of(*key, "scored"),
                    creator_id=CREATOR,
                    chat_id=m.chat_id,
                    message_id=message_id,
                    sentiment=m.score[0],
                    topics=m.score[1],
                    model="t",
                )
            )
        if m.deleted:
            events.append(
                MessageDeleted(
                    event_id=id_of(*key, "deleted"),
                    creator_id=CREATOR,
                    chat_id=m.chat_id,
                    message_id=message_id,
                )
            )
        if tip:
            events.append(
                TipReceived(
                    event_id=id_of(*key, "tip"),
                    creator_id=CREATOR,
                    chat_id=m.chat_id,
                    message_id=message_id,
                    fan_id=m.chat_id,
                    amount=m.price,
                    created_at=0,
                )
            )
        if ppv and m.bought:
            events.append(
                PpvPurchased(
                    event_id=id_of(*key, "bought"),
                    creator_id=CREATOR,
                    chat_id=m.chat_id,
                    message_id=message_id,
                    fan_id=m.chat_id,
                    price=m.price,
                )
            )
    return events


def after_their_message(events: list[Event]) -> list[Event]:
    """The same events, each delete/tip/purchase moved just after its message's `message_added`."""
    added: set[int] = set()
    waiting: dict[int, list[Event]] = {}
    ordered: list[Event] = []
    for event in events:
        if isinstance(event, MessageAdded):
            added.add(event.message_id)
            ordered.append(event)
            ordered.extend(waiting.pop(event.message_id, []))
        elif isinstance(event, MessageDeleted | TipReceived | PpvPurchased) and (
            event.message_id not in added
        ):
            waiting.setdefault(event.message_id, []).append(event)
        else:
            ordered.append(event)
    return ordered


def analytics_of(*batches: list[Event]) -> dict[str, Any]:
    """Analytics after applying the batches in turn (computed after each: it must not mutate)."""
    state = CreatorState(CREATOR)
    result: dict[str, Any] = {}
    for batch in batches:
        for event in batch:
            state.apply(event)
        result = compute_analytics(state, *WINDOW, NOW).model_dump()
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=st.lists(specs, max_size=30), data=st.data())
def test_any_order_split_and_replay_give_the_same_analytics(
    messages: list[Spec], data: st.DataObject
) -> None:
    events = events_of(messages)
    expected = analytics_of(events)
    shuffled = after_their_message(data.draw(st.permutations(events)))
    split = data.draw(st.integers(0, len(shuffled)))
    replay = after_their_message(data.draw(st.permutations(events)))
    assert analytics_of(shuffled) == expected
    assert analytics_of(shuffled[:split], shuffled[split:]) == expected  # snapshot, then deltas
    assert analytics_of(shuffled, replay) == expected
