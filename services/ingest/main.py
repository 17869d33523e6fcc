"""`ofca service ingest`: Agent frames → the per-creator ordered event log."""

import asyncio

from nats.aio.client import Client

from contracts.runtime.service import run_service
from services.ingest.consumer import run_ingest
from services.ingest.settings import IngestSettings


def run() -> None:
    settings = IngestSettings()

    async def body(nc: Client, stop: asyncio.Event) -> None:
        await run_ingest(nc, stop, settings)

    asyncio.run(run_service("ingest", settings, body))
