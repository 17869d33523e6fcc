"""Connecting to NATS and checking that the provisioned streams exist."""

import asyncio

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from contracts.streams import STREAMS


async def connect(url: str, name: str, *, within_s: float = 10.0) -> Client:
    """Connect (with reconnects for the life of the process) or raise within `within_s` seconds.

    nats-py retries a dead first connection forever unless bounded, hence the `wait_for`.
    """
    servers = [u.strip() for u in url.split(",") if u.strip()]
    return await asyncio.wait_for(
        nats.connect(
            servers=servers,
            name=name,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            connect_timeout=2,
        ),
        within_s,
    )


async def streams_present(js: JetStreamContext) -> list[str]:
    """Names of the streams from `contracts.streams` that are missing on the server."""
    missing = []
    for spec in STREAMS:
        try:
            await js.stream_info(spec.name)
        except NotFoundError:
            missing.append(spec.name)
    return missing
