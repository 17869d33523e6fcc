"""The gateway's FastAPI application: sockets, REST, probes and the dashboard."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from contracts import VERSION
from contracts.runtime.nats import connect
from contracts.runtime.probes import add_probe_routes
from contracts.tokens import check_secret, load_or_create_secret, load_previous_secrets
from services.gateway import (
    agency_routes,
    command_routes,
    ownership_routes,
    query_routes,
    routes,
    sockets,
)
from services.gateway.api_docs import add_api_docs
from services.gateway.http_guard import HttpGuard
from services.gateway.runtime import GatewayRuntime
from services.gateway.session import CLOSE_SERVICE_RESTART
from services.gateway.settings import GatewaySettings

log = structlog.get_logger()
REPO_DASHBOARD = Path(__file__).resolve().parents[2] / "bridge-ui" / "dist"


def create_app(settings: GatewaySettings) -> FastAPI:
    secret = check_secret(settings.secret) if settings.secret else None
    previous = [check_secret(s.strip()) for s in settings.previous_secrets.split(",") if s.strip()]
    if secret is None:
        secret = load_or_create_secret(settings.data_dir)
        previous = previous or load_previous_secrets(settings.data_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nc = await connect(
            settings.nats_url,
            name=f"gateway{settings.instance}",
            user=settings.nats_user,
            password=settings.nats_password,
        )
        app.state.runtime = GatewayRuntime(settings, secret, nc)
        log.info("gateway_ready", max_frame_bytes=app.state.runtime.max_frame_bytes)
        try:
            yield
        finally:
            await drain(app.state.runtime)
            await nc.drain()

    # /docs is served from local files (api_docs.py); ReDoc would load a CDN script.
    app = FastAPI(
        title="OFCA gateway", version=VERSION, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.secret = secret
    app.state.previous_secrets = previous
    app.include_router(routes.router)
    app.include_router(query_routes.router)
    app.include_router(ownership_routes.router)
    app.include_router(agency_routes.router)
    app.include_router(command_routes.router)
    app.include_router(sockets.router)

    async def readiness() -> list[str]:
        runtime: GatewayRuntime | None = getattr(app.state, "runtime", None)
        return ["starting"] if runtime is None else await runtime.readiness()

    add_probe_routes(app, readiness)
    add_api_docs(app)
    mount_dashboard(app, settings.dashboard_dir or REPO_DASHBOARD)
    app.add_middleware(HttpGuard, max_body_bytes=settings.max_body_bytes)
    return app


async def drain(runtime: GatewayRuntime) -> None:
    """Close every local socket with 1012 so Agents and Bridges reconnect (elsewhere)."""
    sessions = list(runtime.sessions)
    await asyncio.gather(
        *(s.close(CLOSE_SERVICE_RESTART, "gateway restarting") for s in sessions),
        return_exceptions=True,
    )


def mount_dashboard(app: FastAPI, directory: Path) -> None:
    """Serve the built dashboard at `/`, or a page that says how to build it."""
    if (directory / "index.html").exists():
        app.mount("/", StaticFiles(directory=directory, html=True), name="dashboard")
        return

    @app.get("/", include_in_schema=False)
    async def no_dashboard() -> HTMLResponse:
        return HTMLResponse(
            "<!doctype html><title>OFCA</title><h1>OFCA gateway</h1>"
            "<p>The dashboard is not built. The API is at <a href='/docs'>/docs</a>.</p>"
        )
