"""Connecting to NATS, riding out its hiccups, and checking the provisioned streams exist."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import urlsplit

import nats
import structlog
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from contracts.nats_users import inbox_prefix
from contracts.streams import STREAMS

# What a reconnecting client or a JetStream node failing over raises: worth waiting out.
# (JetStream's errors are NatsErrors; nats-py's timeout is also the builtin TimeoutError.)
TRANSIENT_NATS_ERRORS = (NatsError, TimeoutError)
RETRY_ATTEMPTS = 6  # waits 0.25 + 0.5 + 1 + 2 + 4 s between them: longer than a reconnect

# Heartbeat of ordered push consumers: two missed beats make nats-py re-create the consumer, so
# this bounds how long a subscription stays dead after a NATS restart (nats-py's 5 s: ~10 s).
ORDERED_HEARTBEAT_S = 1.0

T = TypeVar("T")
log = structlog.get_logger()


async def retried(op: Callable[[], Awaitable[T]], what: str, attempts: int = RETRY_ATTEMPTS) -> T:
    """`await op()`, again after a backoff while NATS answers with a transient error.

    `op` must be safe to repeat (an idempotent put, a publish with a `Nats-Msg-Id`, a read).
    """
    for attempt in range(attempts - 1):
        try:
            return await op()
        except NotFoundError:
            raise  # a missing key, stream or consumer stays missing
        except TRANSIENT_NATS_ERRORS as exc:
            delay = min(8.0, 0.25 * 2**attempt)
            log.warning("nats_retry", what=what, error=type(exc).__name__, delay_s=delay)
            await asyncio.sleep(delay)
    return await op()


async def connect(
    url: str,
    name: str,
    *,
    within_s: float = 10.0,
    user: str | None = None,
    password: str | None = None,
) -> Client:
    """Connect (with reconnects for the life of the process) or raise within `within_s` seconds.

    nats-py retries a dead first connection forever unless bounded, hence the `wait_for`. The
    NATS user comes from `user`/`password` (`OFCA_NATS_USER`, `OFCA_NATS_PASSWORD`) or the URL.
    """
    servers = [u.strip() for u in url.split(",") if u.strip()]
    user = user or (urlsplit(servers[0]).username if servers else None)
    credentials = {"user": user, "password": password} if password else {}
    return await asyncio.wait_for(
        nats.connect(
            servers=servers,
            name=name,
            # Replies to this user's own prefix: with NATS users (contracts/nats_users.py) it
            # may read only those, never another service's answers.
            inbox_prefix=inbox_prefix(user),
            **credentials,
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
