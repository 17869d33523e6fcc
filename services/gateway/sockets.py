"""`/ws/agent` and `/ws/bridge`: authenticate, acknowledge, then pump frames both ways."""

import asyncio
from datetime import UTC, datetime

import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status

from contracts import VERSION, subjects
from contracts.models.core import BrainState, ConnectionInfo, ErrorCode, SystemStatus, WssError
from contracts.tokens import Principal, TokenError
from contracts.wire import ConnectionAckMessage, SystemErrorMessage, SystemStatusMessage
from services.gateway.agent_frames import AgentFrameHandler
from services.gateway.auth import authenticate
from services.gateway.bridge_frames import BridgeFrameHandler
from services.gateway.frames import parse_frame
from services.gateway.metrics import AUTH_REFUSED, FRAME_ERRORS, FRAMES_IN, SOCKETS
from services.gateway.runtime import GatewayRuntime
from services.gateway.session import SocketSession

router = APIRouter()
log = structlog.get_logger()


async def _refuse(websocket: WebSocket, why: str, reason: str) -> None:
    """Refuse the handshake before accepting it: the client sees HTTP 403, no data flows."""
    AUTH_REFUSED.labels(why=why).inc()
    await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason=reason)


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
    session = await _open(websocket, rt, principal, principal.user_ids[0])
    handler = AgentFrameHandler(rt, session)
    await session.forward(rt.nc, subjects.agent_user(session.user_id), queue="agents")
    await session.forward(rt.nc, subjects.agent_all(session.user_id))
    await handler.agent_online(True)
    try:
        await _receive_loop(websocket, rt, session, handler)
    finally:
        await handler.agent_online(False)
        await _close(rt, session)


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
        await _receive_loop(websocket, rt, session, BridgeFrameHandler(rt, session, principal))
    finally:
        await _close(rt, session)


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
) -> None:
    """Read frames until the peer leaves; a bad frame gets a `system_error`, never a close."""
    while not session.closed.is_set():
        try:
            message = await websocket.receive()
        except (WebSocketDisconnect, RuntimeError):
            return
        if message["type"] == "websocket.disconnect":
            return
        text, data = message.get("text"), message.get("bytes")
        raw = text.encode() if text is not None else (data or b"")
        frame = parse_frame(raw, session.role, rt.max_frame_bytes)
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
