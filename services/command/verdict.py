"""Answering an Agent's `command_check`: may it execute this command now?

The Agent asks before every execution, whichever path brought the command (this service's
`command_to_execute`, or the dashboard's `execute_agent_command`), and executes only when the
answer is yes. Yes needs a command this service issued for the creator that is `issued` or
`delivered`, not past its TTL, not final, and not granted to another Agent: the first yes is
recorded as a `granted` step (state `delivered`, `granted_to` the asking installation), so a
command is executed by one Agent even when a creator runs two browsers, and the dashboard path
leaves the same audit trail as the socket path. A command still `requested` is refused, not
queued: the Brain has not decided on it yet.
"""

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import structlog
from nats.aio.msg import Msg
from pydantic import ValidationError

from contracts.models.commands import CommandCheck, CommandState, CommandVerdict
from contracts.models.queries import QueryReply
from contracts.runtime.nats import TRANSIENT_NATS_ERRORS
from services.command.ledger import Entry
from services.command.metrics import CHECKS

if TYPE_CHECKING:
    from services.command.service import CommandService

log = structlog.get_logger()


def decide(entry: Entry | None, check: CommandCheck, now: datetime) -> tuple[CommandVerdict, bool]:
    """The verdict for `check`, and whether it grants the command (a step to record)."""

    def refuse(reason: str) -> tuple[CommandVerdict, bool]:
        state = entry.record.state if entry is not None else None
        verdict = CommandVerdict(
            command_id=check.command_id, executable=False, reason=reason, state=state
        )
        return verdict, False

    if entry is None:
        return refuse("unknown command: the Brain never issued it for this creator")
    record = entry.record
    if entry.final:
        return refuse(f"the command is already {record.state.value}")
    if record.state == CommandState.REQUESTED:
        return refuse("the command is not issued yet")
    if record.expires_at is not None and now >= record.expires_at:
        return refuse("the command expired")
    if entry.granted_to is not None and entry.granted_to != check.holder:
        return refuse("the command was granted to another Agent")
    verdict = CommandVerdict(
        command_id=check.command_id, executable=True, state=CommandState.DELIVERED
    )
    return verdict, entry.granted_to is None


async def answer_check(service: "CommandService", msg: Msg, user_id: str) -> None:
    """Answer one `rpc.command.check.<user>` request with a `QueryReply` holding the verdict.

    A grant is stored before the answer leaves: if it cannot be stored, the answer is no.
    """
    try:
        check = CommandCheck.model_validate_json(msg.data)
    except ValidationError:
        reply = QueryReply(ok=False, status=400, error="invalid command check")
        await msg.respond(reply.model_dump_json(by_alias=True).encode())
        return
    verdict = await _verdict(service, user_id, check)
    CHECKS.labels(executable=str(verdict.executable).lower()).inc()
    log.info(
        "command_check",
        user_id=user_id,
        command_id=check.command_id,
        via=check.via,
        executable=verdict.executable,
        reason=verdict.reason,
    )
    reply = QueryReply(ok=True, data=verdict.model_dump(mode="json", by_alias=True))
    await msg.respond(reply.model_dump_json(by_alias=True).encode())


async def _verdict(service: "CommandService", user_id: str, check: CommandCheck) -> CommandVerdict:
    if not service.live:
        return CommandVerdict(
            command_id=check.command_id,
            executable=False,
            reason="the command service is catching up; try again",
        )
    async with service.lock(user_id):  # steps of one creator are written one at a time
        now = datetime.now(UTC)
        entry = service.ledger.get(user_id, check.command_id)
        verdict, grant = decide(entry, check, now)
        if entry is None or not verdict.executable:
            return verdict
        if entry.record.command.origin == "auto":
            refusal = await service.auto_send_refusal(user_id)
            if refusal:
                return CommandVerdict(
                    command_id=check.command_id,
                    executable=False,
                    reason=refusal,
                    state=entry.record.state,
                )
        if grant:
            detail = f"via {check.via}; to Agent {check.holder}"
            step = entry.step(
                CommandState.DELIVERED,
                now,
                "agent",
                detail,
                step="granted",
                granted_to=check.holder,
            )
            try:
                await service.write(entry, step)
            except TRANSIENT_NATS_ERRORS as exc:  # an unrecorded grant is no grant
                log.warning("command_grant_failed", error=type(exc).__name__)
                return CommandVerdict(
                    command_id=check.command_id,
                    executable=False,
                    reason="the Brain could not record the grant; try again",
                    state=entry.record.state,
                )
        return verdict
