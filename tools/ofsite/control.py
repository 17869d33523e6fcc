"""The test control API under ``/_sim`` (no signing; not part of OnlyFans).

* ``POST /_sim/fan_message {"fanId", "text"?, "kind"?: "text"|"tip"}``: a new fan message,
  pushed to every connected socket as ``api2_chat_message`` + counters; returns it.
* ``GET /_sim/sent``: the creator's accepted sends, ``{"sent": [{fanId, body, message}]}``,
  and the refused ones in ``rejected`` (``{fanId, body, status}``).
* ``GET /_sim/secrets``: every credential value of this run, and every ``sign`` seen.
* ``GET /_sim/state``: ``{creatorId, chats, messages: {fanId: count}, wsClients, wsFrames,
  typing, rateLimit: {limit, window}, throttle: {count, status, retryAfter}}``.
* ``POST /_sim/fail_sends {"count": n}``: the next n sends answer 429.
* ``POST /_sim/fan_update {"fanId", "name"?, "username"?, "unread"?}``: change a fan's user
  object and/or their chat's unread count, then push a counters frame to every socket.
* ``GET /_sim/truth[?offset&limit]``: every chat with its fan's names, unread count and
  message ids: what a complete backfill must end up with.

The request log, rate limit and throttle calls are in ``control_traffic``.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from tools.ofsim import ws_frame_chat_message
from tools.ofsite.auth import ApiError
from tools.ofsite.state import SiteState

USERNAME = re.compile(r"[A-Za-z0-9_.]{1,64}")


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; a 400 ``ApiError`` for anything else."""
    try:
        body = await request.json()
    except ValueError:
        raise ApiError(400, "Bad JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Bad JSON")
    return body


def control_router(state: SiteState) -> APIRouter:
    router = APIRouter(prefix="/_sim")

    @router.post("/fan_message")
    async def fan_message(request: Request) -> JSONResponse:
        body = await json_body(request)
        fan_id = body.get("fanId")
        if fan_id is None and state.inbox.chats:
            fan_id = state.inbox.chats[0]["withUser"]["id"]
        fan_id = _fan(state, fan_id)
        kind = body.get("kind", "text")
        text = body.get("text")
        if kind not in {"text", "tip"} or not (text is None or isinstance(text, str)):
            raise ApiError(400, "kind is text|tip, text a string or null")
        message = state.new_fan_message(fan_id, text, kind)
        await state.hub.push([ws_frame_chat_message(message), state.counters()])
        return JSONResponse(message)

    @router.get("/sent")
    def sent() -> JSONResponse:
        return JSONResponse({"sent": state.sent, "rejected": state.rejected})

    @router.get("/secrets")
    def secrets() -> JSONResponse:
        return JSONResponse(state.secrets_report())

    @router.get("/state")
    def site_state() -> JSONResponse:
        fans = [c["withUser"]["id"] for c in state.inbox.chats]  # most recent chat first
        counts = {str(f): len(state.inbox.messages.get(f, ())) for f in fans}
        return JSONResponse(
            {
                "creatorId": state.creator_id,
                "chats": len(state.inbox.chats),
                "messages": counts,
                "wsClients": state.hub.authed(),
                "wsFrames": dict(state.ws_frames),
                "typing": state.typing[-50:],
                "rateLimit": {"limit": state.rate_limit.limit, "window": state.rate_limit.window},
                "throttle": {
                    "count": state.throttle.count,
                    "status": state.throttle.status,
                    "retryAfter": state.throttle.retry_after,
                },
            }
        )

    @router.post("/fail_sends")
    async def fail_sends(request: Request) -> JSONResponse:
        count = (await json_body(request)).get("count", 1)
        if not _is_int(count) or count < 0:
            raise ApiError(400, "count must be an int >= 0")
        state.fail_sends = count
        return JSONResponse({"failSends": count})

    @router.post("/fan_update")
    async def fan_update(request: Request) -> JSONResponse:
        body = await json_body(request)
        fan_id = _fan(state, body.get("fanId"))
        name, username, unread = body.get("name"), body.get("username"), body.get("unread")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise ApiError(400, "name must be a non-empty string")
        if username is not None and not (
            isinstance(username, str) and USERNAME.fullmatch(username)
        ):
            raise ApiError(400, "username must be 1-64 letters, digits, _ or .")
        if unread is not None and (not _is_int(unread) or unread < 0):
            raise ApiError(400, "unread must be an int >= 0")
        user = state.update_fan(fan_id, name, username, unread)
        delivered = await state.hub.push([state.counters()])
        chat = state.chat(fan_id)
        count = chat["unreadMessagesCount"] if chat else 0
        return JSONResponse(
            {"fanId": fan_id, "user": user, "unreadMessagesCount": count, "delivered": delivered}
        )

    @router.get("/truth")
    def truth(offset: int = 0, limit: int | None = None) -> JSONResponse:
        if offset < 0 or (limit is not None and limit < 1):
            raise ApiError(400, "offset >= 0 and limit >= 1")
        return JSONResponse(state.truth(offset, limit))

    return router


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _fan(state: SiteState, fan_id: Any) -> int:
    """``fan_id`` (an int or digits) as a fan of the inbox; a 404 ``ApiError`` otherwise."""
    if isinstance(fan_id, str) and fan_id.isdigit():
        fan_id = int(fan_id)
    if not _is_int(fan_id) or fan_id not in state.inbox.fans:
        raise ApiError(404, f"No fan {fan_id}")
    return int(fan_id)
