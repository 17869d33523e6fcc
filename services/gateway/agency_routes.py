"""Agency views: one network over several creators an analyst covers."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from contracts.models.graph import GraphView
from contracts.models.queries import NetworkInsights
from services.gateway.auth import AnyPrincipal
from services.gateway.runtime import GatewayRuntime

router = APIRouter(prefix="/api/v1/agency", tags=["agency"])


def _users(users: str, principal: AnyPrincipal) -> list[str]:
    wanted = [u for u in users.split(",") if u]
    if not wanted:
        raise HTTPException(422, "users: comma-separated creator ids")
    if not all(principal.may_access(u) for u in wanted):
        raise HTTPException(403, "this token does not cover every one of those creators")
    return wanted


async def _ask(request: Request, op: str, users: list[str], **params: object) -> object:
    rt: GatewayRuntime = request.app.state.runtime
    reply = await rt.query(op, users[0], {"users": ",".join(users), **params})
    if not reply.ok:
        raise HTTPException(reply.status, reply.error or "query failed")
    return reply.data


@router.get("/graph")
async def agency_graph(
    request: Request,
    principal: AnyPrincipal,
    users: str,
    focus: str | None = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> GraphView:
    """The network of several creators: a fan they share is one node."""
    wanted = _users(users, principal)
    data = await _ask(request, "agency_graph", wanted, focus=focus, limit=limit, offset=offset)
    return GraphView.model_validate(data)


@router.get("/insights")
async def agency_insights(
    request: Request,
    principal: AnyPrincipal,
    users: str,
    top: Annotated[int, Query(ge=1, le=200)] = 20,
) -> NetworkInsights:
    """Fans shared between the creators, communities of fans, the most central fans."""
    data = await _ask(request, "agency_insights", _users(users, principal), top=top)
    return NetworkInsights.model_validate(data)
