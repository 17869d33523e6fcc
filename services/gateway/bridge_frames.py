"""What the gateway does with a valid Bridge frame: today, `send_command` (approve or write)."""

from nats.errors import Error as NatsError

from contracts.models.core import ErrorCode, WssError
from contracts.models.ingest import IngestAck
from contracts.tokens import Principal
from contracts.wire import IngestAckMessage, SendCommandMessage, SystemErrorMessage
from services.gateway.commands import CommandRefusedError, request_command
from services.gateway.frames import Frame
from services.gateway.runtime import GatewayRuntime
from services.gateway.session import SocketSession


class BridgeFrameHandler:
    def __init__(
        self, runtime: GatewayRuntime, session: SocketSession, principal: Principal
    ) -> None:
        self.rt = runtime
        self.session = session
        self.principal = principal

    async def handle(self, frame: Frame) -> None:
        if not isinstance(frame.model, SendCommandMessage):  # pragma: no cover - parse_frame
            return
        try:
            payload = frame.model.payload
            accepted = await request_command(
                self.rt,
                self.principal,
                self.session.user_id,
                payload.command,
                via="bridge",
                draft_id=payload.draft_id,
            )
        except (CommandRefusedError, NatsError) as exc:
            unavailable = not isinstance(exc, CommandRefusedError) or exc.status == 503
            error = WssError(
                code=ErrorCode.UNAVAILABLE if unavailable else ErrorCode.INVALID_PAYLOAD,
                message=exc.message if isinstance(exc, CommandRefusedError) else "try again",
                ref=frame.ref,
            )
            self.session.send_model(SystemErrorMessage(payload=error))
            return
        receipt = IngestAck(
            ref=frame.ref,
            frame_type=frame.type,
            stream_seq=accepted.stream_seq,
            duplicate=accepted.duplicate,
        )
        self.session.send_model(IngestAckMessage(payload=receipt))
