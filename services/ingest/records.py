"""One decoded OnlyFans record (message or chat) → the domain events it implies.

Pure and stateless: the same record always gives the same events with the same ids, so a
message seen again (snapshot and delta, fetch and websocket, redelivery) is deduplicated
downstream by `event_id`. A record that cannot be mapped raises `RecordError(reason)`; callers
turn it into a `RecordRejected` event.
"""

from contracts.events import (
    ChatSeen,
    Direction,
    Event,
    FanProfileSeen,
    MessageAdded,
    MessageDeleted,
    MessageEdited,
    MessageRead,
    PpvPurchased,
    PpvSent,
    Source,
    TipReceived,
    make_event_id,
)
from services.ingest.onlyfans_types import ChatRaw, MessageRaw, RawTimestamp, UserRaw
from services.ingest.text import html_to_text, timestamp_ms

# No OnlyFans price or tip comes near this; a larger one is a broken record, not money.
MAX_PRICE = 1_000_000.0
# OnlyFans messages are a few thousand characters at most; a longer text is cut here so one
# record cannot make every projection hold megabytes (the rest of the message is kept).
MAX_TEXT_CHARS = 20_000


class RecordError(Exception):
    """A record that cannot become events; `reason` is a short, stable, text-free code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def message_events(
    creator_id: int, chat_hint: int | None, source: Source, msg: MessageRaw
) -> list[Event]:
    """A message → its events, `MessageAdded` first.

    The chat is `chat_hint` (the payload's `chatId`), else the message's own `chatId`, else the
    sender when the sender is a fan. Raises `RecordError` with reason `no_sender`, `no_chat_id`,
    `foreign_sender`, `bad_timestamp` or `bad_price`.
    """
    sender = msg.from_user
    if sender is None:
        raise RecordError("no_sender")
    sender_id = sender.id
    chat_id = chat_hint if chat_hint is not None else msg.chat_id
    if chat_id is None:
        if sender_id == creator_id:
            raise RecordError("no_chat_id")
        chat_id = sender_id
    direction: Direction
    if sender_id == creator_id:
        direction = "out"
    elif sender_id == chat_id:
        direction = "in"
    else:
        raise RecordError("foreign_sender")

    created_raw = msg.created_at
    if created_raw is None:
        raise RecordError("bad_timestamp")
    try:
        created_at = timestamp_ms(created_raw)
    except (ValueError, TypeError):
        raise RecordError("bad_timestamp") from None
    price = 0.0 if msg.price is None else msg.price
    if not 0.0 <= price <= MAX_PRICE:  # also refuses NaN
        raise RecordError("bad_price")
    is_free = price == 0.0 if msg.is_free is None else msg.is_free
    is_tip = msg.is_tip is True
    is_opened = msg.is_opened if msg.is_opened is not None else msg.is_open is True
    media = msg.media or ()
    media_count = len(media) if msg.media_count is None else msg.media_count
    is_ppv = direction == "out" and price > 0.0 and not is_free and not is_tip
    text_html = (msg.text or "")[:MAX_TEXT_CHARS]
    message_id = msg.id

    # By position: this runs once per message and keywords cost ~5x more (field order as in
    # contracts.events.MessageAdded).
    added = MessageAdded(
        chat_id,
        message_id,
        direction,
        sender_id,
        created_at,
        text_html,
        html_to_text(text_html),
        price,
        is_free,
        is_tip,
        media_count,
        tuple([m.type or "unknown" for m in media]) if media else (),
        is_ppv,
        is_opened,
        source,
        msg.is_from_queue is True,
        event_id=make_event_id(f"{creator_id}:{chat_id}:{message_id}:message_added:0"),
        creator_id=creator_id,
    )
    events: list[Event] = [added]
    if direction == "in" and (sender.name is not None or sender.username is not None):
        events.append(fan_profile(creator_id, sender))
    changed_raw = msg.changed_at
    # Usually the very same string as createdAt: skip parsing it twice.
    changed_at = created_at if changed_raw == created_raw else _optional_ms(changed_raw)
    if (
        is_tip
        or is_ppv
        or changed_at != created_at
        or msg.is_deleted is not None
        or msg.deleted_at is not None
    ):
        _add_derived_events(added, msg, changed_at, events)
    return events


def _add_derived_events(
    added: MessageAdded, msg: MessageRaw, changed_at: int | None, events: list[Event]
) -> None:
    """Tips, PPV offers and purchases, edits and deletions implied by one message."""
    creator_id = added.creator_id
    chat_id = added.chat_id
    message_id = added.message_id
    key = f"{creator_id}:{chat_id}:{message_id}:"
    if added.is_tip and added.direction == "in":
        events.append(
            TipReceived(
                chat_id,
                message_id,
                added.sender_id,
                added.price,
                added.created_at,
                event_id=make_event_id(key + "tip_received:0"),
                creator_id=creator_id,
            )
        )
    if added.is_ppv:
        events.append(
            PpvSent(
                chat_id,
                message_id,
                added.price,
                added.media_count,
                added.created_at,
                event_id=make_event_id(key + "ppv_sent:0"),
                creator_id=creator_id,
            )
        )
        # The creator's own PPV always shows canPurchase false (a guess); opened = bought.
        if added.is_opened and msg.can_purchase is not True:
            events.append(
                PpvPurchased(
                    chat_id,
                    message_id,
                    chat_id,
                    added.price,
                    changed_at,
                    event_id=make_event_id(key + "ppv_purchased:0"),
                    creator_id=creator_id,
                )
            )
    if changed_at is not None and changed_at > added.created_at:
        events.append(
            MessageEdited(
                event_id=make_event_id(f"{key}message_edited:{changed_at}"),
                creator_id=creator_id,
                chat_id=chat_id,
                message_id=message_id,
                changed_at=changed_at,
                text_html=added.text_html,
                text_plain=added.text_plain,
                price=added.price,
            )
        )
    if msg.is_deleted is True or msg.deleted_at is not None:
        events.append(
            MessageDeleted(
                event_id=make_event_id(key + "message_deleted:0"),
                creator_id=creator_id,
                chat_id=chat_id,
                message_id=message_id,
                deleted_at=_optional_ms(msg.deleted_at),
            )
        )


def _observed(capture_seq: int | None) -> str:
    return "" if capture_seq is None else f":{capture_seq}"


def fan_profile(creator_id: int, user: UserRaw, capture_seq: int | None = None) -> FanProfileSeen:
    """A stub or full user → `FanProfileSeen`; a changed name/username/avatar is a new id.

    `capture_seq`: the `chat_update` frame's position in `AGENT_IN` that carried it (None for a
    snapshot or a message's sender); part of the id, since a name can change back."""
    revision = f"{user.name}\x1f{user.username}\x1f{user.avatar}{_observed(capture_seq)}"
    return FanProfileSeen(
        event_id=make_event_id(f"{creator_id}:{user.id}:fan_profile_seen:{revision}"),
        creator_id=creator_id,
        fan_id=user.id,
        name=user.name,
        username=user.username,
        avatar=user.avatar,
        capture_seq=capture_seq,
    )


def chat_seen(
    creator_id: int, chat: ChatRaw, last_message_id: int | None, capture_seq: int | None = None
) -> ChatSeen:
    """A chat-list item → `ChatSeen`; the id changes whenever the shown state changes, and
    with `capture_seq` (a live `chat_update`) at every capture: unread 0 → 3 → 0 is three facts."""
    chat_id = chat.with_user.id
    state = (
        chat.unread_messages_count or 0,
        chat.last_read_message_id or None,
        last_message_id,
        chat.has_purchased_feed is True,
        chat.has_unread_tips is True,
        chat.count_pinned_messages or 0,
        chat.can_send_message is not False,
        chat.is_muted_notifications is True,
    )
    return ChatSeen(
        event_id=make_event_id(f"{creator_id}:{chat_id}:chat_seen:{state}{_observed(capture_seq)}"),
        creator_id=creator_id,
        chat_id=chat_id,
        unread_count=state[0],
        last_read_message_id=state[1],
        last_message_id=last_message_id,
        has_purchased_feed=state[3],
        has_unread_tips=state[4],
        pinned_count=state[5],
        can_send_message=state[6],
        is_muted=state[7],
        capture_seq=capture_seq,
    )


def message_read(creator_id: int, chat: ChatRaw) -> MessageRead | None:
    """The creator's read pointer of a chat (`lastReadMessageId` > 0) → `MessageRead`."""
    last_read = chat.last_read_message_id
    if last_read is None or last_read <= 0:
        return None
    chat_id = chat.with_user.id
    return MessageRead(
        event_id=make_event_id(f"{creator_id}:{chat_id}:{last_read}:message_read:0"),
        creator_id=creator_id,
        chat_id=chat_id,
        message_id=last_read,
    )


def _optional_ms(value: RawTimestamp | None) -> int | None:
    """An auxiliary timestamp (`changedAt`, `deletedAt`): unreadable counts as absent."""
    if value is None:
        return None
    try:
        return timestamp_ms(value)
    except (ValueError, TypeError):
        return None
