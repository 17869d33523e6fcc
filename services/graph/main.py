"""`ofca service graph`: the event log → conversation graph, nodes and analytics."""

import asyncio

from nats.aio.client import Client

from contracts.runtime.service import run_service
from services.graph.service import run_graph
from services.graph.settings import GraphSettings


def run() -> None:
    settings = GraphSettings()

    async def body(nc: Client, stop: asyncio.Event) -> None:
        await run_graph(nc, stop, settings)

    asyncio.run(run_service("graph", settings, body))
