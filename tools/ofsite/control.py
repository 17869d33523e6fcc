"""The test control API under ``/_sim`` (no signing; not part of OnlyFans).

* ``POST /_sim/fan_message {"fanId", "text"?, "kind"?: "text"|"tip"}``: a new fan message,
  pushed to every connected socket as ``api2_chat_message`` + counters; returns it.
* ``GET /_sim/sent``: the creator's accepted sends, ``{"sent": [{fanId, body, message}]}``,
  and the refused ones in ``rejected`` (``{fanId, body, status}``).
* ``GET /_sim/secrets``: every credential value of this run, and every ``sign`` seen.
* ``GET /_sim/state``: ``{creatorId, chats, messages: {fanId: count}, wsClients, wsFrames,
  typing}``.
* ``POST /_sim/fail_sends {"count": n}``: the next n sends answer 429.
* ``GET /_sim/requests``: ``[{method, path, status}]`` of every ``/api2`` request.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from tools.ofsim import ws_frame_chat_message
from tools.ofsite.auth import ApiError
from tools.ofsite.state import SiteState


async def _body(request: Request) -> dict[str, Any]:
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
        body = await _body(request)
        fan_id = body.get("fanId")
        if fan_id is None and state.inbox.chats:
            fan_id = state.inbox.chats[0]["withUser"]["id"]
        if isinstance(fan_id, str) and fan_id.isdigit():
            fan_id = int(fan_id)
        if not isinstance(fan_id, int) or fan_id not in state.inbox.fans:
            raise ApiError(404, f"No fan {fan_id}")
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
            }
        )

    @router.post("/fail_sends")
    async def fail_sends(request: Request) -> JSONResponse:
        count = (await _body(request)).get("count", 1)
        if not isinstance(count, int) or count < 0:
            raise ApiError(400, "count must be an int >= 0")
        state.fail_sends = count
        return JSONResponse({"failSends": count})

    @router.get("/requests")
    def requests() -> JSONResponse:
        return JSONResponse(state.requests)

    return router
