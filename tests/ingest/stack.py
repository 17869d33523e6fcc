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


async def read_events(nc: Client, user: str) -> list[tuple[str, Event]]:
    """Every event of `user` in the log, in log order, with the kind of its subject."""
    js = nc.jetstream()
    sub = await js.pull_subscribe(subjects.events_stored(user), stream=EVENTS.name)
    out: list[tuple[str, Event]] = []
    try:
        while True:
            try:
                msgs = await sub.fetch(200, timeout=0.3)
            except (NatsTimeoutError, TimeoutError):
                return out
            for msg in msgs:
                kind = msg.subject.split(".")[-1]
                out.extend((kind, e) for e in decode_batch(msg.data))
                await msg.ack()
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
