"""ConversationNode: one chat summarized for the inbox, derived from the projection.

Priority (0..1) ranks what a chatter should answer first: 60% how long the fan has been
waiting (saturating at 24 h), 40% how much the fan has spent (log scale, saturating at $500).
"""

import math
from collections import Counter
from datetime import UTC, datetime

from contracts.models.graph import (
    ChatHistory,
    ConversationNode,
    FanRef,
    LastMessage,
    MessageCounts,
    Revenue,
)
from services.graph.state import Chat, CreatorState, Message

LAST_TEXT_CHARS = 280
TOP_TOPICS = 5
BIG_SPENDER = 100.0
CHURN_TAG = 0.6  # churn risk from which a chat is tagged `churn_risk`


def ms_to_datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


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


class ChatSummary:
    """The per-chat sums a ConversationNode shows, over the live (not deleted) messages.

    Built in one pass, then kept up to date in O(1) while messages are only appended at the
    end (a live chat): recomputing every sum over the whole chat for every new message made
    the delta path O(chat length).
    """

    __slots__ = (
        "inbound",
        "last",
        "last_read",
        "ppv",
        "ppv_purchased",
        "ppv_sent",
        "sentiment_n",
        "sentiment_sum",
        "tips",
        "topics",
        "total",
        "unread_after_read",
        "version",
        "waiting",
    )

    def __init__(self, chat: Chat) -> None:
        self.version = chat.version
        self.last_read = chat.last_read_message_id
        self.total = self.inbound = self.ppv_sent = self.ppv_purchased = 0
        self.unread_after_read = self.sentiment_n = 0
        self.tips = self.ppv = self.sentiment_sum = 0.0
        self.topics: Counter[str] = Counter()
        self.waiting: int | None = None
        self.last: Message | None = None
        messages = chat.messages
        for _, message_id in chat.order:
            message = messages[message_id]
            if not message.deleted:
                self._count(message)

    def _count(self, m: Message) -> None:
        self.total += 1
        self.last = m
        if m.direction == "in":
            self.inbound += 1
            self.tips += m.revenue
            if self.last_read is not None and m.message_id > self.last_read:
                self.unread_after_read += 1
            if m.sentiment is not None:
                self.sentiment_n += 1
                self.sentiment_sum += m.sentiment
            self.topics.update(m.topics)
            if self.waiting is None:
                self.waiting = m.created_at
        else:
            self.waiting = None
            if m.is_ppv:
                self.ppv_sent += 1
                self.ppv += m.revenue
                self.ppv_purchased += m.purchased

    def current(self, chat: Chat) -> "ChatSummary":
        """This summary brought up to `chat.version`: O(1) after an append, else rebuilt."""
        if self.version == chat.version:
            return self
        appended = chat.appended_at_version == chat.version == self.version + 1
        if appended and self.last_read == chat.last_read_message_id:
            newest = chat.messages[chat.order[-1][1]]
            if not newest.deleted:
                self._count(newest)
            self.version = chat.version
            return self
        return ChatSummary(chat)


def conversation_node(
    state: CreatorState, chat: Chat, now_ms: int, summary: ChatSummary | None = None
) -> ConversationNode:
    s = summary.current(chat) if summary is not None else ChatSummary(chat)
    derived = chat.last_read_message_id is not None and not chat.unread_from_page
    unread = s.unread_after_read if derived else chat.unread
    waiting = s.waiting
    last = s.last
    fan = state.fans.get(chat.chat_id)
    spend = s.tips + s.ppv
    tags = [
        tag
        for tag, on in (
            ("awaiting_reply", waiting is not None),
            ("big_spender", spend >= BIG_SPENDER),
            ("ppv_buyer", s.ppv_purchased > 0),
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
        counts=MessageCounts(total=s.total, inbound=s.inbound, outbound=s.total - s.inbound),
        unread=unread,
        awaiting_reply_since=ms_to_datetime(waiting) if waiting is not None else None,
        revenue=Revenue(tips=round(s.tips, 2), ppv=round(s.ppv, 2), total=round(spend, 2)),
        ppv_sent=s.ppv_sent,
        ppv_purchased=s.ppv_purchased,
        sentiment_mean=round(s.sentiment_sum / s.sentiment_n, 4) if s.sentiment_n else None,
        topics=[t for t, _ in s.topics.most_common(TOP_TOPICS)],
        tags=tags,
        priority=priority(
            waiting,
            now_ms,
            spend,
            chat.score.priority if waiting is not None and chat.score else None,
        ),
        history=ChatHistory(
            captured=len(chat.messages),
            complete=chat.coverage is not None and chat.coverage.complete,
            oldest_at=ms_to_datetime(chat.order[0][0]) if chat.order else None,
        ),
    )


class NodeCache:
    """ConversationNodes by chat, recomputed only when the chat or its fan changed.

    Priority depends on the clock, so a cached node is reused only within `max_age_ms`.
    """

    def __init__(self, max_age_ms: int = 60_000) -> None:
        self.max_age_ms = max_age_ms
        self._nodes: dict[tuple[int, int], tuple[tuple[object, ...], int, ConversationNode]] = {}
        self._summaries: dict[tuple[int, int], ChatSummary] = {}

    def node(self, state: CreatorState, chat: Chat, now_ms: int) -> ConversationNode:
        fan = state.fans.get(chat.chat_id)
        coverage = chat.coverage.event_id if chat.coverage else None
        key = (chat.version, fan.name if fan else None, fan.username if fan else None, coverage)
        slot = (state.creator_id, chat.chat_id)
        cached = self._nodes.get(slot)
        if cached is not None and cached[0] == key and now_ms - cached[1] < self.max_age_ms:
            return cached[2]
        summary = self._summaries.get(slot)
        if summary is None:
            summary = ChatSummary(chat)
        summary = summary.current(chat)
        self._summaries[slot] = summary
        node = conversation_node(state, chat, now_ms, summary)
        self._nodes[slot] = (key, now_ms, node)
        return node

    def forget(self, creator_id: int) -> None:
        for slot in [s for s in self._nodes if s[0] == creator_id]:
            del self._nodes[slot]
        for slot in [s for s in self._summaries if s[0] == creator_id]:
            del self._summaries[slot]

    def nodes(self, state: CreatorState, now_ms: int) -> list[ConversationNode]:
        return [self.node(state, chat, now_ms) for chat in state.chats.values()]
