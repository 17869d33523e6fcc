"""``create_app(state)``: the simulated onlyfans.com as one FastAPI app (pages, REST, WS)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from tools.ofsite.api import api_router
from tools.ofsite.auth import ApiError
from tools.ofsite.control import control_router
from tools.ofsite.pages import page_router
from tools.ofsite.state import SiteState
from tools.ofsite.ws import socket_router

REQUEST_LOG_LIMIT = 5000


def create_app(state: SiteState) -> FastAPI:
    """The site serving ``state``; run it over HTTPS as ``onlyfans.com`` (see README)."""
    app = FastAPI(title="ofsite", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.site = state

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return exc.response()

    app.add_exception_handler(ApiError, api_error)

    @app.middleware("http")
    async def log_api(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        if request.url.path.startswith("/api2/"):
            target = request.url.path
            if request.url.query:
                target += "?" + request.url.query
            entry = {"method": request.method, "path": target, "status": response.status_code}
            state.requests.append(entry)
            del state.requests[:-REQUEST_LOG_LIMIT]
        return response

    app.include_router(api_router(state))
    app.include_router(socket_router(state))
    app.include_router(control_router(state))
    app.include_router(page_router(state))
    return app
