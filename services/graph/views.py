"""ConversationNode: one chat summarized for the inbox, derived from the projection.

Priority (0..1) ranks what a chatter should answer first: 60% how long the fan has been
waiting (saturating at 24 h), 40% how much the fan has spent (log scale, saturating at $500).
"""

import math
from collections import Counter
from datetime import UTC, datetime

from contracts.models.graph import ConversationNode, FanRef, LastMessage, MessageCounts, Revenue
from services.graph.state import Chat, CreatorState, Message

LAST_TEXT_CHARS = 280
TOP_TOPICS = 5
BIG_SPENDER = 100.0
CHURN_TAG = 0.6  # churn risk from which a chat is tagged `churn_risk`


def ms_to_datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def live_messages(chat: Chat) -> list[Message]:
    """The chat's messages oldest first, deleted ones left out."""
    return [m for m in chat.ordered() if not m.deleted]


def awaiting_since(messages: list[Message]) -> int | None:
    """Epoch ms of the first fan message of the trailing unanswered run, if the fan is waiting."""
    since = None
    for message in reversed(messages):
        if message.direction == "out":
            break
        since = message.created_at
    return since


def priority(
    waiting_ms: int | None, now_ms: int, spend: float, scored: float | None = None
) -> float:
    """How urgently the chat wants an answer: waiting time, plus the fan's value, or
    enrichment's chat priority (value, intent, churn risk) when it has scored the chat."""
    waiting = 0.0 if waiting_ms is None else min(1.0, (now_ms - waiting_ms) / 86_400_000)
    value = min(1.0, math.log1p(max(spend, 0.0)) / math.log1p(500.0))
    if scored is not None:
        value = max(value, scored)
    return round(0.6 * max(waiting, 0.0) + 0.4 * value, 4)


def conversation_node(state: CreatorState, chat: Chat, now_ms: int) -> ConversationNode:
    messages = live_messages(chat)
    inbound = [m for m in messages if m.direction == "in"]
    tips = sum(m.revenue for m in inbound)
    ppv_out = [m for m in messages if m.direction == "out" and m.is_ppv]
    ppv = sum(m.revenue for m in ppv_out)
    if chat.last_read_message_id is not None:
        unread = sum(1 for m in inbound if m.message_id > chat.last_read_message_id)
    else:
        unread = chat.unread
    scores = [m.sentiment for m in inbound if m.sentiment is not None]
    topics = Counter(t for m in inbound for t in m.topics)
    waiting = awaiting_since(messages)
    last = messages[-1] if messages else None
    fan = state.fans.get(chat.chat_id)
    spend = tips + ppv
    tags = [
        tag
        for tag, on in (
            ("awaiting_reply", waiting is not None),
            ("big_spender", spend >= BIG_SPENDER),
            ("ppv_buyer", any(m.purchased for m in ppv_out)),
            ("cannot_message", not chat.can_send_message),
            ("churn_risk", chat.score is not None and chat.score.churn_risk >= CHURN_TAG),
        )
        if on
    ]
    if chat.score is not None:
        tags.append(f"segment:{chat.score.segment}")
    return ConversationNode(
        user_id=str(state.creator_id),
        chat_id=str(chat.chat_id),
        fan=FanRef(
            id=str(chat.chat_id),
            name=fan.name if fan else None,
            username=fan.username if fan else None,
        ),
        last_message=LastMessage(
            text=last.text[:LAST_TEXT_CHARS],
            at=ms_to_datetime(last.created_at),
            direction=last.direction,
        )
        if last
        else None,
        counts=MessageCounts(
            total=len(messages), inbound=len(inbound), outbound=len(messages) - len(inbound)
        ),
        unread=unread,
        awaiting_reply_since=ms_to_datetime(waiting) if waiting is not None else None,
        revenue=Revenue(tips=round(tips, 2), ppv=round(ppv, 2), total=round(spend, 2)),
        ppv_sent=len(ppv_out),
        ppv_purchased=sum(1 for m in ppv_out if m.purchased),
        sentiment_mean=round(sum(scores) / len(scores), 4) if scores else None,
        topics=[t for t, _ in topics.most_common(TOP_TOPICS)],
        tags=tags,
        priority=priority(
            waiting,
            now_ms,
            spend,
            chat.score.priority if waiting is not None and chat.score else None,
        ),
    )


class NodeCache:
    """ConversationNodes by chat, recomputed only when the chat or its fan changed.

    Priority depends on the clock, so a cached node is reused only within `max_age_ms`.
    """

    def __init__(self, max_age_ms: int = 60_000) -> None:
        self.max_age_ms = max_age_ms
        self._nodes: dict[tuple[int, int], tuple[tuple[object, ...], int, ConversationNode]] = {}

    def node(self, state: CreatorState, chat: Chat, now_ms: int) -> ConversationNode:
        fan = state.fans.get(chat.chat_id)
        key = (chat.version, fan.name if fan else None, fan.username if fan else None)
        slot = (state.creator_id, chat.chat_id)
        cached = self._nodes.get(slot)
        if cached is not None and cached[0] == key and now_ms - cached[1] < self.max_age_ms:
            return cached[2]
        node = conversation_node(state, chat, now_ms)
        self._nodes[slot] = (key, now_ms, node)
        return node

    def forget(self, creator_id: int) -> None:
        for slot in [s for s in self._nodes if s[0] == creator_id]:
            del self._nodes[slot]

    def nodes(self, state: CreatorState, now_ms: int) -> list[ConversationNode]:
        return [self.node(state, chat, now_ms) for chat in state.chats.values()]
