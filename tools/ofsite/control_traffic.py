"""The control calls about ``/api2`` traffic (no signing; not part of OnlyFans).

* ``GET /_sim/requests[?since=i&limit=n]``: the request log from entry ``i`` on, a list of
  ``{index, at (epoch ms, arrival), method, path, target (path with query), endpoint,
  status}``; every ``/api2`` request of the run is kept.
* ``GET /_sim/request_stats?window=s[&since=i]``: ``{total, byEndpoint, statuses,
  maxInWindow, window, duplicates, duplicatesServed, since}``.
* ``POST /_sim/throttle {"count": n, "status"?: 429|5xx, "retryAfter"?: s|null}``: the next
  n GET requests answer that status (429: ``Retry-After`` 1 unless given).
* ``POST /_sim/rate_limit {"limit": n|null, "window"?: s}``: change the rate limit.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from tools.ofsite.auth import ApiError
from tools.ofsite.control import json_body
from tools.ofsite.state import SiteState
from tools.ofsite.traffic import RateLimit, Throttle


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def traffic_router(state: SiteState) -> APIRouter:
    router = APIRouter(prefix="/_sim")

    @router.get("/requests")
    def requests(since: int = 0, limit: int | None = None) -> JSONResponse:
        if since < 0 or (limit is not None and limit < 0):
            raise ApiError(400, "since and limit must be >= 0")
        return JSONResponse(state.requests.since(since, limit))

    @router.get("/request_stats")
    def request_stats(window: float = 1.0, since: int = 0) -> JSONResponse:
        if window <= 0 or since < 0:
            raise ApiError(400, "window > 0 and since >= 0")
        return JSONResponse(state.requests.stats(window, since))

    @router.post("/throttle")
    async def throttle(request: Request) -> JSONResponse:
        body = await json_body(request)
        count, status = body.get("count", 1), body.get("status", 429)
        retry_after = body.get("retryAfter", 1 if status == 429 else None)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ApiError(400, "count must be an int >= 0")
        if status != 429 and not (isinstance(status, int) and 500 <= status <= 599):
            raise ApiError(400, "status must be 429 or 5xx")
        if retry_after is not None and (not _number(retry_after) or retry_after < 0):
            raise ApiError(400, "retryAfter must be seconds >= 0 or null")
        state.throttle = Throttle(count, status, retry_after)
        return JSONResponse({"count": count, "status": status, "retryAfter": retry_after})

    @router.post("/rate_limit")
    async def rate_limit(request: Request) -> JSONResponse:
        body = await json_body(request)
        limit, window = body.get("limit"), body.get("window", 1.0)
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)):
            raise ApiError(400, "limit must be an int >= 1 or null")
        if (limit is not None and limit < 1) or not _number(window) or window <= 0:
            raise ApiError(400, "limit must be >= 1 and window > 0")
        state.rate_limit = RateLimit(limit, float(window))
        return JSONResponse({"limit": limit, "window": float(window)})

    return router
