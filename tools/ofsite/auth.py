"""Request signing of the simulated ``/api2/v2`` (of-traffic.md section 5).

The real site signs every API call with a SHA-1 over a static value from its script, the
time, the path with its query and the user id, plus a checksum (rules that rotate). The
simulator keeps the idea and drops the checksum::

    sign = sha1_hex(f"{sign_secret}\\n{time}\\n{path_with_query}\\n{user_id}")

``time`` is epoch milliseconds as a string, ``path_with_query`` is the request target as
sent (``/api2/v2/chats?limit=10&offset=0``), ``user_id`` the ``user-id`` header (the
creator's id). A request also needs the ``app-token``, ``x-bc`` (localStorage
``bcTokenSha``) and ``user-id`` headers and the ``sess`` cookie of this run. Anything
missing or wrong answers 401 ``{"error":{"code":401,"message":"unsigned"}}``; a good
signature over a ``time`` more than 60 s away answers 400.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import unquote

from fastapi import Request
from fastapi.responses import JSONResponse

from tools.ofsite.state import SiteState

MAX_SKEW_MS = 60_000


class ApiError(Exception):
    """An OnlyFans-style error answer: ``{"error": {"code": status, "message": ...}}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> JSONResponse:
        body = {"error": {"code": self.status, "message": self.message}}
        return JSONResponse(body, status_code=self.status)


def sign(secret: str, time_ms: str, path_with_query: str, user_id: str | int) -> str:
    """The ``sign`` header value for one request (hex SHA-1; see the module docstring)."""
    data = f"{secret}\n{time_ms}\n{path_with_query}\n{user_id}".encode()
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def request_target(request: Request) -> str:
    """The path and query exactly as the client sent them."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string", b"")
    target = raw.decode("latin-1")
    return f"{target}?{query.decode('latin-1')}" if query else target


def verify(request: Request, state: SiteState) -> None:
    """Raise ``ApiError`` unless ``request`` carries this run's credentials and a good sign."""
    headers = request.headers
    got = headers.get("sign")
    if got is not None:
        state.signatures.append(got)
    s = state.secrets
    expected = {"app-token": s.app_token, "x-bc": s.xbc, "user-id": str(state.creator_id)}
    if any(headers.get(name) != value for name, value in expected.items()):
        raise ApiError(401, "unsigned")
    if request.cookies.get("sess") != s.sess:
        raise ApiError(401, "unsigned")
    stamp = headers.get("time", "")
    if got is None or not got.isascii() or not stamp.isdigit():
        raise ApiError(401, "unsigned")
    target = request_target(request)
    # Clients differ in how they escape brackets (``m[]=``); either spelling is accepted.
    candidates = {
        sign(s.sign_secret, stamp, t, state.creator_id) for t in (target, unquote(target))
    }
    if not any(hmac.compare_digest(got.lower(), c) for c in candidates):
        raise ApiError(401, "unsigned")
    if abs(int(time.time() * 1000) - int(stamp)) > MAX_SKEW_MS:
        raise ApiError(400, "Request time is out of sync")
