"""`/ws/agent` and `/ws/bridge`: authenticate, acknowledge, then pump frames both ways."""

import asyncio
from datetime import UTC, datetime

import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status
from fastapi.responses import PlainTextResponse

from contracts import VERSION, subjects
from contracts.models.core import BrainState, ConnectionInfo, ErrorCode, SystemStatus, WssError
from contracts.tokens import Principal, TokenError
from contracts.wire import ConnectionAckMessage, SystemErrorMessage, SystemStatusMessage
from services.gateway.agent_frames import AgentFrameHandler
from services.gateway.auth import authenticate
from services.gateway.bridge_frames import BridgeFrameHandler
from services.gateway.frame_sizes import too_large
from services.gateway.frames import parse_frame, peek_ref
from services.gateway.limits import Admission
from services.gateway.metrics import AUTH_REFUSED, FRAME_ERRORS, FRAMES_IN, SOCKETS
from services.gateway.runtime import GatewayRuntime
from services.gateway.session import CLOSE_TRY_AGAIN, SocketSession

router = APIRouter()
log = structlog.get_logger()


async def _refuse(websocket: WebSocket, why: str, reason: str) -> None:
    """Refuse the handshake before accepting it: the client sees HTTP 403 with `reason` as the
    body (a server without the denial-response extension sends a bare 403); no data flows."""
    AUTH_REFUSED.labels(why=why).inc()
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(PlainTextResponse(reason, status.HTTP_403_FORBIDDEN))
        return
    await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason=reason)


async def _refuse_extra_socket(
    websocket: WebSocket, rt: GatewayRuntime, principal: Principal
) -> bool:
    """Count this socket against its token; refuse the handshake when the token has enough."""
    if rt.limits.open_socket(principal.token_id):
        return False
    limit = rt.settings.sockets_per_token
    await _refuse(websocket, "sockets", f"this token already has {limit} sockets open here")
    return True


def _principal(websocket: WebSocket) -> Principal | None:
    try:
        return authenticate(websocket)
    except TokenError:
        return None


@router.websocket("/ws/agent")
async def agent_socket(websocket: WebSocket) -> None:
    principal = _principal(websocket)
    if principal is None or principal.role != "agent":
        await _refuse(websocket, "token", "an agent token is required")
        return
    rt: GatewayRuntime = websocket.app.state.runtime
    if await _refuse_extra_socket(websocket, rt, principal):
        return
    try:
        session = await _open(websocket, rt, principal, principal.user_ids[0])
        handler = AgentFrameHandler(rt, session)
        await session.forward(rt.nc, subjects.agent_user(session.user_id), queue="agents")
        await session.forward(rt.nc, subjects.agent_all(session.user_id))
        await handler.agent_online(True)
        try:
            await _receive_loop(websocket, rt, session, handler, principal)
        finally:
            await handler.agent_online(False)
            await _close(rt, session)
    finally:
        rt.limits.close_socket(principal.token_id)


@router.websocket("/ws/bridge")
async def bridge_socket(websocket: WebSocket) -> None:
    principal = _principal(websocket)
    if principal is None or principal.role != "analyst":
        await _refuse(websocket, "token", "an analyst token is required")
        return
    user_id = websocket.query_params.get("user")
    if user_id is None and len(principal.user_ids) == 1:
        user_id = principal.user_ids[0]
    if user_id is None:
        await _refuse(websocket, "tenant", "`user` is required for a multi-creator token")
        return
    if not principal.may_access(user_id):
        await _refuse(websocket, "tenant", "this token does not cover that creator")
        return
    rt: GatewayRuntime = websocket.app.state.runtime
    if await _refuse_extra_socket(websocket, rt, principal):
        return
    try:
        session = await _open(websocket, rt, principal, user_id)
        await session.forward(rt.nc, subjects.bridge(user_id))
        try:
            full_sync = await rt.request_full_sync(user_id)
            if full_sync is not None:
                session.send_text(full_sync, "full_sync_response")
            online = await rt.agent_online(user_id)
            state = BrainState.REALTIME if full_sync is not None else BrainState.IDLE
            status_frame = SystemStatus(
                user_id=user_id, state=state, agent_online=online, at=datetime.now(UTC)
            )
            session.send_model(SystemStatusMessage(payload=status_frame))
            handler = BridgeFrameHandler(rt, session, principal)
            await _receive_loop(websocket, rt, session, handler, principal)
        finally:
            await _close(rt, session)
    finally:
        rt.limits.close_socket(principal.token_id)


