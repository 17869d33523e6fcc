"""How complete the capture is, and how an Agent resumes: the frames of incremental sync.

The Agent keeps a local database of what the creator's tab received and streams every change
through its outbox. The Brain keeps, per Agent installation, the last snapshot that reached it
whole. On a new connection the Agent says which installation it is and which snapshot it last
completed (`sync_hello`); the Brain answers `sync_state`: `incremental` (send only the outbox)
or `full` (send a `cache_update` first). `docs/architecture.md` describes the handshake.

The Agent also reports what its capture covers (`capture_state`): the chat list walked, each
chat's history captured back to its first message or not, and the history backfill's state.
Agent payloads are camelCase, as the extension is TypeScript; times are epoch milliseconds.
"""

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field

from contracts.models.base import WireModel

OnlyFansId = int | str
RawObject = dict[str, Any]
InstallId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
EpochMs = Annotated[int, Field(ge=0, le=253_402_300_799_999)]
MAX_CHATS_PER_FRAME = 1000


class SyncHelloPayload(WireModel):
    """Agent → Brain, first after `connection_ack`: which installation, which last snapshot."""

    install_id: InstallId = Field(
        description="Random per local database; a new one after `clear_local_data`."
    )
    snapshot_id: str | None = Field(
        default=None,
        max_length=128,
        description="The last snapshot this installation sent whole (every part acknowledged).",
    )


class SyncMode(StrEnum):
    INCREMENTAL = "incremental"
    FULL = "full"


class SyncReason(StrEnum):
    RESUME = "resume"  # the Brain holds this installation's last snapshot: send the outbox
    FIRST_SYNC = "first_sync"  # nothing of this installation yet
    UNKNOWN_SNAPSHOT = "unknown_snapshot"  # the Brain lost it (deleted, replayed): send it all
    FENCED = "fenced"  # another copy of this database synced since: a restored or copied profile
    REQUESTED = "requested"  # the Brain asks for a full snapshot (e.g. after a replay)


class SyncState(WireModel):
    """Brain → Agent, the answer to `sync_hello` (or unprompted, `sync_request` style).

    `full` with reason `fenced`: take a new `installId` before sending the snapshot, so the two
    copies of the database stop sharing one identity."""

    mode: SyncMode
    reason: SyncReason
    install_id: str
    snapshot_id: str | None = Field(
        default=None, description="The last whole snapshot the Brain holds for this installation."
    )


class SyncRequest(WireModel):
    """Brain → Agent at any time: send a full snapshot on this connection."""

    user_id: str
    reason: str


class ChatUpdatePayload(WireModel):
    """Agent → Brain: chat-list items that changed since the last full snapshot.

    Each is an OnlyFans chat-list item as stored (it has `withUser`, with the fan's full user
    merged in when `/users/list` gave it, credentials and signed URL parameters removed)."""

    chats: list[RawObject] = Field(min_length=1, max_length=MAX_CHATS_PER_FRAME)


class BackfillState(StrEnum):
    IDLE = "idle"  # never started
    RUNNING = "running"
    PAUSED = "paused"  # no visible OnlyFans tab: waits for one
    RATE_LIMITED = "rate_limited"  # backing off until `rateLimitedUntil`
    STOPPED = "stopped"  # the creator stopped it
    DONE = "done"


class ChatCoverageReport(WireModel):
    """How much of one chat's history the Agent holds."""

    chat_id: OnlyFansId
    complete: bool = Field(
        description="History captured back to the first message (or to the backfill's `since`)."
    )
    oldest_message_id: OnlyFansId | None = None
    oldest_at: EpochMs | None = Field(
        default=None, description="`createdAt` of the oldest message of the captured run."
    )
    messages: int = Field(default=0, ge=0, description="Messages of this chat held locally.")


class ChatListReport(WireModel):
    complete: bool = Field(description="The chat list was walked to its end (`hasMore: false`).")
    chats_known: int = Field(ge=0)


class BackfillReport(WireModel):
    state: BackfillState
    chats_done: int = Field(default=0, ge=0)
    chats_total: int = Field(default=0, ge=0)
    since: EpochMs | None = Field(
        default=None, description="History is wanted back to this instant (null: the start)."
    )
    rate_limited_until: EpochMs | None = None
    requests: int = Field(default=0, ge=0, description="Requests the backfill made so far.")
    started_at: EpochMs | None = None


class CaptureStatePayload(WireModel):
    """Agent → Brain: what the capture covers now. `chats` holds only chats whose coverage
    changed since the previous report."""

    at: EpochMs
    chat_list: ChatListReport
    backfill: BackfillReport
    last_capture_at: EpochMs | None = None
    chats: list[ChatCoverageReport] = Field(default_factory=list, max_length=MAX_CHATS_PER_FRAME)
