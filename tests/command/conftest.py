"""A command service per test (some tests restart it or need their own TTL)."""

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from nats.aio.client import Client

from tests.command.stack import CommandProcess

StartCommand = Callable[..., Awaitable[CommandProcess]]


@pytest.fixture
async def start_command(nats_url: str, nc: Client) -> AsyncIterator[StartCommand]:
    started: list[CommandProcess] = []

    async def start(**env: str) -> CommandProcess:
        process = await CommandProcess(nats_url, **env).ready()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
