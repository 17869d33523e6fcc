"""The WebSocket clients of the simulated ``wss://onlyfans.com/ws3/<n>`` and pushes to them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect


class Client:
    """One socket; ``authed`` once it sent a connect frame with the right token."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.authed = False
        self._lock = asyncio.Lock()  # keeps a push's frames together and in order

    async def send(self, *frames: dict[str, Any]) -> bool:
        """Send ``frames`` in order; False if the socket is gone."""
        async with self._lock:
            try:
                for frame in frames:
                    await self.websocket.send_text(_compact(frame))
            except (WebSocketDisconnect, RuntimeError, OSError):
                return False
        return True


def _compact(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


class Hub:
    """Every open socket of the site."""

    def __init__(self) -> None:
        self.clients: set[Client] = set()

    def authed(self) -> int:
        return sum(1 for c in self.clients if c.authed)

    async def push(self, frames: Sequence[dict[str, Any]]) -> int:
        """Send ``frames`` to every authenticated socket; returns how many got them."""
        delivered = 0
        for client in list(self.clients):
            if not client.authed:
                continue
            if await client.send(*frames):
                delivered += 1
            else:
                self.clients.discard(client)
        return delivered
