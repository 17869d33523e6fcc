"""Pulling from a durable JetStream consumer, bounded in bytes as well as in messages.

nats-py's `PullSubscription.fetch` asks for a number of messages only. When they are megabytes
each (Agent snapshot parts, a flood of oversize frames) one pull can put more than the server
buffers for a client (64 MiB) on the wire, and the server cuts the connection as a slow
consumer. Its long poll also holds the first message that arrives until the whole batch is
there or the request expires, which adds up to a second of latency to a quiet stream.

`BoundedPull` sends the JetStream pull request itself with `max_bytes`, keeps one request open
at a time and returns as soon as anything has arrived. A message bigger than `max_bytes` alone
is then pulled by itself, without the bound.
"""

import asyncio
import json
import time
from dataclasses import dataclass

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

# Statuses that end a pull request: no messages (404), expired (408), and 409 for everything
# else (max bytes reached, leadership change, consumer deleted, too many waiting requests).
_ENDS = {"404", "408", "409"}
_TOO_BIG = "message size exceeds maxbytes"
_GRACE_S = 0.5  # a request's expiry status may be lost in a reconnect


@dataclass
class _Request:
    reply: str
    left: int
    expires_at: float


class BoundedPull:
    def __init__(self, nc: Client, stream: str, durable: str, *, max_bytes: int) -> None:
        self.nc = nc
        self.api = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}"
        self.max_bytes = max_bytes
        self.prefix = nc.new_inbox()
        self.sub: Subscription | None = None
        self.open: _Request | None = None
        self.numbered = 0
        self.unbounded_next = False

    async def start(self) -> "BoundedPull":
        self.sub = await self.nc.subscribe(
            f"{self.prefix}.*", pending_bytes_limit=4 * self.max_bytes + 64 * 1024 * 1024
        )
        return self

    async def unsubscribe(self) -> None:
        if self.sub is not None:
            await self.sub.unsubscribe()
            self.sub = None

    async def fetch(self, batch: int, wait_s: float) -> list[Msg]:
        """Up to `batch` messages (and about `max_bytes`); [] if none came within `wait_s`."""
        assert self.sub is not None, "start() first"
        msgs = self._ready(batch)
        deadline = time.monotonic() + wait_s
        while not msgs:
            await self._request(batch, wait_s)
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            try:
                first = await self.sub.next_msg(timeout=left)
            except TimeoutError:
                return []
            if self._take(first):
                msgs = [first, *self._ready(batch - 1)]
        return msgs

    def _ready(self, most: int) -> list[Msg]:
        """Messages already delivered, without waiting."""
        assert self.sub is not None
        msgs: list[Msg] = []
        queue = self.sub._pending_queue
        while len(msgs) < most and not queue.empty():
            msg = queue.get_nowait()
            self.sub._pending_size -= len(msg.data)
            if self._take(msg):
                msgs.append(msg)
        return msgs

    def _take(self, msg: Msg) -> bool:
        """Account for `msg`; True when it is a message to process, False for a status."""
        status = (msg.headers or {}).get("Status") if not msg.data else None
        if status is None:
            if self.open is not None:
                self.open.left -= 1
                if self.open.left <= 0:
                    self.open = None
            return True
        if status in _ENDS and self.open is not None and msg.subject == self.open.reply:
            self.open = None
            description = (msg.headers or {}).get("Description", "").lower()
            self.unbounded_next = status == "409" and _TOO_BIG in description
        return False

    async def _request(self, batch: int, expires_s: float) -> None:
        now = time.monotonic()
        if self.open is not None and now < self.open.expires_at + _GRACE_S:
            return
        self.numbered += 1
        reply = f"{self.prefix}.{self.numbered}"
        request: dict[str, int] = {"batch": batch, "expires": int(expires_s * 1e9)}
        if self.unbounded_next:
            # The next message alone is over the bound: take it by itself.
            request = {"batch": 1, "expires": int(expires_s * 1e9)}
            self.unbounded_next = False
        else:
            request["max_bytes"] = self.max_bytes
        self.open = _Request(reply, request["batch"], now + expires_s)
        await self.nc.publish(self.api, json.dumps(request).encode(), reply=reply)
        await asyncio.sleep(0)
