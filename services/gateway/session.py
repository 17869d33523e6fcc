"""One WebSocket: a single writer task fed by a bounded queue, and NATS forwarding.

Frames can be produced by the receive loop (acks, errors) and by NATS callbacks (pushes) at the
same time; funnelling them through one writer keeps them whole and in order. A client too slow
to drain its queue is closed with 1013 (try again later) rather than growing memory unbounded.
"""

import asyncio
import contextlib
import json
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
        self._queue: asyncio.Queue[tuple[str, asyncio.Future[bool] | None] | None] = asyncio.Queue(
            queue_size
        )
        self._writer: asyncio.Task[None] | None = None
        self._subs: list[Subscription] = []
        self.closed = asyncio.Event()

    def start(self) -> None:
        self._writer = asyncio.create_task(self._write_loop())

    def send_model(self, envelope: BaseModel) -> None:
        """Queue one outgoing envelope."""
        self.send_text(envelope.model_dump_json(by_alias=True), _type_of(envelope))

    def send_text(
        self, text: str, frame_type: str = "forwarded", written: asyncio.Future[bool] | None = None
    ) -> None:
        """Queue one frame; `written`, if given, resolves True once the socket took it, else
        False (closed, slow consumer, write failed)."""
        if self.closed.is_set():
            _resolve(written, False)
            return
        try:
            self._queue.put_nowait((text, written))
        except asyncio.QueueFull:
            _resolve(written, False)
            log.warning("socket_slow_consumer", user_id=self.user_id, role=self.role)
            asyncio.get_running_loop().create_task(self.close(CLOSE_TRY_AGAIN, "slow consumer"))
            return
        FRAMES_OUT.labels(role=self.role, type=frame_type).inc()

    async def forward(self, nc: Client, subject: str, queue: str = "") -> None:
        """Forward every message on `subject` (already a serialized envelope) to this socket.

        A message sent as a request is answered once the socket has taken the frame
        (`{"delivered": true, "connectionId": …}`) or could not (`"delivered": false`): that
        is how `command` knows a command reached an Agent. With `queue`, one socket of the
        group gets each message.
        """

        async def on_msg(msg: Msg) -> None:
            frame_type = msg.headers.get("Ofca-Frame-Type", "forwarded") if msg.headers else ""
            if not msg.reply:
                self.send_text(msg.data.decode(), frame_type or "forwarded")
                return
            written: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            self.send_text(msg.data.decode(), frame_type or "forwarded", written)
            delivered = await written
            receipt = {"delivered": delivered, "connectionId": self.connection_id}
            with contextlib.suppress(Exception):
                await nc.publish(msg.reply, json.dumps(receipt).encode())

        self._subs.append(await nc.subscribe(subject, queue=queue, cb=on_msg))

    async def _write_loop(self) -> None:
        item = None
        try:
            while (item := await self._queue.get()) is not None:
                text, written = item
                await self.websocket.send_text(text)
                _resolve(written, True)
        except Exception:  # noqa: BLE001 - a dead peer ends the writer, nothing else
            self.closed.set()
            if item is not None:
                _resolve(item[1], False)
        finally:
            while not self._queue.empty():  # frames that will never be written
                left = self._queue.get_nowait()
                if left is not None:
                    _resolve(left[1], False)

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


def _resolve(future: "asyncio.Future[bool] | None", value: bool) -> None:
    if future is not None and not future.done():
        future.set_result(value)


def _type_of(envelope: Any) -> str:
    return str(getattr(envelope, "type", "unknown"))
