"""A real ingest, graph, enrichment and command service for the enrichment tests of a module."""

from collections.abc import AsyncIterator

import pytest
from nats.aio.client import Client

from contracts.streams import EVENTS, KV_ENRICHMENT_PROGRESS, PARTITIONS
from tests.command.stack import CommandProcess
from tests.conftest import ServiceProcess
from tests.graph.stack import GraphProcess
from tests.ingest.stack import IngestProcess


class EnrichmentProcess(ServiceProcess):
    name = "enrichment"
    defaults = {"OFCA_ENRICHMENT_FLUSH_INTERVAL": "0.1"}


async def start_scoring_services(nats_url: str, nc: Client) -> list[ServiceProcess]:
    """Ingest, graph, enrichment and command, with enrichment scoring only what comes now."""
    # Earlier test modules left events in the shared log: score only what comes from now on
    # (history is still read, as after any restart).
    js = nc.jetstream()
    last = (await js.stream_info(EVENTS.name)).state.last_seq
    progress = await js.key_value(KV_ENRICHMENT_PROGRESS)
    for partition in range(PARTITIONS):
        await progress.put(f"p{partition}", str(last).encode())
    return [
        await IngestProcess(nats_url).ready(),
        await GraphProcess(nats_url).ready(),
        await EnrichmentProcess(nats_url).ready(),
        await CommandProcess(nats_url).ready(),
    ]


@pytest.fixture(scope="module")
async def stack(nats_url: str, nc: Client) -> AsyncIterator[list[ServiceProcess]]:
    processes = await start_scoring_services(nats_url, nc)
    yield processes
    for process in reversed(processes):
        process.stop()
