"""Domain events: what `ingest` publishes on `events.<user>…` and projections fold.

Why msgspec and not pydantic here: these values sit on the hot path (a 1M-message snapshot
becomes well over 1M events, each encoded once and decoded by every projection), and frozen
msgspec Structs with `gc=False` encode/decode several times faster than pydantic models and do
not feed the cyclic GC. Pydantic models (`contracts.models`) stay at the wire edges: the WS
envelope, REST and schema export. One model per concept: the events exist only here.

Every event is a frozen, versioned (`v`) value in a tagged union (`kind`). `gc=False` is safe
because an event holds only scalars and tuples of strings, so it can never be part of a cycle.
The common fields (`event_id`, `creator_id`, `v`) are keyword-only; each event's own fields may
also be given by position, which the hot path does (several times cheaper than keywords).

`event_id` is derived from the event's content identity, never from when or how it was seen:
`make_event_id(f"{creator}:{scope…}:{kind}:{revision}")` → 32 hex chars (blake2b-128). The same
message seen in a snapshot and a delta, by fetch and by websocket, or redelivered, yields the
same ids, so `event_id` is used as `Nats-Msg-Id`. Key layouts (kind = the `kind` tag):

- message events: `creator:chat:message:kind:revision`; revision is `0`, except for
  `message_edited` where it is the `changedAt` instant in epoch ms.
- `chat_seen`: `creator:chat:chat_seen:<state>` (a new state is a new event), plus
  `:<capture_seq>` when a live `chat_update` carried it (a state can come back).
- `message_read`: `creator:chat:<last read message id>:message_read:0`.
- `fan_profile_seen`: `creator:fan:fan_profile_seen:<name>\\x1f<username>\\x1f<avatar>`, plus
  `:<capture_seq>` from a live `chat_update`.
- `message_scored`: `creator:chat:message:message_scored:<model>`.
- `chat_scored`: `creator:chat:chat_scored:<digest of the scores>` (a new reading, a new event).
- `reply_suggested`: `creator:chat:<reply_to>:reply_suggested:<model>`; `draft_id` = `event_id`.
- `snapshot_replaced`: `creator:snapshot:<snapshot_id>:snapshot_replaced:0`.
- `chat_coverage_seen`: `creator:chat:chat_coverage_seen:<complete>:<oldest id>:<messages>`.
- `capture_progressed`: `creator:capture:capture_progressed:<state>:<done>/<total>:<list
  complete>:<chats known>:<rate limited until>:<requests>`.
- `record_rejected`: `creator:<where>:record_rejected:<reason>` where `where` is
  `snapshot_id:record_kind:position` or, for a delta, the blake2b of the raw bytes.
"""

import hashlib
from typing import Literal

import msgspec

Direction = Literal["in", "out"]
Source = Literal["snapshot", "fetch", "xhr", "websocket"]
RecordKind = Literal["chat", "message", "delta"]


def make_event_id(key: str) -> str:
    """Hash an identity key (layouts in the module docstring) to a 32-char hex event id."""
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


class _Event(msgspec.Struct, frozen=True, kw_only=True, gc=False, tag_field="kind"):
    event_id: str
    creator_id: int
    v: int = 1


class ChatSeen(_Event, tag="chat_seen", frozen=True):
    """A chat-list item as the page showed it: unread counter, read pointer and flags."""

    chat_id: int
    unread_count: int
    last_read_message_id: int | None
    last_message_id: int | None = None
    has_purchased_feed: bool = False
    has_unread_tips: bool = False
    pinned_count: int = 0
    can_send_message: bool = True
    is_muted: bool = False
    # The live `chat_update` frame's position in AGENT_IN (None from a snapshot): orders live
    # readings of one chat, so an older one replayed later does not undo a newer one.
    capture_seq: int | None = None


class FanProfileSeen(_Event, tag="fan_profile_seen", frozen=True):
    """A fan's user object: a stub `{id, _view}` (name/username None) or a full user."""

    fan_id: int
    name: str | None = None
    username: str | None = None
    avatar: str | None = None
    capture_seq: int | None = None  # as ChatSeen's: set by a live `chat_update`


