"""``create_app(state)``: the simulated onlyfans.com as one FastAPI app (pages, REST, WS)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from tools.ofsite.api import api_router
from tools.ofsite.auth import ApiError, request_target
from tools.ofsite.control import control_router
from tools.ofsite.control_traffic import traffic_router
from tools.ofsite.pages import page_router
from tools.ofsite.state import SiteState
from tools.ofsite.ws import socket_router


def create_app(state: SiteState) -> FastAPI:
    """The site serving ``state``; run it over HTTPS as ``onlyfans.com`` (see README)."""
    app = FastAPI(title="ofsite", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.site = state

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return exc.response()

    app.add_exception_handler(ApiError, api_error)

    @app.middleware("http")
    async def api_traffic(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Forced failures and the rate limit come before the route; everything is logged."""
        if not request.url.path.startswith("/api2/"):
            return await call_next(request)
        at_ms = time.time() * 1000
        method = request.method
        refused = state.throttle.take(method)
        if refused is None:
            refused = state.rate_limit.take()
        response = await call_next(request) if refused is None else refused
        state.requests.add(method, request_target(request), response.status_code, at_ms)
        return response

    app.include_router(api_router(state))
    app.include_router(socket_router(state))
    app.include_router(control_router(state))
    app.include_router(traffic_router(state))
    app.include_router(page_router(state))
    return app
