"""REST routes of the gateway: schemas, identity, per-creator status."""

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from contracts.schema_export import wss_schema
from contracts.tokens import Role
from services.gateway.auth import AnyPrincipal, UserPrincipal
from services.gateway.responses import CREATOR_ROUTE, UNAUTHORIZED
from services.gateway.runtime import GatewayRuntime

router = APIRouter(prefix="/api/v1")


@router.get("/schemas/wss", tags=["schemas"])
async def wss_schemas(direction: Literal["outgoing", "incoming"] = "outgoing") -> dict[str, Any]:
    """JSON Schema of `OutgoingWssMessage` (or `IncomingWssMessage` with direction=incoming)."""
    return wss_schema(direction)


class WhoAmI(BaseModel):
    role: Role
    user_ids: list[str]


@router.get("/whoami", tags=["auth"], responses=UNAUTHORIZED)
async def whoami(principal: AnyPrincipal) -> WhoAmI:
    """The role and creators the presented token covers (the dashboard's login check)."""
    return WhoAmI(role=principal.role, user_ids=list(principal.user_ids))


class CreatorStatus(BaseModel):
    user_id: str
    agent_online: bool
    conversations: int | None = None
    messages: int | None = None
    checked_at: datetime


@router.get("/users/{user_id}/status", tags=["creators"], responses=CREATOR_ROUTE)
async def creator_status(user_id: str, request: Request, _: UserPrincipal) -> CreatorStatus:
    """Whether the creator's Agent is connected to any gateway right now, and how much the
    Brain holds for them (absent when the graph service does not answer)."""
    rt: GatewayRuntime = request.app.state.runtime
    online = await rt.agent_online(user_id)
    counts = await rt.query("counts", user_id, {})
    data = counts.data if counts.ok and isinstance(counts.data, dict) else {}
    return CreatorStatus(
        user_id=user_id,
        agent_online=online,
        conversations=data.get("conversations"),
        messages=data.get("messages"),
        checked_at=datetime.now(UTC),
    )
