"""Helpers for ingest tests on a real nats-server: run the service, read the event log."""

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

from nats.aio.client import Client
from nats.errors import TimeoutError as NatsTimeoutError

from contracts import subjects
from contracts.events import Event, SnapshotReplaced, decode_batch
from contracts.streams import EVENTS
from tests.conftest import ServiceProcess

ROOT = Path(__file__).resolve().parents[2]


class IngestProcess(ServiceProcess):
    name = "ingest"

    def __init__(self, nats_url: str, *, index: int = 0, instances: int = 1, **env: str) -> None:
        super().__init__(
            nats_url, OFCA_INGEST_INDEX=str(index), OFCA_INGEST_INSTANCES=str(instances), **env
        )


async def read_events(nc: Client, user: str, within_s: float = 30) -> list[tuple[str, Event]]:
    """Every event of `user` in the log, in log order, with the kind of its subject.

    Reads to the end the consumer reported when it was created (the last message delivered
    says `num_pending == 0`), however slow a fetch is: a read that stopped at the first quiet
    fetch returned a prefix while a restarted NATS node rejoined (docs/drills.md)."""
    js = nc.jetstream()
    sub = await js.pull_subscribe(subjects.events_stored(user), stream=EVENTS.name)
    out: list[tuple[str, Event]] = []
    try:
        if (await sub.consumer_info()).num_pending == 0:
            return out
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            try:
                msgs = await sub.fetch(200, timeout=1)
            except (NatsTimeoutError, TimeoutError):
                continue
            for msg in msgs:
                kind = msg.subject.split(".")[-1]
                out.extend((kind, e) for e in decode_batch(msg.data))
                await msg.ack()
                if msg.metadata.num_pending == 0:
                    return out
        raise TimeoutError(f"the event log of {user} not read to its end in {within_s} s")
    finally:
        await sub.unsubscribe()


async def wait_events(
    nc: Client, user: str, done: Callable[[list[tuple[str, Event]]], bool], within_s: float = 60
) -> list[tuple[str, Event]]:
    deadline = time.monotonic() + within_s
    while True:
        log = await read_events(nc, user)
        if done(log):
            return log
        if time.monotonic() > deadline:
            raise AssertionError(f"events not there in time ({len(log)} so far)")
        await asyncio.sleep(0.3)


def snapshot_done(snapshot_id: str) -> Callable[[list[tuple[str, Event]]], bool]:
    return lambda log: any(
        isinstance(e, SnapshotReplaced) and e.snapshot_id == snapshot_id for _, e in log
    )


def environ_without_nats() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "OFCA_NATS_URL"}
