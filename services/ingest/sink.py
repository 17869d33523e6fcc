"""Where ingest's output goes: batches of events to `EVENTS`, notices to `bridge.<user>`.

Events are published in messages of at most `event_batch_bytes`, each with a `Nats-Msg-Id`
derived from its content (`<user>:<key>:<digest of the batch>`), so re-processing a frame after
a crash publishes nothing that already landed, and nothing is dropped as a duplicate unless
it really is one. All batches of one frame are published concurrently and every acknowledgement is
awaited before the frame is acked: the frame's effect is durable before it is forgotten.
"""

import asyncio
import hashlib
from collections.abc import Sequence
from typing import Protocol

import structlog
from nats.aio.client import Client
from pydantic import BaseModel

from contracts import subjects
from contracts.events import Event, encode_batch, encode_event
from contracts.runtime.nats import retried
from contracts.streams import EVENTS
from services.ingest.metrics import EVENTS_PUBLISHED

log = structlog.get_logger()


class EventSink(Protocol):
    async def publish(self, user_id: str, kind: str, key: str, events: Sequence[Event]) -> None:
        """Store `events` durably under the dedup key `key`."""

    async def notify(self, user_id: str, envelope: BaseModel) -> None:
        """Tell the creator's Bridges (best effort, not stored)."""


def split_batches(events: Sequence[Event], max_bytes: int) -> list[bytes]:
    """Encode `events` into JSON arrays of at most `max_bytes` (one event may exceed it alone)."""
    batches: list[bytes] = []
    current: list[bytes] = []
    size = 2
    for event in events:
        blob = encode_event(event)
        if current and size + len(blob) + 1 > max_bytes:
            batches.append(encode_batch(current))
            current, size = [], 2
        current.append(blob)
        size += len(blob) + 1
    if current:
        batches.append(encode_batch(current))
    return batches


class JetStreamSink:
    def __init__(self, nc: Client, max_bytes: int, timeout: float = 30.0) -> None:
        self.nc = nc
        self.js = nc.jetstream()
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def publish(self, user_id: str, kind: str, key: str, events: Sequence[Event]) -> None:
        if not events:
            return
        subject = subjects.events(user_id, kind)
        batches = split_batches(events, self.max_bytes)
        await retried(lambda: self._publish(user_id, subject, key, batches), "events_publish")
        EVENTS_PUBLISHED.inc(len(events))

    async def _publish(self, user_id: str, subject: str, key: str, batches: list[bytes]) -> None:
        # Re-publishing batches that did land is harmless: their Nats-Msg-Id is the same.
        await asyncio.gather(
            *(
                self.js.publish(
                    subject,
                    body,
                    timeout=self.timeout,
                    stream=EVENTS.name,
                    headers={
                        subjects.HEADER_MSG_ID: f"{user_id}:{key}:{_digest(body)}",
                        subjects.HEADER_USER: user_id,
                    },
                )
                for body in batches
            )
        )

    async def notify(self, user_id: str, envelope: BaseModel) -> None:
        frame_type = str(getattr(envelope, "type", "notice"))
        await self.nc.publish(
            subjects.bridge(user_id),
            envelope.model_dump_json(by_alias=True).encode(),
            headers={subjects.HEADER_FRAME_TYPE: frame_type},
        )


def _digest(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()