async def _open(
    websocket: WebSocket, rt: GatewayRuntime, principal: Principal, user_id: str
) -> SocketSession:
    await websocket.accept()
    session = SocketSession(websocket, principal.role, user_id, rt.settings.socket_queue)
    session.start()
    rt.sessions.add(session)
    SOCKETS.labels(role=principal.role).inc()
    info = ConnectionInfo(
        version=VERSION,
        connection_id=session.connection_id,
        role=principal.role,
        user_ids=list(principal.user_ids) if principal.role == "analyst" else [user_id],
        server_time=datetime.now(UTC),
        max_frame_bytes=rt.max_frame_bytes,
    )
    session.send_model(ConnectionAckMessage(payload=info))
    structlog.contextvars.bind_contextvars(user_id=user_id, correlation_id=session.connection_id)
    log.info("socket_open", role=principal.role)
    return session


async def _close(rt: GatewayRuntime, session: SocketSession) -> None:
    rt.sessions.discard(session)
    SOCKETS.labels(role=session.role).dec()
    await session.close()
    log.info("socket_closed", role=session.role)


async def _receive_loop(
    websocket: WebSocket,
    rt: GatewayRuntime,
    session: SocketSession,
    handler: AgentFrameHandler | BridgeFrameHandler,
    principal: Principal,
) -> None:
    """Read frames until the peer leaves; a bad frame gets a `system_error`, never a close.

    The one exception is a token flooding its sockets far beyond `OFCA_FRAMES_PER_SECOND`:
    after its `rate_limited` errors run out, the socket is closed with 1013."""
    while not session.closed.is_set():
        try:
            message = await websocket.receive()
        except (WebSocketDisconnect, RuntimeError):
            return
        if message["type"] == "websocket.disconnect":
            return
        text, data = message.get("text"), message.get("bytes")
        raw = text.encode() if text is not None else (data or b"")
        admission = rt.limits.admit(principal.token_id, len(raw))
        if admission is not Admission.ACCEPT:
            _rate_limited(rt, session, principal, raw)
            if admission is Admission.FLOODING:
                log.warning("socket_flooding", role=session.role)
                await session.close(CLOSE_TRY_AGAIN, "rate limit exceeded; slow down")
                return
            continue
        frame = parse_frame(raw, session.role, rt.max_frame_bytes, utf8=text is not None)
        if not isinstance(frame, WssError):
            frame = too_large(frame, len(raw), rt.settings) or frame
        if isinstance(frame, WssError):
            FRAME_ERRORS.labels(role=session.role, code=frame.code.value).inc()
            session.send_model(SystemErrorMessage(payload=frame))
            continue
        FRAMES_IN.labels(role=session.role, type=frame.type).inc()
        if frame.type == "keepalive":
            if isinstance(handler, AgentFrameHandler):
                await handler.keepalive()
            continue
        try:
            await handler.handle(frame)
        except asyncio.CancelledError:
            raise
        except Exception:  # one failed frame must not close the socket
            log.exception("frame_failed", frame_type=frame.type)
            error = WssError(
                code=ErrorCode.INTERNAL, message="the frame could not be processed", ref=frame.ref
            )
            session.send_model(SystemErrorMessage(payload=error))


def _rate_limited(
    rt: GatewayRuntime, session: SocketSession, principal: Principal, raw: bytes
) -> None:
    """Drop a frame over the token's rate, telling the sender (by its `ref`) when to retry."""
    FRAME_ERRORS.labels(role=session.role, code=ErrorCode.RATE_LIMITED.value).inc()
    retry = rt.limits.retry_after(principal.token_id)
    error = WssError(
        code=ErrorCode.RATE_LIMITED,
        message=f"more than {rt.settings.frames_per_second:g} frames per second from this "
        "token; send it again later",
        ref=peek_ref(raw, rt.max_frame_bytes),
        details=[{"retryAfterS": round(retry, 3)}],
    )
    session.send_model(SystemErrorMessage(payload=error))
