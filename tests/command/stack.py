"""Helpers for command-path tests: a command service, a private gateway, REST and sockets."""

import asyncio
import json
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from ofca.agent_protocol import AgentClient
from ofca.natsd import free_port
from tests.conftest import Gateway, ServiceProcess, start_process, stop_process, wait_http_ok


class CommandProcess(ServiceProcess):
    name = "command"
    defaults = {"OFCA_COMMAND_RETRY": "0.5", "OFCA_COMMAND_DELIVERY_TIMEOUT": "3"}


def new_user() -> str:
    return str(10**8 + uuid.uuid4().int % 10**8)


def command(user: str, chat: int = 555, text: str = "hey you", **extra: Any) -> dict[str, Any]:
    return {
        "commandId": extra.pop("commandId", uuid.uuid4().hex),
        "userId": user,
        "chatId": chat,
        "text": text,
        "price": None,
        "mediaIds": [],
        "origin": "analyst",
        "createdAt": datetime.now(UTC).isoformat(),
        **extra,
    }


async def post(
    gateway: Gateway, user: str, body: dict[str, Any], token: str | None = None, **params: Any
) -> httpx.Response:
    token = token or gateway.token("analyst", user)
    async with httpx.AsyncClient(base_url=gateway.http, timeout=30) as http:
        return await http.post(
            f"/api/v1/users/{user}/commands", json=body, params={"token": token, **params}
        )


async def get(gateway: Gateway, user: str, path: str, **params: Any) -> httpx.Response:
    token = gateway.token("analyst", user)
    async with httpx.AsyncClient(base_url=gateway.http, timeout=30) as http:
        return await http.get(f"/api/v1/users/{user}{path}", params={"token": token, **params})


async def wait_state(
    gateway: Gateway,
    user: str,
    command_id: str,
    accept: Callable[[str], bool] | str,
    within_s: float = 20,
) -> dict[str, Any]:
    """Poll the audit log until the command's state is accepted; returns its record."""
    ok = (lambda s: s == accept) if isinstance(accept, str) else accept
    record: dict[str, Any] = {}
    async with asyncio.timeout(within_s):
        while True:
            reply = await get(gateway, user, f"/commands/{command_id}")
            if reply.status_code == 200:
                record = reply.json()
                if ok(record["state"]):
                    return record
            await asyncio.sleep(0.2)


async def commands_within(
    agent: AgentClient | ClientConnection, seconds: float
) -> list[dict[str, Any]]:
    """Every `command_to_execute` the Agent socket receives within `seconds`."""
    ws = agent.ws if isinstance(agent, AgentClient) else agent
    got: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (left := deadline - loop.time()) > 0:
        try:
            frame = json.loads(await asyncio.wait_for(ws.recv(), left))
        except TimeoutError:
            break
        if frame["type"] == "command_to_execute":
            got.append(frame["payload"])
    return got


async def first_command(agent: AgentClient, within_s: float = 15) -> dict[str, Any]:
    async with asyncio.timeout(within_s):
        while True:
            frame = json.loads(await agent.ws.recv())
            if frame["type"] == "command_to_execute":
                return dict(frame["payload"])


async def report(agent: AgentClient, command_id: str, status: str = "sent") -> None:
    frame = {
        "type": "command_result",
        "payload": {"commandId": command_id, "status": status, "detail": {"messageId": 987}},
        "ref": f"r-{command_id}",
    }
    ack = await agent.send_and_wait(json.dumps(frame).encode())
    assert ack["type"] == "ingest_ack", ack


async def open_bridge(gateway: Gateway, user: str) -> ClientConnection:
    ws = await connect(f"{gateway.ws}/ws/bridge?token={gateway.token('analyst', user)}")
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    return ws


class PrivateGateway:
    """A gateway process this test may kill and restart (the session one is shared)."""

    def __init__(self, nats_url: str, secret: str, data_dir: Path) -> None:
        self.port = free_port()
        self.env = {
            "OFCA_NATS_URL": nats_url,
            "OFCA_SECRET": secret,
            "OFCA_GATEWAY_PORT": str(self.port),
            "OFCA_DATA_DIR": str(data_dir),
            "OFCA_LOG_FORMAT": "console",
        }
        self.secret = secret
        self.process = start_process([sys.executable, "-m", "ofca", "service", "gateway"], self.env)

    async def ready(self) -> Gateway:
        url = f"http://127.0.0.1:{self.port}"
        await asyncio.to_thread(wait_http_ok, f"{url}/readyz", self.process)
        return Gateway(url, f"ws://127.0.0.1:{self.port}", self.secret, self.process)

    def restart(self) -> None:
        self.process.kill()
        self.process.wait()
        self.process = start_process([sys.executable, "-m", "ofca", "service", "gateway"], self.env)

    def stop(self) -> None:
        stop_process(self.process)
