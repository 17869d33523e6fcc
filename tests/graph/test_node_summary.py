"""The inbox node kept up to date per event (`NodeCache`, O(1) per appended message) equals
the node computed afresh from the whole chat, whatever the events and their order."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.events import ChatSeen, Event, MessageAdded, MessageRead
from contracts.models.graph import ConversationNode
from services.graph.analytics.sessions import live_messages
from services.graph.state import Chat, CreatorState
from services.graph.views import NodeCache, conversation_node
from tests.graph.test_analytics_properties import (
    NOW,
    Spec,
    after_their_message,
    events_of,
    id_of,
    specs,
)
from tests.graph.test_analytics_support import CREATOR


def reference(state: CreatorState, chat: Chat) -> dict[str, object]:
    """The node's sums, straight from their definitions over the live messages."""
    messages = live_messages(chat)
    inbound = [m for m in messages if m.direction == "in"]
    ppv_out = [m for m in messages if m.direction == "out" and m.is_ppv]
    waiting = None
    for m in reversed(messages):
        if m.direction == "out":
            break
        waiting = m.created_at
    scores = [m.sentiment for m in inbound if m.sentiment is not None]
    last_read = chat.last_read_message_id
    return {
        "total": len(messages),
        "inbound": len(inbound),
        "unread": chat.unread
        if last_read is None
        else sum(1 for m in inbound if m.message_id > last_read),
        "tips": round(sum(m.revenue for m in inbound), 2),
        "ppv": round(sum(m.revenue for m in ppv_out), 2),
        "ppv_sent": len(ppv_out),
        "ppv_purchased": sum(1 for m in ppv_out if m.purchased),
        "sentiment": round(sum(scores) / len(scores), 4) if scores else None,
        "topics": sorted({t for m in inbound for t in m.topics}),
        "waiting": waiting,
        "last": messages[-1].message_id if messages else None,
    }


def sums(node: ConversationNode, chat: Chat) -> dict[str, object]:
    waiting = node.awaiting_reply_since
    return {
        "total": node.counts.total,
        "inbound": node.counts.inbound,
        "unread": node.unread,
        "tips": node.revenue.tips,
        "ppv": node.revenue.ppv,
        "ppv_sent": node.ppv_sent,
        "ppv_purchased": node.ppv_purchased,
        "sentiment": node.sentiment_mean,
        "topics": sorted(node.topics),  # at most 3 distinct topics here, under the top 5
        "waiting": round(waiting.timestamp() * 1000) if waiting else None,
        "last": live_messages(chat)[-1].message_id if node.last_message else None,
    }


def reads(events: list[Event], every: int) -> list[Event]:
    """Mark the chat read up to each `every`-th inbound message, right after it."""
    out: list[Event] = []
    for n, event in enumerate(events):
        out.append(event)
        if isinstance(event, MessageAdded) and event.direction == "in" and n % every == 0:
            out.append(
                MessageRead(
                    event_id=id_of(event.chat_id, event.message_id, "read"),
                    creator_id=CREATOR,
                    chat_id=event.chat_id,
                    message_id=event.message_id,
                )
            )
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(specs, min_size=1, max_size=40), st.integers(2, 7), st.booleans())
def test_the_cached_node_equals_a_fresh_one_after_every_event(
    messages: list[Spec], every: int, in_time_order: bool
) -> None:
    if in_time_order:  # a live chat: every message is the newest (the O(1) path)
        messages = sorted(messages, key=lambda m: m.minute)
    events = reads(after_their_message(events_of(messages)), every)
    state, cache = CreatorState(CREATOR), NodeCache()
    for event in events:
        for chat_id in state.apply(event):
            chat = state.chats.get(chat_id)
            if chat is None:
                continue
            node = cache.node(state, chat, NOW)
            assert node == conversation_node(state, chat, NOW)
            assert sums(node, chat) == reference(state, chat)


def test_appending_in_order_does_not_rebuild_the_summary() -> None:
    state, cache = CreatorState(CREATOR), NodeCache()
    specs_in_order = [Spec(1, minute, "in", 0.0, False, None, False) for minute in range(5)]
    events = [e for e in events_of(specs_in_order) if isinstance(e, MessageAdded)]
    state.apply(events[0])
    cache.node(state, state.chats[1], NOW)
    first = cache._summaries[(CREATOR, 1)]
    for event in events[1:]:
        state.apply(event)
        node = cache.node(state, state.chats[1], NOW)
    assert cache._summaries[(CREATOR, 1)] is first
    assert node.counts.total == 5
    state.apply(
        ChatSeen(
            event_id=id_of(1, "seen"),
            creator_id=CREATOR,
            chat_id=1,
            unread_count=0,
            last_read_message_id=5,
            can_send_message=True,
        )
    )
    assert cache.node(state, state.chats[1], NOW).unread == 0
    assert cache._summaries[(CREATOR, 1)] is not first
