"""REST for sending messages to fans: requests, the audit log, and reply drafts."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import Response

from contracts.models.commands import (
    CommandAccepted,
    CommandPage,
    CommandRecord,
    CommandState,
    ReplySuggestion,
    SendMessageCommand,
)
from services.gateway.auth import UserPrincipal
from services.gateway.commands import CommandRefusedError, request_command
from services.gateway.responses import BAD_BODY, CREATOR_ROUTE, CSV
from services.gateway.runtime import GatewayRuntime

router = APIRouter(prefix="/api/v1/users/{user_id}", tags=["commands"], responses=CREATOR_ROUTE)


async def ask(request: Request, service: str, op: str, user_id: str, **params: Any) -> Any:
    rt: GatewayRuntime = request.app.state.runtime
    reply = await rt.query(op, user_id, params, service=service)
    if not reply.ok:
        raise HTTPException(reply.status, reply.error or "query failed")
    return reply.data


@router.post("/commands", status_code=status.HTTP_202_ACCEPTED, responses=BAD_BODY)
async def post_command(
    user_id: str,
    command: SendMessageCommand,
    request: Request,
    principal: UserPrincipal,
    draft_id: Annotated[str | None, Query(alias="draftId", max_length=128)] = None,
) -> CommandAccepted:
    """Ask the creator's Agent to send a message (an analyst's own, or an approved draft).

    Answers 202 once the request is stored; the same `commandId` again is the same command
    (`duplicate: true`) and is never sent twice. Follow it with `GET …/commands/{commandId}`
    or the Bridge's `command_status` frames. `draftId` names the draft it approves, if any.
    """
    if principal.role != "analyst":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only an analyst may send messages")
    try:
        return await request_command(
            request.app.state.runtime, principal, user_id, command, via="rest", draft_id=draft_id
        )
    except CommandRefusedError as exc:
        raise HTTPException(exc.status, exc.message) from exc


@router.get("/commands")
async def list_commands(
    user_id: str,
    request: Request,
    _: UserPrincipal,
    state: CommandState | None = None,
    chat_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: str | None = None,
) -> CommandPage:
    """The audit log: commands newest first, each with its whole history."""
    data = await ask(
        request,
        "command",
        "list",
        user_id,
        state=state.value if state else None,
        chat_id=chat_id,
        limit=limit,
        cursor=cursor,
    )
    return CommandPage.model_validate(data)


@router.get("/commands/audit.csv", response_class=Response, responses=CSV)
async def audit_csv(user_id: str, request: Request, _: UserPrincipal) -> Response:
    """Every step of every command (requests, approvals, deliveries, results) as CSV."""
    data = await ask(request, "command", "audit_csv", user_id)
    return Response(
        str(data),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="ofca-{user_id}-audit.csv"'},
    )


@router.get("/commands/{command_id}")
async def get_command(
    user_id: str, command_id: str, request: Request, _: UserPrincipal
) -> CommandRecord:
    data = await ask(request, "command", "get", user_id, command_id=command_id)
    return CommandRecord.model_validate(data)


@router.get("/drafts")
async def drafts(
    user_id: str, request: Request, _: UserPrincipal, chat_id: str | None = None
) -> list[ReplySuggestion]:
    """Current reply drafts for chats awaiting the creator's answer, most urgent first.

    Drafts are suggestions: nothing is sent until an analyst posts a command for one.
    """
    data = await ask(request, "graph", "drafts", user_id, chat_id=chat_id)
    return [ReplySuggestion.model_validate(d) for d in data]
