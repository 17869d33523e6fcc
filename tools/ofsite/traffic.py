"""What the site does with each ``/api2`` request before its route: forced failures, the
rate limit, and the request log that tests check a client's pacing against.

* ``Throttle``: the next n GET requests answer a given status (``POST /_sim/throttle``).
* ``RateLimit``: at most ``limit`` requests admitted in any ``window`` seconds; more answer
  429 with ``Retry-After`` (``--rate-limit``, ``POST /_sim/rate_limit``). Only admitted
  requests fill the window, so a client that waits ``Retry-After`` gets through.
* ``RequestLog``: every ``/api2`` request of the run, with its arrival time, and
  ``stats`` over it (``GET /_sim/requests``, ``GET /_sim/request_stats``).
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from fastapi.responses import JSONResponse

JsonObj = dict[str, Any]

MESSAGES = {429: "Too many requests", 500: "Internal server error", 502: "Bad gateway",
            503: "Service unavailable", 504: "Gateway timeout"}  # fmt: skip
_NUMBER = re.compile(r"/\d+(?=/|$)")


def error_response(status: int, retry_after: float | None) -> JSONResponse:
    """An OnlyFans-style error answer, with ``Retry-After`` (whole seconds) when given."""
    message = MESSAGES.get(status, "Server error")
    headers = {} if retry_after is None else {"retry-after": str(math.ceil(retry_after))}
    body = {"error": {"code": status, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


@dataclass
class Throttle:
    """The next ``count`` GET requests answer ``status`` (and ``Retry-After`` if set)."""

    count: int = 0
    status: int = 429
    retry_after: float | None = 1

    def take(self, method: str) -> JSONResponse | None:
        if method != "GET" or self.count <= 0:
            return None
        self.count -= 1
        return error_response(self.status, self.retry_after)


@dataclass
class RateLimit:
    """A sliding window of admitted requests; ``limit`` None means no limit."""

    limit: int | None = None
    window: float = 1.0
    admitted: deque[float] = field(default_factory=deque)  # monotonic seconds

    def take(self, now: float | None = None) -> JSONResponse | None:
        if self.limit is None:
            return None
        now = time.monotonic() if now is None else now
        while self.admitted and self.admitted[0] <= now - self.window:
            self.admitted.popleft()
        if len(self.admitted) >= self.limit:
            wait = self.admitted[0] + self.window - now
            return error_response(429, max(1.0, wait))
        self.admitted.append(now)
        return None


def endpoint(method: str, path: str) -> str:
    """``GET /chats/{id}/messages`` for ``/api2/v2/chats/123/messages``: the route, ids out."""
    return f"{method} {_NUMBER.sub('/{id}', path.removeprefix('/api2/v2'))}"


@dataclass
class RequestLog:
    """Every ``/api2`` request of the run, oldest first (``index`` is the position)."""

    entries: list[JsonObj] = field(default_factory=list)

    def add(self, method: str, target: str, status: int, at_ms: float) -> None:
        path = target.split("?", 1)[0]
        self.entries.append(
            {
                "index": len(self.entries),
                "at": round(at_ms, 3),
                "method": method,
                "path": path,
                "target": target,
                "endpoint": endpoint(method, path),
                "status": status,
            }
        )

    def since(self, index: int, limit: int | None = None) -> list[JsonObj]:
        end = None if limit is None else index + limit
        return self.entries[index:end]

    def stats(self, window_s: float, since: int = 0) -> JsonObj:
        """Counts over the log from ``since`` on; see ``GET /_sim/request_stats``."""
        entries = self.entries[since:]
        gets = Counter(e["target"] for e in entries if e["method"] == "GET")
        served = Counter(
            e["target"] for e in entries if e["method"] == "GET" and 200 <= e["status"] < 300
        )
        return {
            "since": since,
            "total": len(entries),
            "window": window_s,
            "maxInWindow": max_in_window(sorted(e["at"] for e in entries), window_s * 1000),
            "byEndpoint": dict(Counter(e["endpoint"] for e in entries)),
            "statuses": {
                str(k): v for k, v in sorted(Counter(e["status"] for e in entries).items())
            },
            "duplicates": {t: n for t, n in gets.items() if n > 1},
            "duplicatesServed": {t: n for t, n in served.items() if n > 1},
        }


def max_in_window(times: list[float], width: float) -> int:
    """The most ``times`` in any half-open interval ``[t, t + width)`` (times ascending)."""
    best = start = 0
    for end, at in enumerate(times):
        while start < end and times[start] <= at - width:
            start += 1
        best = max(best, end - start + 1)
    return best
