"""REST queries answered by the graph service: chats, messages, analytics, fans, export."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from contracts.models.graph import GraphView
from contracts.models.insights import Analytics, Coverage
from contracts.models.queries import (
    ChatFilter,
    ChatPage,
    ChatSort,
    FanProfile,
    MessagePage,
    NetworkInsights,
)
from services.gateway.auth import UserPrincipal
from services.gateway.responses import CREATOR_ROUTE, CSV
from services.gateway.runtime import GatewayRuntime

router = APIRouter(prefix="/api/v1/users/{user_id}", tags=["queries"], responses=CREATOR_ROUTE)


async def ask_graph(request: Request, op: str, user_id: str, **params: Any) -> Any:
    """The graph's answer to `op` for `user_id`, or its error as an HTTP error."""
    rt: GatewayRuntime = request.app.state.runtime
    reply = await rt.query(op, user_id, params)
    if not reply.ok:
        raise HTTPException(reply.status, reply.error or "query failed")
    return reply.data


@router.get("/chats")
async def chats(
    user_id: str,
    request: Request,
    _: UserPrincipal,
    sort: ChatSort = "priority",
    filter: ChatFilter = "all",
    q: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ChatPage:
    """The creator's conversations, sorted, filtered and paged."""
    data = await ask_graph(
        request, "chats", user_id, sort=sort, filter=filter, q=q, limit=limit, offset=offset
    )
    return ChatPage.model_validate(data)


@router.get("/chats/{chat_id}/messages")
async def messages(
    user_id: str,
    chat_id: int,
    request: Request,
    _: UserPrincipal,
    before: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MessagePage:
    """A chat's messages, newest first; pass `nextCursor` as `before` for the next page."""
    data = await ask_graph(
        request, "messages", user_id, chat_id=chat_id, before=before, limit=limit
    )
    return MessagePage.model_validate(data)


@router.get("/analytics")
async def analytics(
    user_id: str,
    request: Request,
    _: UserPrincipal,
    from_: Annotated[str | None, Query(alias="from")] = None,
    to: str | None = None,
) -> Analytics:
    """Analytics over [from, to) (ISO-8601 or epoch ms; default: the last 30 days)."""
    data = await ask_graph(request, "analytics", user_id, **{"from": from_, "to": to})
    return Analytics.model_validate(data)


@router.get("/coverage")
async def coverage(user_id: str, request: Request, _: UserPrincipal) -> Coverage:
    """What the Brain's data covers: chats known and complete, messages held, since when the
    history is whole, and the Agent's backfill as it last reported it."""
    return Coverage.model_validate(await ask_graph(request, "coverage", user_id))


@router.get("/fans/{chat_id}")
async def fan(user_id: str, chat_id: int, request: Request, _: UserPrincipal) -> FanProfile:
    """One fan's profile with this creator: spend, activity, topics, conversation."""
    return FanProfile.model_validate(await ask_graph(request, "fan", user_id, chat_id=chat_id))


@router.get("/graph")
async def graph(
    user_id: str,
    request: Request,
    _: UserPrincipal,
    focus: str | None = None,
    kinds: str | None = None,
    radius: Annotated[int, Query(ge=1, le=2)] = 2,
    limit: Annotated[int, Query(ge=1, le=2000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> GraphView:
    """A bounded, paged subgraph (creators, fans, conversations, topics) by importance;
    `focus` (a node id such as `fan:400001`) returns that node's neighbourhood."""
    data = await ask_graph(
        request, "graph", user_id, focus=focus, kinds=kinds, radius=radius, limit=limit,
        offset=offset,
    )  # fmt: skip
    return GraphView.model_validate(data)


@router.get("/graph/insights")
async def graph_insights(
    user_id: str, request: Request, _: UserPrincipal, top: Annotated[int, Query(ge=1, le=200)] = 20
) -> NetworkInsights:
    """The most central fans (PageRank), fans shared with other creators, fan communities."""
    return NetworkInsights.model_validate(
        await ask_graph(request, "graph_insights", user_id, top=top)
    )


@router.get("/export/conversations.csv", response_class=Response, responses=CSV)
async def export_conversations(user_id: str, request: Request, _: UserPrincipal) -> Response:
    """Every conversation of the creator, one CSV row each."""
    text = await ask_graph(request, "export", user_id)
    return Response(
        str(text),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="conversations-{user_id}.csv"'},
    )
