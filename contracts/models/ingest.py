"""What the Agent sends: raw OnlyFans JSON (credentials removed) and the Brain's receipt.

The chats and messages inside are kept as the page received them; normalization happens in the
`ingest` service, so parsers can be fixed server-side without shipping a new extension.
"""

from typing import Any, Literal, Self

from pydantic import Field, model_validator

from contracts.models.base import ExactModel, WireModel

OnlyFansId = int | str
RawObject = dict[str, Any]


class CacheUpdatePayload(ExactModel):
    """One part of a snapshot of the Agent's whole IndexedDB for one creator."""

    snapshot_id: str = Field(min_length=1, max_length=128)
    part: int = Field(ge=0)
    parts: int = Field(ge=1, le=100_000)
    chats: list[RawObject] = Field(default_factory=list)
    messages: list[RawObject] = Field(
        default_factory=list, description="OnlyFans message objects with `chatId` added."
    )
    installId: str | None = Field(  # noqa: N815 - the Agent's camelCase, beside pinned names
        default=None,
        pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="The Agent installation sending it (`sync_hello`); absent from old Agents.",
    )

    @model_validator(mode="after")
    def _part_within_parts(self) -> Self:
        if self.part >= self.parts:
            raise ValueError("part must be < parts")
        return self


class NewRawMessagePayload(ExactModel):
    """One message object as the page received it: a send, a receive, a tip, an edit."""

    chatId: OnlyFansId | None = None  # noqa: N815 - pinned wire name
    source: Literal["fetch", "xhr", "websocket"]
    message: RawObject


class IngestAck(WireModel):
    """The Brain's receipt: the frame with this `ref` is durably stored (JetStream acked it).

    The Agent keeps every event in its outbox until it gets this receipt.
    """

    ref: str | None
    frame_type: str
    stream_seq: int
    duplicate: bool = False
