"""Builders for the analytics tests: small conversations written as (minute, direction) scripts.

Named like a test module because the analytics tests own `tests/graph/test_analytics_*`; it
holds no tests. Time 0 is Monday 2025-06-16 00:00 UTC, so weekday and hour are easy to read.
"""

from dataclasses import dataclass, field
from typing import Any, Literal

from contracts.events import MessageAdded, make_event_id
from services.graph.state import Chat, CreatorState, Fan, Message

T0 = 1_750_032_000_000  # Monday 2025-06-16 00:00:00 UTC
MIN = 60_000
HOUR = 60 * MIN
DAY = 24 * HOUR
CREATOR = 7


def at(minute: float) -> int:
    """Epoch ms `minute` minutes after T0."""
    return T0 + round(minute * MIN)


@dataclass
class Line:
    """One message of a script: when (minutes after T0), which way, and any Message field."""

    minute: float
    direction: Literal["in", "out"]
    extra: dict[str, Any] = field(default_factory=dict)


def fan(minute: float, **extra: Any) -> Line:
    return Line(minute, "in", extra)


def me(minute: float, **extra: Any) -> Line:
    return Line(minute, "out", extra)


def add_chat(state: CreatorState, chat_id: int, *lines: Line, name: str | None = None) -> Chat:
    """Adds a chat whose messages follow the script; message ids are chat_id * 1000 + position."""
    chat = state.chat(chat_id)
    if name is not None:
        state.fans[chat_id] = Fan(chat_id, name=name, username=name.lower())
    for position, line in enumerate(lines):
        chat.add(
            Message(
                message_id=chat_id * 1000 + position,
                chat_id=chat_id,
                direction=line.direction,
                created_at=at(line.minute),
                text="",
                **line.extra,
            )
        )
    return chat


def state_of(*chats: tuple[Line, ...]) -> CreatorState:
    """A creator whose chats 1, 2, … follow the scripts."""
    state = CreatorState(CREATOR)
    for chat_id, lines in enumerate(chats, start=1):
        add_chat(state, chat_id, *lines)
    return state


def message_added(
    chat_id: int, message_id: int, direction: Literal["in", "out"], created_at: int, **kw: Any
) -> MessageAdded:
    fields: dict[str, Any] = {
        "price": 0.0,
        "is_free": True,
        "is_tip": False,
        "is_ppv": False,
        "is_opened": False,
    } | kw
    return MessageAdded(
        event_id=make_event_id(f"{CREATOR}:{chat_id}:{message_id}:message_added:0"),
        creator_id=CREATOR,
        chat_id=chat_id,
        message_id=message_id,
        direction=direction,
        sender_id=chat_id if direction == "in" else CREATOR,
        created_at=created_at,
        text_html="",
        text_plain="",
        media_count=0,
        media_types=(),
        source="snapshot",
        **fields,
    )
