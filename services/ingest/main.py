"""`ofca service ingest`: a placeholder for now: it connects to NATS and answers probes."""

import asyncio

from contracts.runtime.service import run_service
from contracts.runtime.settings import ServiceSettings


def run() -> None:
    asyncio.run(run_service("ingest", ServiceSettings()))