class MessageAdded(_Event, tag="message_added", frozen=True):
    """A message exists. `created_at` is epoch ms UTC; `price` is in dollars."""

    chat_id: int
    message_id: int
    direction: Direction
    sender_id: int
    created_at: int
    text_html: str
    text_plain: str
    price: float
    is_free: bool
    is_tip: bool
    media_count: int
    media_types: tuple[str, ...]
    is_ppv: bool
    is_opened: bool
    source: Source
    is_from_queue: bool = False


class MessageEdited(_Event, tag="message_edited", frozen=True):
    """A message whose `changedAt` is later than its `createdAt`; one event per revision.

    OnlyFans may move `changedAt` for more than text edits (a purchase, say): compare texts.
    """

    chat_id: int
    message_id: int
    changed_at: int
    text_html: str
    text_plain: str
    price: float


class MessageDeleted(_Event, tag="message_deleted", frozen=True):
    """A message marked deleted or unsent (`isDeleted` / `deletedAt` when OnlyFans sends them)."""

    chat_id: int
    message_id: int
    deleted_at: int | None = None


class TipReceived(_Event, tag="tip_received", frozen=True):
    """A fan's tip message (`isTip`); the amount is the message's `price` (a guess, see docs)."""

    chat_id: int
    message_id: int
    fan_id: int
    amount: float
    created_at: int


class PpvSent(_Event, tag="ppv_sent", frozen=True):
    """A creator message with a price that is not free: pay-per-view content offered."""

    chat_id: int
    message_id: int
    price: float
    media_count: int
    created_at: int


class PpvPurchased(_Event, tag="ppv_purchased", frozen=True):
    """A creator PPV message seen opened (bought); at most one per message."""

    chat_id: int
    message_id: int
    fan_id: int
    price: float
    seen_changed_at: int | None = None


class MessageRead(_Event, tag="message_read", frozen=True):
    """The creator has read the chat up to and including `message_id`."""

    chat_id: int
    message_id: int
    reader: Literal["creator", "fan"] = "creator"


class MessageScored(_Event, tag="message_scored", frozen=True):
    """Enrichment's reading of a message: sentiment 0..1 (0.5 neutral) and topics.

    One per message and model version (`model`); a newer model's score replaces an older one.
    """

    chat_id: int
    message_id: int
    sentiment: float
    topics: tuple[str, ...]
    model: str
    entities: tuple[str, ...] = ()  # "money:25", "link:<url>", "handle:<platform>:<name>"


class ChatScored(_Event, tag="chat_scored", frozen=True):
    """Enrichment's reading of a chat and its fan, at `at` (epoch ms).

    `segment` is the fan's RFM tier (`new`, `whale`, `loyal`, `promising`, `at_risk`, `lapsed`,
    `casual`); `rfm` is its recency/frequency/monetary quintile code, e.g. `R5F3M4`.
    `priority` (0..1) is how much answering this chat matters beyond waiting time: the graph
    combines it with the time the fan has waited. Reasons are short codes, most important first.
    """

    chat_id: int
    lifetime_spend: float
    rfm: str
    segment: str
    churn_risk: float
    churn_reasons: tuple[str, ...]
    priority: float
    priority_reasons: tuple[str, ...]
    at: int
    model: str


class ReplySuggested(_Event, tag="reply_suggested", frozen=True):
    """A reply draft for a chat whose last message (`reply_to`) is the fan's.

    A suggestion only: it is sent when a human approves it, or by auto-send when the creator
    turned that on and `blocked` is false. A later message in the chat makes it stale.
    """

    chat_id: int
    draft_id: str
    reply_to: int
    text: str
    intent: str | None
    source: str  # retrieval | template | llm
    confidence: float
    blocked: bool
    block_reasons: tuple[str, ...]
    at: int
    model: str


class SnapshotReplaced(_Event, tag="snapshot_replaced", frozen=True):
    """The creator's state is replaced by this snapshot; its events follow this one.

    Counts are of distinct accepted chats and messages (rejected records are reported apart).
    """

    snapshot_id: str
    chat_count: int
    message_count: int


