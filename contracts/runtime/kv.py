"""Following a KV bucket's changes for the life of a service, across NATS outages."""

import asyncio
import contextlib
from collections.abc import Callable

import structlog
from nats.js.kv import KeyValue

from contracts.runtime.nats import TRANSIENT_NATS_ERRORS

log = structlog.get_logger()


async def watch_keys(
    kv: KeyValue,
    on_key: Callable[[str], object],
    stop: asyncio.Event,
    *,
    ignore_deletes: bool = False,
    name: str = "kv_watch",
) -> None:
    """Call `on_key(key)` for every key put (and deleted, unless `ignore_deletes`) until `stop`,
    current values first; the watch is re-established after an outage (keys are seen again)."""
    while not stop.is_set():
        try:
            watcher = await kv.watchall(ignore_deletes=ignore_deletes, meta_only=True)
        except TRANSIENT_NATS_ERRORS:
            await asyncio.sleep(1)
            continue
        try:
            while not stop.is_set():
                try:
                    update = await watcher.updates(timeout=1.0)  # type: ignore[no-untyped-call]
                except TimeoutError:
                    continue
                if update is not None and update.key:
                    on_key(update.key)
        except TRANSIENT_NATS_ERRORS as exc:
            log.warning(f"{name}_restart", error=type(exc).__name__)
        finally:
            with contextlib.suppress(Exception):
                await watcher.stop()  # type: ignore[no-untyped-call]
