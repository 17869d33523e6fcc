"""One WebSocket: a single writer task fed by a bounded queue, and NATS forwarding.

Frames can be produced by the receive loop (acks, errors) and by NATS callbacks (pushes) at the
same time; funnelling them through one writer keeps them whole and in order. A client too slow
to drain its queue is closed with 1013 (try again later) rather than growing memory unbounded.
"""

import asyncio
import contextlib
import uuid
from typing import Any

import structlog
from fastapi import WebSocket
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from pydantic import BaseModel
from starlette.websockets import WebSocketState

from services.gateway.metrics import FRAMES_OUT

CLOSE_TRY_AGAIN = 1013
CLOSE_SERVICE_RESTART = 1012

log = structlog.get_logger()


class SocketSession:
    def __init__(self, websocket: WebSocket, role: str, user_id: str, queue_size: int) -> None:
        self.websocket = websocket
        self.role = role
        self.user_id = user_id
        self.connection_id = uuid.uuid4().hex
        self._queue: asyncio.Queue[str | None] = asyncio.Queue(queue_size)
        self._writer: asyncio.Task[None] | None = None
        self._subs: list[Subscription] = []
        self.closed = asyncio.Event()

    def start(self) -> None:
        self._writer = asyncio.create_task(self._write_loop())

    def send_model(self, envelope: BaseModel) -> None:
        """Queue one outgoing envelope."""
        self.send_text(envelope.model_dump_json(by_alias=True), _type_of(envelope))

    def send_text(self, text: str, frame_type: str = "forwarded") -> None:
        if self.closed.is_set():
            return
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            log.warning("socket_slow_consumer", user_id=self.user_id, role=self.role)
            asyncio.get_running_loop().create_task(self.close(CLOSE_TRY_AGAIN, "slow consumer"))
            return
        FRAMES_OUT.labels(role=self.role, type=frame_type).inc()

    async def forward(self, nc: Client, subject: str) -> None:
        """Forward every message on `subject` (already a serialized envelope) to this socket."""

        async def on_msg(msg: Msg) -> None:
            self.send_text(
                msg.data.decode(),
                msg.headers.get("Ofca-Frame-Type", "forwarded") if msg.headers else "forwarded",
            )

        self._subs.append(await nc.subscribe(subject, cb=on_msg))

    async def _write_loop(self) -> None:
        try:
            while (text := await self._queue.get()) is not None:
                await self.websocket.send_text(text)
        except Exception:  # noqa: BLE001 - a dead peer ends the writer, nothing else
            self.closed.set()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Stop forwarding, flush what is queued, close the socket (idempotent)."""
        if self.closed.is_set():
            return
        self.closed.set()
        for sub in self._subs:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
        self._subs.clear()
        if self._writer is not None:
            with contextlib.suppress(asyncio.QueueFull):
                self._queue.put_nowait(None)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._writer, 2)
        if self.websocket.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await self.websocket.close(code, reason)


def _type_of(envelope: Any) -> str:
    return str(getattr(envelope, "type", "unknown"))
