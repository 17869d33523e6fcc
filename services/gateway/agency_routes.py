"""Agency views: one network over several creators an analyst covers."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from contracts.models.graph import GraphView
from contracts.models.queries import NetworkInsights
from services.gateway.auth import AnyPrincipal, analyst_only
from services.gateway.query_routes import ask_graph
from services.gateway.responses import CREATOR_ROUTE

router = APIRouter(prefix="/api/v1/agency", tags=["agency"], responses=CREATOR_ROUTE)


def _users(users: str, principal: AnyPrincipal) -> list[str]:
    analyst_only(principal)
    wanted = [u for u in users.split(",") if u]
    if not wanted:
        raise HTTPException(422, "users: comma-separated creator ids")
    if not all(principal.may_access(u) for u in wanted):
        raise HTTPException(403, "this token does not cover every one of those creators")
    return wanted


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
    data = await ask_graph(
        request, "agency_graph", wanted[0], users=",".join(wanted), focus=focus, limit=limit,
        offset=offset,
    )  # fmt: skip
    return GraphView.model_validate(data)


@router.get("/insights")
async def agency_insights(
    request: Request,
    principal: AnyPrincipal,
    users: str,
    top: Annotated[int, Query(ge=1, le=200)] = 20,
) -> NetworkInsights:
    """Fans shared between the creators, communities of fans, the most central fans."""
    wanted = _users(users, principal)
    data = await ask_graph(request, "agency_insights", wanted[0], users=",".join(wanted), top=top)
    return NetworkInsights.model_validate(data)
