"""`ofca up --demo` as a user runs it: a real process tree, embedded NATS, clean Ctrl-C."""

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import nats
import pytest
from nats.errors import NoServersError
from websockets.asyncio.client import connect

from contracts import subjects
from contracts.streams import AGENT_IN
from contracts.tokens import verify_token
from ofca.natsd import free_port

pytestmark = pytest.mark.nats
ROOT = Path(__file__).resolve().parents[2]


def children_of(pid: int) -> dict[int, str]:
    """pid → command line of the direct children of `pid`."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                child = int(stat.parent.name)
                cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found[child] = cmdline
        except (OSError, IndexError, ValueError):
            continue
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and " Z " not in Path(f"/proc/{pid}/stat").read_text()


class Up:
    def __init__(self, tmp: Path) -> None:
        self.nats_port, self.gw_port = free_port(), free_port()
        env = {
            **os.environ,
            "OFCA_DATA_DIR": str(tmp / "data"),
            "OFCA_NATS_PORT": str(self.nats_port),
            "OFCA_GATEWAY_PORT": str(self.gw_port),
        }
        env.pop("OFCA_NATS_URL", None)
        env.pop("OFCA_SECRET", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ofca", "up", "--demo"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []

    def wait_for_line(self, pattern: str, within_s: float = 90) -> re.Match[str]:
        assert self.process.stdout is not None
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError("ofca up exited:\n" + "".join(self.lines[-40:]))
            self.lines.append(line)
            if match := re.search(pattern, line):
                return match
        raise AssertionError(f"no line matching {pattern!r}")


@pytest.fixture
def up(tmp_path: Path) -> Iterator[Up]:
    stack = Up(tmp_path)
    yield stack
    if stack.process.poll() is None:
        stack.process.kill()
        stack.process.wait()


async def test_up_demo_runs_the_stack_restarts_and_stops_cleanly(up: Up) -> None:
    url = up.wait_for_line(r"dashboard: (http://\S+)").group(1)
    token = url.split("token=")[1]
    sim_port = up.wait_for_line(r"onlyfans.com -> 127\.0\.0\.1:(\d+)").group(1)
    up.wait_for_line(r"extension options: brainUrl ws://\S+, agentToken \S+")
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"http://127.0.0.1:{up.gw_port}/readyz")).status_code == 200
    services = children_of(up.process.pid)
    names = {
        n
        for n in ("gateway", "ingest", "graph", "enrichment", "command", "demo-agent")
        if any(n in cmd for cmd in services.values())
    }
    assert names == {"gateway", "ingest", "graph", "enrichment", "command", "demo-agent"}

    # The OnlyFans simulator for trying the extension answers as a creator of its own.
    async with httpx.AsyncClient(verify=False) as http:
        async with asyncio.timeout(30):
            while True:
                try:
                    state = await http.get(f"https://127.0.0.1:{sim_port}/_sim/state")
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.3)
    assert state.json()["creatorId"] == 300001

    # The demo creator's inbox arrives through the real Agent protocol into JetStream.
    nc = await nats.connect(f"nats://127.0.0.1:{up.nats_port}")
    subject = subjects.agent_in_stored("300000")
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and stored == 0:
        info = await nc.jetstream().stream_info(AGENT_IN.name, subjects_filter=subject)
        stored = sum((info.state.subjects or {}).values())
        await asyncio.sleep(0.3)
    await nc.close()
    assert stored > 0

    # The analyst link works on the Bridge socket: the demo inbox, and the Agent online.
    async with connect(f"ws://127.0.0.1:{up.gw_port}/ws/bridge?token={token}") as ws:
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        seen: dict[str, dict[str, object]] = {}
        async with asyncio.timeout(30):
            while "system_status" not in seen or "full_sync_response" not in seen:
                frame = json.loads(await ws.recv())
                seen.setdefault(frame["type"], frame["payload"])
        assert seen["system_status"]["agentOnline"] is True
        assert seen["full_sync_response"]["totalConversations"] == 60

    # The whole loop: a draft appears, an analyst approves it, the demo Agent sends it once.
    api = f"http://127.0.0.1:{up.gw_port}/api/v1/users/300000"
    async with httpx.AsyncClient(params={"token": token}, timeout=30) as http:
        drafts: list[dict[str, object]] = []
        async with asyncio.timeout(60):
            while not drafts:
                reply = await http.get(f"{api}/drafts")
                drafts = reply.json() if reply.status_code == 200 else []
                await asyncio.sleep(0.5)
        draft = drafts[0]
        body = {
            "commandId": "demo-approval-1",
            "userId": "300000",
            "chatId": draft["chatId"],
            "text": draft["text"],
            "price": None,
            "mediaIds": [],
            "origin": "analyst",
            "createdAt": "2026-11-26T00:00:00Z",
        }
        accepted = await http.post(
            f"{api}/commands", json=body, params={"draftId": draft["draftId"]}
        )
        assert accepted.status_code == 202
        state = ""
        async with asyncio.timeout(60):
            while state != "sent":
                reply = await http.get(f"{api}/commands/demo-approval-1")
                state = reply.json()["state"] if reply.status_code == 200 else ""
                await asyncio.sleep(0.3)

    # A service that dies is restarted.
    ingest_pid = next(p for p, c in services.items() if "service ingest" in c)
    os.kill(ingest_pid, signal.SIGKILL)
    up.wait_for_line(r"ingest exited with -9; restarting")
    deadline = time.monotonic() + 30
    restarted: list[int] = []
    while time.monotonic() < deadline and not restarted:
        restarted = [
            p
            for p, c in children_of(up.process.pid).items()
            if "service ingest" in c and p != ingest_pid
        ]
        await asyncio.sleep(0.2)
    assert restarted

    # The embedded nats-server is supervised too: killed, it is restarted on the same port
    # with its data, and the stack carries on (the demo creator's frames are still there).
    nats_pid = next(p for p, c in children_of(up.process.pid).items() if "nats-server" in c)
    os.kill(nats_pid, signal.SIGKILL)
    up.wait_for_line(r"nats-server exited with -9; restarting")
    async with asyncio.timeout(60):
        while True:
            try:
                nc = await nats.connect(
                    f"nats://127.0.0.1:{up.nats_port}", max_reconnect_attempts=1, connect_timeout=1
                )
                info = await nc.jetstream().stream_info(AGENT_IN.name, subjects_filter=subject)
                await nc.close()
                break
            except (OSError, NoServersError, nats.errors.Error):
                await asyncio.sleep(0.3)
    assert sum((info.state.subjects or {}).values()) >= stored
    assert not alive(nats_pid)
    async with httpx.AsyncClient() as http, asyncio.timeout(60):
        while True:
            ready = await http.get(f"http://127.0.0.1:{up.gw_port}/readyz")
            if ready.status_code == 200:
                break
            await asyncio.sleep(0.3)

    # Ctrl-C stops everything, NATS included, and exits 0.
    everything = set(children_of(up.process.pid))
    up.process.send_signal(signal.SIGINT)
    assert up.process.wait(60) == 0
    await asyncio.sleep(0.5)
    assert not [pid for pid in everything if alive(pid)]
    with pytest.raises((OSError, NoServersError)):
        await nats.connect(
            f"nats://127.0.0.1:{up.nats_port}",
            max_reconnect_attempts=1,
            connect_timeout=1,
            allow_reconnect=False,
        )


def test_token_create_prints_one_verifiable_line(tmp_path: Path) -> None:
    env = {**os.environ, "OFCA_DATA_DIR": str(tmp_path)}
    env.pop("OFCA_SECRET", None)
    out = subprocess.run(
        [sys.executable, "-m", "ofca", "token", "create", "--user", "42", "--role", "agent"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.count("\n") == 1
    secret = (tmp_path / "secret").read_text().strip()
    assert verify_token(secret, out.strip()).user_ids == ("42",)


async def test_killing_ofca_up_takes_its_children_down(tmp_path: Path) -> None:
    stack = Up(tmp_path)
    try:
        await asyncio.to_thread(stack.wait_for_line, r"dashboard: ")
        children = set(children_of(stack.process.pid))
        assert len(children) >= 6  # nats-server and five services
        stack.process.kill()  # SIGKILL: no chance to clean up itself
        stack.process.wait()
        for _ in range(100):  # up to 20 s for SIGTERM handlers to finish
            if not [p for p in children if alive(p)]:
                break
            await asyncio.sleep(0.2)
        assert not [p for p in children if alive(p)]
    finally:
        if stack.process.poll() is None:
            stack.process.kill()
