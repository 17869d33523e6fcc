"""The command service's state: every command of its creators, folded from `COMMANDS`.

The stream holds three kinds of records per creator: `request` (someone asked for a send),
`result` (the Agent's report) and `lifecycle` (each step this service decided). Folding them in
stream order rebuilds the ledger exactly after a restart. Steps carry a per-command `seq`, so a
step this service applied as it wrote it is skipped when the stream hands it back.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from contracts.csv_cells import safe_row
from contracts.models.commands import (
    FINAL_STATES,
    CommandEvent,
    CommandPage,
    CommandRecord,
    CommandRequest,
    CommandResultPayload,
    CommandState,
)

AUDIT_COLUMNS = (
    "at",
    "command_id",
    "chat_id",
    "seq",
    "step",
    "state",
    "actor",
    "detail",
    "origin",
    "draft_id",
    "price",
    "text",
)


@dataclass
class Entry:
    record: CommandRecord
    steps: int = 1
    in_flight: bool = False  # a `delivering` step with no outcome yet
    result: CommandResultPayload | None = None  # the Agent's report, not yet applied
    next_attempt: float = 0.0  # monotonic time of the next delivery attempt
    granted_to: str | None = None  # the Agent installation allowed to execute it (`granted`)

    @property
    def user_id(self) -> str:
        return str(self.record.command.user_id)

    @property
    def command_id(self) -> str:
        return self.record.command.command_id

    @property
    def chat_id(self) -> str:
        return str(self.record.command.chat_id)

    @property
    def final(self) -> bool:
        return self.record.state in FINAL_STATES

    def step(
        self,
        state: CommandState,
        at: datetime,
        actor: str,
        detail: str = "",
        *,
        step: str = "state",
        expires_at: datetime | None = None,
        granted_to: str | None = None,
    ) -> CommandEvent:
        """The next step of this command (not applied: write it, then `Ledger.apply` it)."""
        return CommandEvent.model_validate(
            {
                "command_id": self.command_id,
                "user_id": self.user_id,
                "chat_id": self.chat_id,
                "seq": self.steps + 1,
                "state": state,
                "step": step,
                "at": at,
                "actor": actor,
                "detail": detail,
                "expires_at": expires_at or self.record.expires_at,
                "granted_to": granted_to,
            }
        )


@dataclass
class Ledger:
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)
    pending: dict[str, set[str]] = field(default_factory=dict)  # user -> unfinished commands

    def get(self, user_id: str, command_id: str) -> Entry | None:
        return self.entries.get((user_id, command_id))

    def request(self, user_id: str, request: CommandRequest) -> Entry | None:
        """A new command, or None when the `commandId` is already known (one command)."""
        command = request.command
        if str(command.user_id) != user_id or (user_id, command.command_id) in self.entries:
            return None
        detail = f"via {request.via}"
        if request.draft_id:
            detail += f"; approves draft {request.draft_id}"
        first = CommandEvent(
            command_id=command.command_id,
            user_id=user_id,
            chat_id=str(command.chat_id),
            seq=1,
            state=CommandState.REQUESTED,
            at=request.at,
            actor=request.requested_by,
            detail=detail,
        )
        record = CommandRecord(
            command=command,
            state=CommandState.REQUESTED,
            requested_by=request.requested_by,
            via=request.via,
            draft_id=request.draft_id,
            requested_at=request.at,
            updated_at=request.at,
            history=[first],
        )
        entry = Entry(record)
        self.entries[(user_id, command.command_id)] = entry
        self.pending.setdefault(user_id, set()).add(command.command_id)
        return entry

    def apply(self, event: CommandEvent) -> Entry | None:
        """Apply a step; None when it is unknown or already applied."""
        entry = self.entries.get((event.user_id, event.command_id))
        if entry is None or event.seq <= entry.steps:
            return None
        record = entry.record
        record.state = event.state
        record.updated_at = event.at
        record.expires_at = event.expires_at or record.expires_at
        record.history.append(event)
        entry.steps = event.seq
        entry.in_flight = event.step == "delivering"
        if event.step == "granted":
            entry.granted_to = event.granted_to
        if entry.final:
            entry.result = None
            self.pending.get(event.user_id, set()).discard(event.command_id)
        return entry

    def result(self, user_id: str, result: CommandResultPayload) -> Entry | None:
        """Remember the Agent's report for an unfinished command; None if nothing to do."""
        entry = self.entries.get((user_id, result.command_id))
        if entry is None or entry.final:
            return None
        entry.result = result
        return entry

    def unfinished(self, user_id: str | None = None) -> list[Entry]:
        users = [user_id] if user_id is not None else list(self.pending)
        return [
            self.entries[(user, command_id)]
            for user in users
            for command_id in sorted(self.pending.get(user, ()))
        ]

    def forget(self, user_id: str) -> None:
        for key in [k for k in self.entries if k[0] == user_id]:
            del self.entries[key]
        self.pending.pop(user_id, None)

    def page(
        self,
        user_id: str,
        state: str | None = None,
        chat_id: str | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> CommandPage:
        """Commands newest first; `cursor` is the offset the previous page returned."""
        rows = [
            e.record
            for (user, _), e in self.entries.items()
            if user == user_id
            and (state is None or e.record.state == state)
            and (chat_id is None or str(e.record.command.chat_id) == chat_id)
        ]
        rows.sort(key=lambda r: (r.requested_at, r.command.command_id), reverse=True)
        start = int(cursor) if cursor and cursor.isdigit() else 0
        items = rows[start : start + limit]
        more = start + limit < len(rows)
        return CommandPage(
            items=items, total=len(rows), next_cursor=str(start + limit) if more else None
        )

    def audit_csv(self, user_id: str) -> str:
        """Every step of every command of the creator, oldest first."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(AUDIT_COLUMNS)
        steps = [
            (event, e.record)
            for (user, _), e in self.entries.items()
            if user == user_id
            for event in e.record.history
        ]
        steps.sort(key=lambda pair: (pair[0].at, pair[0].command_id, pair[0].seq))
        for event, record in steps:
            command = record.command
            writer.writerow(
                safe_row(
                    [
                        event.at.isoformat(),
                        event.command_id,
                        event.chat_id,
                        event.seq,
                        event.step,
                        event.state.value,
                        event.actor,
                        event.detail,
                        command.origin,
                        record.draft_id or "",
                        "" if command.price is None else command.price,
                        command.text if event.seq == 1 else "",
                    ]
                )
            )
        return out.getvalue()
