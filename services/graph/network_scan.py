"""One pass over the creators' states: each live conversation's totals and each fan's.

The first step of `network_build`. Deleted messages are left out; a chat with no live message
is no conversation. Chats are read in id order and messages oldest first, so sums of money come
out the same whatever order the events were folded in.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from services.graph.state import CreatorState, Fan


@dataclass(slots=True)
class FanRecord:
    """What the network knows about one fan, across every creator in it."""

    fan_id: int
    label: str
    username: str | None
    creator_ids: list[int] = field(default_factory=list)
    messages: int = 0
    inbound: int = 0
    lifetime_spend: float = 0.0
    topics: dict[str, int] = field(default_factory=dict)  # topic → inbound messages


@dataclass(slots=True)
class ConversationTotals:
    creator_id: int
    fan_id: int
    messages: int
    inbound: int
    tips: float
    ppv: float
    last_at: int
    topics: dict[str, int]


def fan_label(fan: Fan | None, fan_id: int) -> str:
    if fan is not None and fan.name:
        return fan.name
    if fan is not None and fan.username:
        return f"@{fan.username}"
    return f"fan {fan_id}"


def scan_conversations(state: CreatorState) -> list[ConversationTotals]:
    """The creator's live conversations, by fan id; one pass over each chat's messages."""
    found = []
    for chat_id in sorted(state.chats):
        chat = state.chats[chat_id]
        messages = chat.messages
        count = inbound = last_at = 0
        tips = ppv = 0.0
        topics: dict[str, int] = {}
        for _, message_id in chat.order:
            message = messages[message_id]
            if message.deleted:
                continue
            count += 1
            last_at = message.created_at
            # Only tips and PPVs earn (Message.revenue); skipping the call saves ~10% of a build.
            revenue = message.revenue if message.is_tip or message.is_ppv else 0.0
            if message.direction == "in":
                inbound += 1
                tips += revenue
                mentioned = message.topics
                if len(mentioned) > 1:
                    mentioned = tuple(dict.fromkeys(mentioned))
                for topic in mentioned:
                    topics[topic] = topics.get(topic, 0) + 1
            else:
                ppv += revenue
        if count:
            found.append(
                ConversationTotals(
                    state.creator_id, chat_id, count, inbound, tips, ppv, last_at, topics
                )
            )
    return found


def fan_records(
    states: Sequence[CreatorState], conversations: list[ConversationTotals]
) -> dict[int, FanRecord]:
    """Fan id → its totals over every creator; name and username are the first known ones in
    the creators' states (by creator id)."""
    fans: dict[int, FanRecord] = {}
    for conv in conversations:
        record = fans.get(conv.fan_id)
        if record is None:
            profiles = [s.fans[conv.fan_id] for s in states if conv.fan_id in s.fans]
            profile = Fan(
                conv.fan_id,
                name=next((f.name for f in profiles if f.name), None),
                username=next((f.username for f in profiles if f.username), None),
            )
            label = fan_label(profile, conv.fan_id)
            record = fans[conv.fan_id] = FanRecord(conv.fan_id, label, profile.username)
        record.creator_ids.append(conv.creator_id)
        record.messages += conv.messages
        record.inbound += conv.inbound
        record.lifetime_spend += conv.tips + conv.ppv
        for topic, mentions in conv.topics.items():
            record.topics[topic] = record.topics.get(topic, 0) + mentions
    return dict(sorted(fans.items()))
