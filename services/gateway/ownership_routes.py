"""REST for what the creator owns: settings, full export, deletion."""

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from contracts.models.queries import CreatorSettings, DeletionReport
from contracts.runtime.objects import read_object
from contracts.streams import OBJ_EXPORTS
from services.gateway.auth import UserPrincipal
from services.gateway.ownership import delete_creator, read_settings, write_settings
from services.gateway.responses import BAD_BODY, CREATOR_ROUTE, JSON_OR_CSV
from services.gateway.runtime import GatewayRuntime

router = APIRouter(prefix="/api/v1/users/{user_id}", tags=["ownership"], responses=CREATOR_ROUTE)

ExportWhat = Literal["all", "conversations", "fans", "messages"]
ExportFormat = Literal["json", "csv"]


@router.get("/settings")
async def get_settings(user_id: str, request: Request, _: UserPrincipal) -> CreatorSettings:
    return await read_settings(request.app.state.runtime, user_id)


@router.put("/settings", responses=BAD_BODY)
async def put_settings(
    user_id: str, settings: CreatorSettings, request: Request, _: UserPrincipal
) -> CreatorSettings:
    """Change retention (applied to every projection and the log) or auto-send."""
    await write_settings(request.app.state.runtime, user_id, settings)
    return settings


@router.get("/export", responses=JSON_OR_CSV)
async def export(
    user_id: str,
    request: Request,
    _: UserPrincipal,
    what: ExportWhat = "all",
    format: ExportFormat = "json",
) -> Response:
    """Everything the Brain holds about the creator (`all`, JSON only) or one table."""
    if what == "all" and format != "json":
        raise HTTPException(422, "`all` is exported as JSON; pick a table for CSV")
    rt: GatewayRuntime = request.app.state.runtime
    reply = await rt.query("export_file", user_id, {"what": what, "format": format})
    if not reply.ok:
        raise HTTPException(reply.status, reply.error or "export failed")
    name = str(reply.data)
    store = await rt.js.object_store(OBJ_EXPORTS)
    data = await read_object(rt.js, store, name)
    await store.delete(name)
    media = "application/json" if format == "json" else "text/csv"
    filename = f"ofca-{user_id}-{what}.{format}"
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.delete("/data")
async def delete_data(
    user_id: str,
    request: Request,
    principal: UserPrincipal,
    confirm: Annotated[str, Query(description="Repeat the creator id to confirm.")],
) -> DeletionReport:
    """Delete everything of the creator, everywhere. Irreversible."""
    if confirm != user_id:
        raise HTTPException(422, "confirm must repeat the creator id")
    return await delete_creator(request.app.state.runtime, user_id, principal.token_id)
