"""The life of a stream-consuming service: connect, serve probes, run, stop on SIGTERM."""

import asyncio
import signal
from collections.abc import Callable, Coroutine
from typing import Any

import structlog
from nats.aio.client import Client

from contracts.runtime.logs import configure_logging
from contracts.runtime.nats import TRANSIENT_NATS_ERRORS, connect, streams_present
from contracts.runtime.probes import NOT_READY, probe_server, serve_until
from contracts.runtime.settings import ServiceSettings

Body = Callable[[Client, asyncio.Event], Coroutine[Any, Any, None]]
log = structlog.get_logger()


async def _wait_forever(_nc: Client, stop: asyncio.Event) -> None:
    await stop.wait()


async def run_service(name: str, settings: ServiceSettings, body: Body = _wait_forever) -> None:
    """Run `body(nc, stop)` until SIGTERM/SIGINT; probes answer for the whole life."""
    configure_logging(name, settings.log_format, settings.log_level)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    nc = await connect(
        settings.nats_url,
        name=f"{name}{settings.instance}",
        user=settings.nats_user,
        password=settings.nats_password,
    )
    js = nc.jetstream()

    async def readiness() -> list[str]:
        if not nc.is_connected:
            return ["nats: not connected"]
        try:
            missing = [f"stream missing: {s}" for s in await streams_present(js)]
        except TRANSIENT_NATS_ERRORS:
            return ["nats: not answering"]  # a reconnect or a failover: not ready, not a crash
        return missing + sorted(NOT_READY)

    tasks: list[asyncio.Task[None]] = [asyncio.create_task(body(nc, stop), name=name)]
    if settings.health_port:
        server = probe_server(settings.health_host, settings.health_port, readiness)
        tasks.append(asyncio.create_task(serve_until(server, stop), name="probes"))
    log.info("service_started", health_port=settings.health_port)
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()  # a crashed body ends the process, so the supervisor restarts it
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await close_nats(nc)
        log.info("service_stopped")


async def close_nats(nc: Client, within_s: float = 5.0) -> None:
    """Drain (flush what is in flight), but never let a stuck subscription hold the exit."""
    try:
        await asyncio.wait_for(nc.drain(), within_s)
    except TRANSIENT_NATS_ERRORS:
        await nc.close()
