"""The simulator as its CLI over HTTPS, a client that signs like the page does, and socket
helpers; shared by the tools.ofsite tests."""

from __future__ import annotations

import asyncio
import hashlib
import json
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from ofca.natsd import free_port

ROOT = Path(__file__).resolve().parents[2]
CREATOR = 300000


class Site:
    """``python -m tools.ofsite`` on a free port plus signed and control clients."""

    def __init__(self, tmp: Path, chats: int, seed: int = 5, extra: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        argv = [sys.executable, "-m", "tools.ofsite", "--port", str(self.port)]
        argv += ["--creator", str(CREATOR), "--chats", str(chats), "--seed", str(seed)]
        argv += ["--cert-dir", str(tmp), *extra]
        self.process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        self.lines = self._wait_ready()
        self.base = f"https://127.0.0.1:{self.port}"
        self.control = httpx.Client(base_url=self.base, verify=False, timeout=10)
        self.secrets: dict[str, Any] = self.control.get("/_sim/secrets").json()
        self.http = httpx.Client(
            base_url=self.base, verify=False, timeout=10, cookies=self.secrets["cookies"]
        )

    def _wait_ready(self) -> list[str]:
        lines: list[str] = []

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                lines.append(line)
                if line.startswith("ofsite ready"):
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(120)
        if not lines or not lines[-1].startswith("ofsite ready"):
            self.stop()
            raise RuntimeError(f"the simulator did not start: {lines}")
        return lines

    def sign(self, target: str, time_ms: str, secret: str | None = None) -> str:
        key = secret if secret is not None else self.secrets["signSecret"]
        data = f"{key}\n{time_ms}\n{target}\n{CREATOR}".encode()
        return hashlib.sha1(data).hexdigest()

    def api(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        body: Any = None,
        time_ms: int | None = None,
        secret: str | None = None,
    ) -> httpx.Response:
        request = self.http.build_request(method, "/api2/v2" + path, params=params, json=body)
        stamp = str(time_ms if time_ms is not None else int(time.time() * 1000))
        request.headers.update(
            {
                "app-token": self.secrets["appToken"],
                "x-bc": self.secrets["xbc"],
                "user-id": str(CREATOR),
                "time": stamp,
                "sign": self.sign(request.url.raw_path.decode(), stamp, secret),
            }
        )
        return self.http.send(request)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        reply = self.api(method, path, **kwargs)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def sim(self, method: str, path: str, body: Any = None, params: Any = None) -> Any:
        reply = self.control.request(method, "/_sim" + path, json=body, params=params)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def log_size(self) -> int:
        """How many ``/api2`` requests the site has logged so far."""
        return int(self.sim("GET", "/request_stats")["total"])

    def close(self) -> None:
        self.control.close()
        self.http.close()
        self.stop()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def fan_ids(site: Site) -> list[int]:
    """Every fan with a chat, most recent chat first."""
    return [int(f) for f in site.sim("GET", "/state")["messages"]]


def walk_chats(site: Site, limit: int = 10) -> list[dict[str, Any]]:
    """Every chat item, paging with ``nextOffset`` as OnlyFans clients do."""
    items: list[dict[str, Any]] = []
    offset = 0
    while True:
        params = {"limit": limit, "offset": offset, "order": "recent", "skip_users": "all"}
        page = site.ok("GET", "/chats", params=params)
        items += page["list"]
        if not page["hasMore"]:
            return items
        offset = page["nextOffset"]


def walk_messages(site: Site, fan: int, limit: int = 10) -> list[int]:
    """A chat's message ids, newest first, paging with ``id`` = the oldest id of a page."""
    ids: list[int] = []
    cursor: int | None = None
    while True:
        params: dict[str, Any] = {"limit": limit, "order": "desc", "skip_users": "all"}
        if cursor is not None:
            params["id"] = cursor
        page = site.ok("GET", f"/chats/{fan}/messages", params=params)
        ids += [m["id"] for m in page["list"]]
        if not page["hasMore"]:
            return ids
        cursor = page["list"][-1]["id"]


def insecure() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@asynccontextmanager
async def socket(
    site: Site, token: str | None = None, path: str = "/ws3/24"
) -> AsyncIterator[ClientConnection]:
    async with connect(f"wss://127.0.0.1:{site.port}{path}", ssl=insecure()) as ws:
        frame = {"act": "connect", "token": token or site.secrets["wsToken"]}
        await ws.send(json.dumps(frame))
        yield ws


async def recv(ws: ClientConnection, within_s: float = 5) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(ws.recv(), within_s)))


async def next_frame(ws: ClientConnection, key: str, within_s: float = 5) -> dict[str, Any]:
    async with asyncio.timeout(within_s):
        while True:
            frame = await recv(ws, within_s)
            if key in frame:
                return frame


def walk_strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_strings(item)
    elif isinstance(value, str):
        yield value
