"""Helpers for the security tests: a gateway of their own (custom limits, output captured),
well-behaved clients, and small socket utilities."""

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import IO, Any

from websockets.asyncio.client import ClientConnection, connect

from ofca.natsd import free_port
from tests.conftest import ROOT, Gateway, stop_process, wait_http_ok


def new_user() -> str:
    return str(10**8 + uuid.uuid4().int % 10**8)


class LoggedGateway:
    """`ofca service gateway` with extra `OFCA_*` settings; stdout and stderr go to a file."""

    def __init__(
        self, nats_url: str, secret: str, data_dir: Path, log_path: Path, **env: str
    ) -> None:
        self.port = free_port()
        self.secret = secret
        self.log_path = log_path
        self.env = {
            "OFCA_NATS_URL": nats_url,
            "OFCA_SECRET": secret,
            "OFCA_GATEWAY_PORT": str(self.port),
            "OFCA_DATA_DIR": str(data_dir),
            "OFCA_LOG_FORMAT": "json",
            **env,
        }
        self._log: IO[bytes] = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ofca", "service", "gateway"],
            env={**os.environ, **self.env},
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    async def ready(self) -> Gateway:
        url = f"http://127.0.0.1:{self.port}"
        await asyncio.to_thread(wait_http_ok, f"{url}/readyz", self.process)
        return Gateway(url, f"ws://127.0.0.1:{self.port}", self.secret, self.process)

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        code = stop_process(self.process)
        self._log.close()
        return code


async def recv_json(ws: ClientConnection, within_s: float = 10.0) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(ws.recv(), within_s)))


async def open_socket(gw: Gateway, path: str, **kwargs: Any) -> ClientConnection:
    """A socket past its `connection_ack`."""
    ws = await connect(f"{gw.ws}{path}", max_size=None, **kwargs)
    ack = await recv_json(ws)
    if ack["type"] != "connection_ack":
        await ws.close()
        raise AssertionError(f"expected connection_ack, got {ack}")
    return ws


async def close_quietly(*sockets: ClientConnection) -> None:
    for ws in sockets:
        with contextlib.suppress(Exception):
            await ws.close()
