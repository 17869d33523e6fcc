"""Every HTTP answer carries security headers; a request body has a size limit.

Pure ASGI (WebSocket scopes pass untouched), so it costs the sockets nothing.

- `Content-Security-Policy`: the dashboard loads only its own scripts and styles, talks only to
  its own origin (REST and `ws(s)://`), and may not be framed (`frame-ancestors 'none'`:
  clickjacking of the send and delete buttons). Fan texts are escaped by React; the policy is
  the second wall should an escape ever be missed.
- `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (older browsers),
  `Referrer-Policy: no-referrer` (dashboard links carry `?token=`: never leak it in a
  `Referer`), `Cross-Origin-Opener-Policy: same-origin`.
- A body above `max_body_bytes` is refused with 413 before the route reads it: by its
  `Content-Length`, or, for a chunked body, as soon as the bytes received pass the limit.
"""

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class HttpGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = refused = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 went out: whatever the route still says is dropped
            if message["type"] == "http.response.start":
                started = True
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await self._too_large(guarded_send)
            return
        received = 0

        async def counted_receive() -> Message:
            # A chunked body over the limit: answer 413 now and tell the route the client left
            # (an exception here would reach FastAPI's body parser and become a 400).
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    if not started:
                        await self._too_large(guarded_send)
                    refused = True
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, counted_receive, guarded_send)

    async def _too_large(self, send: Send) -> None:
        body = json.dumps(
            {"detail": f"request body larger than {self.max_body_bytes} bytes"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
