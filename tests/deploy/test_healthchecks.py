"""Each HEALTHCHECK command, run for real against a stand-in `/healthz` (no Docker needed)."""

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ofca.natsd import free_port
from tests.deploy.compose_files import (
    SERVICES,
    env_of,
    healthcheck_command,
)

# --- the healthchecks, run for real against a stand-in probe server --------------------------


class _Healthz(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 200 if self.path == "/healthz" else 404
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def healthz_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Healthz)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def run_healthcheck(name: str, port: int) -> int:
    command = healthcheck_command(name)
    assert command is not None, f"target {name} has HEALTHCHECK NONE"
    assert command[0] == "python", f"{name}: the slim image has python, not {command[0]}"
    port_var = "OFCA_GATEWAY_PORT" if name == "gateway" else "OFCA_HEALTH_PORT"
    env = {**env_of(name), port_var: str(port)}
    result = subprocess.run([sys.executable, *command[1:]], env=env, timeout=20, check=False)
    return result.returncode


@pytest.mark.parametrize("name", SERVICES)
def test_healthcheck_passes_when_healthz_answers(name: str, healthz_server: int) -> None:
    """The check probes /healthz on the port the service listens on (its port variable)."""
    assert run_healthcheck(name, healthz_server) == 0


@pytest.mark.parametrize("name", SERVICES)
def test_healthcheck_fails_when_nothing_answers(name: str) -> None:
    assert run_healthcheck(name, free_port()) != 0
