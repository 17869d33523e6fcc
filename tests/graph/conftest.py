"""A real ingest and graph for the graph tests of a module."""

from collections.abc import AsyncIterator

import pytest
from nats.aio.client import Client

from tests.graph.stack import GraphProcess
from tests.ingest.stack import IngestProcess


@pytest.fixture(scope="module")
async def services(nats_url: str, nc: Client) -> AsyncIterator[tuple[IngestProcess, GraphProcess]]:
    ingest = await IngestProcess(nats_url).ready()
    graph = await GraphProcess(nats_url).ready()
    yield ingest, graph
    graph.stop()
    ingest.stop()
