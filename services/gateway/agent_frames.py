"""What the gateway does with a valid Agent frame: publish it to JetStream, then acknowledge.

A frame counts as taken only once JetStream has acknowledged it; only then does the Agent get an
`ingest_ack` and may drop the event from its outbox. `Nats-Msg-Id` makes a re-sent frame (after
a reconnect) a no-op within the stream's duplicate window.

Two frames are questions rather than data: `sync_hello` (answered with `sync_state`) and
`command_check` (answered with `command_verdict`, from the `command` service, which owns the
command lifecycle; a command service that does not answer means no).
"""

import asyncio
import hashlib
from datetime import UTC, datetime

import structlog
from nats.errors import Error as NatsError

from contracts import subjects
from contracts.models.capture import SyncHelloPayload
from contracts.models.commands import CommandCheck, CommandCheckPayload, CommandVerdict
from contracts.models.core import ErrorCode, SystemStatus, WssError
from contracts.models.ingest import IngestAck
from contracts.runtime.nats import TRANSIENT_NATS_ERRORS
from contracts.streams import AGENT_IN, COMMANDS
from contracts.wire import (
    CommandCheckMessage,
    CommandResultMessage,
    CommandVerdictMessage,
    IngestAckMessage,
    SyncHelloMessage,
    SyncStateMessage,
    SystemErrorMessage,
    SystemStatusMessage,
)
from services.gateway.agent_sync import AgentSync
from services.gateway.frames import Frame
from services.gateway.metrics import PUBLISH_SECONDS
from services.gateway.runtime import GatewayRuntime
from services.gateway.session import CLOSE_TRY_AGAIN, SocketSession

log = structlog.get_logger()


def frame_msg_id(user_id: str, frame: Frame) -> str:
    """Stable dedup id of a frame: the snapshot part, or a digest of the delta's bytes."""
    if frame.type == "cache_update":
        return f"{user_id}:cu:{frame.snapshot_id}:{frame.part}"
    if isinstance(frame.model, CommandResultMessage):
        result = frame.model.payload
        return f"{user_id}:cr:{result.command_id}:{result.status}"
    digest = hashlib.blake2b(frame.raw, digest_size=16).hexdigest()
    return f"{user_id}:{frame.type}:{digest}"


class AgentFrameHandler:
    def __init__(self, runtime: GatewayRuntime, session: SocketSession) -> None:
        self.rt = runtime
        self.session = session
        self.user_id = session.user_id
        self.sync = AgentSync(runtime, session.user_id)
        self.checks: set[asyncio.Task[None]] = set()

    async def handle(self, frame: Frame) -> None:
        if isinstance(frame.model, SyncHelloMessage):
            await self.hello(frame.model.payload)
            return
        if isinstance(frame.model, CommandCheckMessage):
            # Answered on the side: the command service may take a moment, the outbox must not.
            task = asyncio.get_running_loop().create_task(self.check(frame.model.payload))
            self.checks.add(task)
            task.add_done_callback(self.checks.discard)
            return
        if frame.type == "command_result":
            subject, stream = subjects.commands(self.user_id, "result"), COMMANDS.name
        else:
            subject, stream = subjects.agent_in(self.user_id), AGENT_IN.name
        headers = {
            subjects.HEADER_MSG_ID: frame_msg_id(self.user_id, frame),
            subjects.HEADER_FRAME_TYPE: frame.type,
            subjects.HEADER_USER: self.user_id,
            subjects.HEADER_CORRELATION: self.session.connection_id,
        }
        try:
            with PUBLISH_SECONDS.time():
                ack = await self.rt.js.publish(
                    subject,
                    frame.raw,
                    timeout=self.rt.publish_timeout,
                    stream=stream,
                    headers=headers,
                )
        except TRANSIENT_NATS_ERRORS as exc:
            log.warning("publish_failed", frame_type=frame.type, error=type(exc).__name__)
            error = WssError(
                code=ErrorCode.UNAVAILABLE,
                message="the Brain could not store this frame; keep it and send it again",
                ref=frame.ref,
            )
            self.session.send_model(SystemErrorMessage(payload=error))
            return
        if frame.type == "cache_update":
            try:
                await self.sync.part_stored(frame)
            except TRANSIENT_NATS_ERRORS as exc:
                log.warning("agent_sync_record_failed", error=type(exc).__name__)
                error = WssError(
                    code=ErrorCode.UNAVAILABLE,
                    message="the Brain could not record this snapshot; send the part again",
                    ref=frame.ref,
                )
                self.session.send_model(SystemErrorMessage(payload=error))
                return
        receipt = IngestAck(
            ref=frame.ref, frame_type=frame.type, stream_seq=ack.seq, duplicate=bool(ack.duplicate)
        )
        self.session.send_model(IngestAckMessage(payload=receipt))

    async def hello(self, hello: SyncHelloPayload) -> None:
        """Answer `sync_hello` with `sync_state`. When the record cannot be read, close with
        "try again" rather than guess: `full` would re-send the whole database for a NATS
        hiccup, `incremental` could leave the Brain without it."""
        try:
            state = await self.sync.answer(hello)
        except TRANSIENT_NATS_ERRORS as exc:
            log.warning("agent_sync_read_failed", error=type(exc).__name__)
            await self.session.close(CLOSE_TRY_AGAIN, "the Brain cannot answer sync_hello now")
            return
        self.session.send_model(SyncStateMessage(payload=state))

    async def check(self, payload: CommandCheckPayload) -> None:
        """Answer `command_check` with the command service's `command_verdict` (no when it
        cannot tell: the Agent never executes without a yes)."""
        check = CommandCheck(
            command_id=payload.command_id,
            via=payload.via,
            holder=payload.install_id or self.session.connection_id,
        )
        reply = await self.rt.query(
            "check", self.user_id, check.model_dump(by_alias=True), service="command"
        )
        verdict: CommandVerdict | None = None
        if reply.ok:
            try:
                verdict = CommandVerdict.model_validate(reply.data)
            except ValueError:
                verdict = None
        if verdict is None or verdict.command_id != payload.command_id:
            verdict = CommandVerdict(
                command_id=payload.command_id,
                executable=False,
                reason=reply.error or "the command service gave no verdict",
            )
        self.session.send_model(CommandVerdictMessage(payload=verdict))

    async def keepalive(self) -> None:
        """Refresh the Agent's last-seen; nothing else changes."""
        await self.rt.touch_presence(self.user_id)

    async def agent_online(self, online: bool) -> None:
        """Record presence and tell this creator's Bridges, wherever they are connected."""
        if online:
            await self.rt.touch_presence(self.user_id)
        else:
            await self.rt.clear_presence(self.user_id)
        status = SystemStatus(
            user_id=self.user_id,
            agent_online=online,
            at=datetime.now(UTC),
        )
        text = SystemStatusMessage(payload=status).model_dump_json(by_alias=True)
        try:
            await self.rt.nc.publish(
                subjects.bridge(self.user_id),
                text.encode(),
                headers={subjects.HEADER_FRAME_TYPE: "system_status"},
            )
        except NatsError:
            log.warning("presence_publish_failed")
