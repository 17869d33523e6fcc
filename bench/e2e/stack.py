"""A real Brain for end-to-end benchmarks: NATS, gateway, ingest and graph as processes."""

import asyncio
import os
import secrets
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nats
from nats.aio.client import Client

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from contracts.runtime.provision import provision  # noqa: E402
from ofca.natsd import EmbeddedNats, free_port  # noqa: E402
from tests.command.stack import PrivateGateway  # noqa: E402
from tests.conftest import Gateway, ServiceProcess  # noqa: E402
from tests.graph.stack import GraphProcess  # noqa: E402
from tests.ingest.stack import IngestProcess  # noqa: E402


@dataclass
class Brain:
    server: EmbeddedNats
    nc: Client
    gateway: Gateway
    private: PrivateGateway
    services: list[ServiceProcess] = field(default_factory=list)

    def pids(self) -> dict[str, int]:
        """The Brain's processes by name (the load generator is this process)."""
        assert self.server.process is not None
        pids = {"gateway": self.private.process.pid, "nats-server": self.server.process.pid}
        for service in self.services:
            pids[service.name] = service.process.pid
        return pids

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by each process, the load generator included."""
        used = {name: cpu_seconds(pid) for name, pid in self.pids().items()}
        used["load generator"] = cpu_seconds(os.getpid())
        return used

    def stop(self) -> None:
        self.private.stop()
        for service in self.services:
            service.stop()
        self.server.stop()


async def start_brain(graph: bool = True, **gateway_env: str) -> Brain:
    tmp = Path(tempfile.mkdtemp(prefix="ofca-bench-"))
    server = EmbeddedNats(tmp / "nats", free_port(), free_port())
    server.start()
    nc = await nats.connect(server.url)
    await provision(nc.jetstream())
    services: list[ServiceProcess] = [
        await IngestProcess(server.url, OFCA_LOG_LEVEL="WARNING").ready()
    ]
    if graph:
        services.append(await GraphProcess(server.url, OFCA_LOG_LEVEL="WARNING").ready())
    private = PrivateGateway(server.url, secrets.token_urlsafe(48), tmp / "gw")
    private.env.update(OFCA_LOG_LEVEL="WARNING", **gateway_env)
    private.restart()
    gateway = await private.ready()
    return Brain(server, nc, gateway, private, services)


def rss_mib(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


_ = asyncio
