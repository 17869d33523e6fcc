"""Recording an analyst's send request: the only way a message to a fan starts.

The gateway does not decide anything about a command; it checks who asks and what, stores the
request on `commands.<user>.request` (deduplicated by `commandId`), and leaves the lifecycle to
the `command` service. REST (`POST …/commands`) and the Bridge socket (`send_command`) share it.
"""

from datetime import UTC, datetime
from typing import Literal

from contracts import subjects
from contracts.models.commands import CommandAccepted, CommandRequest, SendMessageCommand
from contracts.runtime.nats import TRANSIENT_NATS_ERRORS
from contracts.streams import COMMANDS
from contracts.tokens import Principal
from services.gateway.runtime import GatewayRuntime


class CommandRefusedError(Exception):
    """The request is not acceptable as asked (`status` is the HTTP status to answer)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def check_command(user_id: str, command: SendMessageCommand) -> None:
    if str(command.user_id) != user_id:
        raise CommandRefusedError(422, "`userId` must be the creator in the path")
    if command.origin != "analyst":
        raise CommandRefusedError(422, "only the command service issues `auto` commands")
    if not command.text.strip() and not command.media_ids:
        raise CommandRefusedError(422, "nothing to send: `text` is empty and there is no media")
    if not str(command.chat_id).isdigit():
        raise CommandRefusedError(422, "`chatId` must be an OnlyFans user id")


async def request_command(
    rt: GatewayRuntime,
    principal: Principal,
    user_id: str,
    command: SendMessageCommand,
    *,
    via: Literal["rest", "bridge"],
    draft_id: str | None = None,
) -> CommandAccepted:
    """Store the request; raises CommandRefusedError (bad request) or a NATS error (unavailable)."""
    check_command(user_id, command)
    request = CommandRequest(
        command=command,
        requested_by=f"{principal.role}:{principal.token_id}",
        via=via,
        at=datetime.now(UTC),
        draft_id=draft_id,
    )
    try:
        ack = await rt.js.publish(
            subjects.commands(user_id, "request"),
            request.model_dump_json(by_alias=True).encode(),
            timeout=rt.publish_timeout,
            stream=COMMANDS.name,
            headers={
                subjects.HEADER_MSG_ID: f"{user_id}:rq:{command.command_id}",
                subjects.HEADER_USER: user_id,
            },
        )
    except TRANSIENT_NATS_ERRORS as exc:
        raise CommandRefusedError(503, "the request could not be stored; try again") from exc
    return CommandAccepted(
        command_id=command.command_id, duplicate=bool(ack.duplicate), stream_seq=ack.seq
    )
