"""In-memory stand-ins for JetStream in the lane's unit and property tests."""

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace

from pydantic import BaseModel

from contracts import subjects
from contracts.events import Event
from contracts.models.core import ErrorCode
from contracts.wire import SystemErrorMessage
from ofca.agent_protocol import new_raw_message, snapshot_frames
from tools.ofsim import Inbox, fan_message, generate_inbox, iter_messages


@dataclass
class FakeDelivery:
    data: bytes
    frame_type: str
    acked: int = 0
    seq: int = 0  # the frame's AGENT_IN sequence, as nats-py's `metadata.sequence.stream`

    @property
    def headers(self) -> dict[str, str]:
        return {subjects.HEADER_FRAME_TYPE: self.frame_type}

    @property
    def metadata(self) -> SimpleNamespace:
        return SimpleNamespace(sequence=SimpleNamespace(stream=self.seq))

    async def ack(self) -> None:
        self.acked += 1

    async def in_progress(self) -> None:
        return None


@dataclass
class MemorySink:
    """Publishes into a list, dropping a repeated key like `Nats-Msg-Id` does."""

    log: list[tuple[str, Event]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    notices: list[BaseModel] = field(default_factory=list)

    async def publish(self, user_id: str, kind: str, key: str, events: Sequence[Event]) -> None:
        content_key = key + ":" + ",".join(e.event_id for e in events)
        if content_key in self.keys or not events:
            return
        self.keys.add(content_key)
        self.log.extend((kind, e) for e in events)

    async def notify(self, user_id: str, envelope: BaseModel) -> None:
        self.notices.append(envelope)

    def error_codes(self) -> list[ErrorCode]:
        return [n.payload.code for n in self.notices if isinstance(n, SystemErrorMessage)]

    def event_ids(self) -> set[str]:
        return {e.event_id for _, e in self.log}

    def kinds(self) -> list[str]:
        return [type(e).__name__ for _, e in self.log]


def demo_inbox(creator_id: int = 300000, chats: int = 4) -> Inbox:
    return generate_inbox(creator_id, n_chats=chats, messages_per_chat=(3, 8), seed=7)


def snapshot_deliveries(inbox: Inbox, max_bytes: int, snapshot_id: str) -> list[FakeDelivery]:
    messages = list(iter_messages(inbox))
    frames = snapshot_frames(inbox.chats, messages, max_bytes, snapshot_id)
    return [FakeDelivery(frame, "cache_update") for frame in frames]


def delta_deliveries(inbox: Inbox, count: int) -> list[FakeDelivery]:
    """New fan messages, on a copy so the snapshot's inbox is unchanged."""
    live = copy.deepcopy(inbox)
    fans = list(live.messages)
    out = []
    for i in range(count):
        fan = fans[i % len(fans)]
        message = fan_message(live, fan, seed=i)
        out.append(FakeDelivery(new_raw_message(fan, message), "new_raw_message"))
    return out
