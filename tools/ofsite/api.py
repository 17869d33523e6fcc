"""The signed REST API under ``/api2/v2`` (of-traffic.md sections 1-3).

Every route needs a signed request (``auth.verify``). Query parameters are read from the
raw query so unknown ones are tolerated, as OnlyFans does.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import QueryParams

from tools.ofsim import JsonObj, html_to_text, ws_frame_chat_message
from tools.ofsite.auth import ApiError, verify
from tools.ofsite.state import SiteState

MIN_PRICE = 3.0
MAX_PRICE = 200.0


def _int(params: QueryParams, name: str, default: int, lo: int = 0, hi: int = 10**15) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return min(max(int(raw), lo), hi)
    except ValueError:
        raise ApiError(400, f"Bad value of {name}") from None


def _ok(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def api_router(state: SiteState) -> APIRouter:
    """Routes of ``/api2/v2`` bound to ``state``."""

    def signed(request: Request) -> None:
        verify(request, state)

    router = APIRouter(prefix="/api2/v2", dependencies=[Depends(signed)])
    _add_users(router, state)
    _add_chats(router, state)
    _add_send(router, state)
    _add_actions(router, state)

    @router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def unknown(rest: str) -> JSONResponse:
        raise ApiError(404, "Not found")

    return router


def _chat_or_404(state: SiteState, fan_id: int) -> JsonObj:
    chat = state.chat(fan_id)
    if chat is None:
        raise ApiError(404, "Chat not found")
    return chat


def _message_or_404(state: SiteState, message_id: int) -> tuple[int, JsonObj]:
    found = state.find_message(message_id)
    if found is None:
        raise ApiError(404, "Message not found")
    return found


def _view(state: SiteState, message: JsonObj, full_users: bool) -> JsonObj:
    """A stored message as sent: stub users with ``skip_users=all``, else full ones."""
    if not full_users:
        return message
    return {**message, "fromUser": state.user_view(message["fromUser"], True)}


def _add_users(router: APIRouter, state: SiteState) -> None:
    @router.get("/users/me")
    def users_me() -> JSONResponse:
        return _ok(state.me())

    @router.get("/users/list")
    def users_list(request: Request) -> JSONResponse:
        out: dict[str, JsonObj] = {}
        for raw in request.query_params.getlist("m[]"):
            user = state.full_user(int(raw)) if raw.isdigit() else None
            if user is not None:
                out[str(user["id"])] = user
        return _ok(out)


def _add_chats(router: APIRouter, state: SiteState) -> None:
    @router.get("/chats")
    def chats(request: Request) -> JSONResponse:
        params = request.query_params
        limit = _int(params, "limit", 10, 1, 100)
        offset = _int(params, "offset", 0)
        full = params.get("skip_users") != "all"
        items = state.inbox.chats
        wanted = params.get("filter")
        if wanted == "unread":
            items = [c for c in items if c["unreadMessagesCount"] > 0]
        elif wanted in {"pinned", "priority"}:
            items = []  # no pinned or priority chats in the simulation
        query = (params.get("query") or "").strip().lower()
        if query:
            items = [c for c in items if _matches(state.full_user(c["withUser"]["id"]), query)]
        page = items[offset : offset + limit]
        out = [
            {
                **c,
                "withUser": state.user_view(c["withUser"], full),
                "lastMessage": _view(state, c["lastMessage"], full) if c["lastMessage"] else None,
            }
            for c in page
        ]
        more = offset + len(page) < len(items)
        return _ok({"list": out, "hasMore": more, "nextOffset": offset + len(page)})

    @router.get("/chats/{fan_id}/messages")
    def messages(fan_id: int, request: Request) -> JSONResponse:
        _chat_or_404(state, fan_id)
        params = request.query_params
        limit = _int(params, "limit", 10, 1, 100)
        full = params.get("skip_users") != "all"
        first = _int(params, "firstId", 0) if "firstId" in params else None
        msgs, more = state.message_page(
            fan_id, limit, cursor=_int(params, "id", 0), first_id=first,
            ascending=params.get("order") == "asc",
        )  # fmt: skip
        return _ok({"list": [_view(state, m, full) for m in msgs], "hasMore": more})


def _add_send(router: APIRouter, state: SiteState) -> None:
    @router.post("/chats/{fan_id}/messages")
    async def send(fan_id: int, request: Request) -> JSONResponse:
        _chat_or_404(state, fan_id)
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad JSON")
        if state.fail_sends > 0:
            state.fail_sends -= 1
            state.rejected.append({"fanId": fan_id, "body": body, "status": 429})
            raise ApiError(429, "Too Many Requests")
        text, price, media = _send_fields(body)
        message = state.new_creator_message(fan_id, text, price, media)
        state.sent.append({"fanId": fan_id, "body": body, "message": message})
        await state.hub.push([ws_frame_chat_message(message)])
        return _ok(message)


def _add_actions(router: APIRouter, state: SiteState) -> None:
    @router.post("/chats/{fan_id}/mark-as-read")
    def mark_read(fan_id: int) -> JSONResponse:
        _chat_or_404(state, fan_id)
        state.mark_read(fan_id, read=True)
        return _ok({"success": True})

    @router.delete("/chats/{fan_id}/mark-as-read")
    def mark_unread(fan_id: int) -> JSONResponse:
        _chat_or_404(state, fan_id)
        state.mark_read(fan_id, read=False)
        return _ok({"success": True})

    @router.delete("/messages/{message_id}")
    def unsend(message_id: int) -> JSONResponse:
        fan_id, message = _message_or_404(state, message_id)
        if message["fromUser"]["id"] != state.creator_id:
            raise ApiError(403, "Only your own messages can be unsent")
        state.unsend(fan_id, message)
        return _ok({"success": True})

    @router.post("/messages/{message_id}/like")
    def like(message_id: int) -> JSONResponse:
        _, message = _message_or_404(state, message_id)
        message["isLiked"] = True
        return _ok({"success": True, "isLiked": True})

    @router.delete("/messages/{message_id}/like")
    def unlike(message_id: int) -> JSONResponse:
        _, message = _message_or_404(state, message_id)
        message["isLiked"] = False
        return _ok({"success": True, "isLiked": False})


def _matches(user: JsonObj | None, query: str) -> bool:
    if user is None:
        return False
    return query in str(user.get("name", "")).lower() or query in str(user["username"]).lower()


def _send_fields(body: JsonObj) -> tuple[str, float, list[int]]:
    """Validate a send body: (text, price, media ids); raises a 400 ``ApiError``."""
    text = body.get("text", "")
    price = body.get("price", 0) or 0
    media = body.get("mediaFiles", []) or []
    if not isinstance(text, str):
        raise ApiError(400, "text must be a string")
    if not isinstance(price, int | float) or isinstance(price, bool):
        raise ApiError(400, "price must be a number")
    if not isinstance(media, list) or not all(
        isinstance(m, int) and not isinstance(m, bool) for m in media
    ):
        raise ApiError(400, "mediaFiles must be a list of ids")
    if price and not MIN_PRICE <= price <= MAX_PRICE:
        raise ApiError(400, f"Price must be between ${MIN_PRICE:g} and ${MAX_PRICE:g}")
    if not html_to_text(text).strip() and not media:
        raise ApiError(400, "Message is empty")
    return text, float(price), list(media)
