"""The site's WebSocket, ``/ws3/<n>`` and ``/ws2/`` (of-traffic.md section 4).

A client sends ``{"act":"connect","token":<wsAuthToken>}`` and gets
``{"connected":true,"v":"5.4.0"}``; with a wrong token it gets ``{"error":1}``, the socket
stays open and no events arrive (what UltimaScraperAPI saw with a stale token). Every
heartbeat variant (``get_onlines`` with or without ``ids``, ``ping``) is answered with an
``{"online":[ids]}`` frame; ``typing`` is recorded and not answered. Unknown frames and
non-JSON text are ignored.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, WebSocket

from tools.ofsite.hub import Client
from tools.ofsite.state import SiteState

CONNECTED = {"connected": True, "v": "5.4.0"}
BAD_TOKEN = {"error": 1}


def socket_router(state: SiteState) -> APIRouter:
    router = APIRouter()

    async def serve(websocket: WebSocket) -> None:
        await websocket.accept()
        client = Client(websocket)
        state.hub.clients.add(client)
        try:
            while True:
                event = await websocket.receive()
                if event["type"] == "websocket.disconnect":
                    break
                text = event.get("text")
                if text is None and event.get("bytes") is not None:
                    text = event["bytes"].decode("utf-8", "replace")
                if text is not None:
                    await _handle(state, client, text)
        finally:
            state.hub.clients.discard(client)

    @router.websocket("/ws3/{n}")
    async def ws3(websocket: WebSocket, n: str) -> None:
        await serve(websocket)

    @router.websocket("/ws2/")
    async def ws2(websocket: WebSocket) -> None:
        await serve(websocket)

    @router.websocket("/ws2/{n}")
    async def ws2n(websocket: WebSocket, n: str) -> None:
        await serve(websocket)

    return router


async def _handle(state: SiteState, client: Client, text: str) -> None:
    try:
        frame: Any = json.loads(text)
    except ValueError:
        return
    if not isinstance(frame, dict):
        return
    act = str(frame.get("act", ""))
    state.ws_frames[act] += 1
    if act == "connect":
        client.authed = frame.get("token") == state.secrets.ws_token
        await client.send(CONNECTED if client.authed else BAD_TOKEN)
    elif not client.authed:
        return
    elif act in {"get_onlines", "ping"}:
        ids = frame.get("ids")
        asked = ids if isinstance(ids, list) else []
        online = [i for i in asked if isinstance(i, int) and i in state.online]
        await client.send({"online": online})
    elif act == "typing" and isinstance(frame.get("typing_to"), int):
        state.typing.append(frame["typing_to"])