class SnapshotAbandoned(_Event, tag="snapshot_abandoned", frozen=True):
    """A snapshot whose remaining parts stopped arriving (or that a newer snapshot superseded).

    The events of the parts that did arrive stay: they are true facts. Only the boundary that
    `SnapshotReplaced` would have marked is missing.
    """

    snapshot_id: str
    parts_received: int
    parts: int
    reason: Literal["timeout", "superseded"]


class RetentionSet(_Event, tag="retention_set", frozen=True):
    """The creator keeps messages for `days` (None: forever); older ones leave every projection
    and the log. `at` (epoch ms) makes each setting a distinct event."""

    days: int | None
    at: int


class CreatorDeleted(_Event, tag="creator_deleted", frozen=True):
    """Everything of the creator was deleted at `at` (epoch ms); projections drop their state.

    The tombstone stays in the log so a projection replaying an older snapshot forgets too.
    """

    at: int
    requested_by: str


class ChatCoverageSeen(_Event, tag="chat_coverage_seen", frozen=True):
    """How much of a chat's history the Agent holds, as its backfill reported at `at` (epoch ms).

    `complete`: captured back to the first message (or to the backfill's `since`); otherwise
    the Agent holds an unbroken run from the newest message down to `oldest_message_id`
    (None when the backfill has not read the chat yet)."""

    chat_id: int
    complete: bool
    oldest_message_id: int | None
    oldest_at: int | None
    messages: int
    at: int


class CaptureProgressed(_Event, tag="capture_progressed", frozen=True):
    """The Agent's capture of the whole inbox at `at` (epoch ms): the chat list walked or not,
    how many chats it knows, and its history backfill's state and progress."""

    at: int
    list_complete: bool
    chats_known: int
    backfill_state: str  # idle | running | paused | rate_limited | stopped | done
    chats_done: int
    chats_total: int
    since: int | None
    rate_limited_until: int | None
    requests: int
    started_at: int | None
    last_capture_at: int | None


class RecordRejected(_Event, tag="record_rejected", frozen=True):
    """A malformed record, reported instead of silently dropped. `reason` is a short code
    (`malformed`, `invalid_json`, `foreign_sender`, `no_chat_id`, …); `detail` is msgspec's
    path-and-type message, never the record's text."""

    record_kind: RecordKind
    position: int
    reason: str
    snapshot_id: str | None = None
    detail: str = ""


Event = (
    ChatSeen
    | FanProfileSeen
    | MessageAdded
    | MessageEdited
    | MessageDeleted
    | TipReceived
    | PpvSent
    | PpvPurchased
    | MessageRead
    | MessageScored
    | ChatScored
    | ReplySuggested
    | SnapshotReplaced
    | SnapshotAbandoned
    | RetentionSet
    | CreatorDeleted
    | ChatCoverageSeen
    | CaptureProgressed
    | RecordRejected
)

_encoder = msgspec.json.Encoder()
_decoder: msgspec.json.Decoder[Event] = msgspec.json.Decoder(Event)


_batch_decoder: msgspec.json.Decoder[list[Event]] = msgspec.json.Decoder(list[Event])


def encode_batch(encoded_events: list[bytes]) -> bytes:
    """Already-encoded events → one JSON array: the body of one message on `events.…`.

    Events travel in batches because one JetStream message per event caps a 1M-message snapshot
    at the publish round-trip rate; a batch is still deduplicated as a whole by `Nats-Msg-Id`,
    and every event in it keeps its own `event_id` for projections to deduplicate by.
    """
    return b"[" + b",".join(encoded_events) + b"]"


def decode_batch(data: bytes) -> list[Event]:
    """The body of one message on `events.…` → its events, in order."""
    return _batch_decoder.decode(data)


def encode_event(event: Event) -> bytes:
    """One event → JSON bytes (the `kind` tag included)."""
    return _encoder.encode(event)


def decode_event(data: bytes) -> Event:
    """JSON bytes → the typed event named by `kind`; raises `msgspec.DecodeError` or
    `msgspec.ValidationError` on anything else."""
    return _decoder.decode(data)
