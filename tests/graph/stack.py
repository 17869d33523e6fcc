"""Helpers for graph tests on a real stack."""

import asyncio
import json
import uuid
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection

from tests.conftest import Gateway, ServiceProcess


class GraphProcess(ServiceProcess):
    name = "graph"
    defaults = {"OFCA_SNAPSHOT_INTERVAL_S": "1", "OFCA_ANALYTICS_DEBOUNCE_S": "0.5"}


def new_creator() -> int:
    return 10**8 + uuid.uuid4().int % 10**8


async def nothing_within(ws: ClientConnection, seconds: float) -> bool:
    """True when no frame arrives on `ws` within `seconds`."""
    try:
        await asyncio.wait_for(ws.recv(), seconds)
    except TimeoutError:
        return True
    return False


async def next_of(ws: ClientConnection, kind: str, within_s: float = 20) -> dict[str, Any]:
    async with asyncio.timeout(within_s):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == kind:
                return dict(frame)


async def get(
    gateway: Gateway, user: str, path: str, token: str | None = None, **params: Any
) -> httpx.Response:
    token = token or gateway.token("analyst", user)
    async with httpx.AsyncClient(base_url=gateway.http, timeout=30) as http:
        return await http.get(f"/api/v1/users/{user}{path}", params={"token": token, **params})


async def wait_chats(gateway: Gateway, user: str, count: int) -> None:
    for _ in range(100):
        page = await get(gateway, user, "/chats", limit=1)
        if page.status_code == 200 and page.json()["total"] == count:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("chats did not arrive")
