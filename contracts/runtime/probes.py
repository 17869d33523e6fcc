"""`/healthz`, `/readyz` and `/metrics` for services whose only HTTP surface is their probes."""

import asyncio
from collections.abc import Awaitable, Callable, Generator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

ReadinessCheck = Callable[[], Awaitable[list[str]]]

# What a service body still has to do before it serves correctly (e.g. "catching up with
# COMMANDS"); `/readyz` answers 503 while this is not empty. A body adds and discards reasons.
NOT_READY: set[str] = set()

_READINESS = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["ready", "not_ready"]},
        "problems": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["status", "problems"],
}
_READYZ_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"description": "Ready.", "content": {"application/json": {"schema": _READINESS}}},
    503: {
        "description": "Not ready: the problems say why.",
        "content": {"application/json": {"schema": _READINESS}},
    },
}
_METRICS_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "Prometheus text exposition format.",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
}


def add_probe_routes(app: FastAPI, readiness: ReadinessCheck) -> None:
    """Attach the three probe routes. `readiness` returns the problems (empty when ready)."""

    @app.get("/healthz", tags=["probes"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["probes"], response_class=JSONResponse, responses=_READYZ_RESPONSES)
    async def readyz() -> JSONResponse:
        problems = await readiness()
        status = 200 if not problems else 503
        body = {"status": "ready" if not problems else "not_ready", "problems": problems}
        return JSONResponse(body, status_code=status)

    @app.get("/metrics", tags=["probes"], response_class=Response, responses=_METRICS_RESPONSES)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the process that embeds it."""

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def probe_server(host: str, port: int, readiness: ReadinessCheck) -> uvicorn.Server:
    """A uvicorn server with only the probe routes; run it with `await server.serve()`."""
    app = FastAPI(title="probes", docs_url=None, redoc_url=None, openapi_url=None)
    add_probe_routes(app, readiness)
    config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False)
    return EmbeddedServer(config)


async def serve_until(server: uvicorn.Server, stop: asyncio.Event) -> None:
    """Serve probes until `stop` is set."""
    task = asyncio.create_task(server.serve())
    await stop.wait()
    server.should_exit = True
    await task
