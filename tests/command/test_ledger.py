"""The command ledger and rate limits, without NATS: folding is exact and idempotent."""

from datetime import UTC, datetime, timedelta

from contracts.models.commands import CommandRequest, CommandState, SendMessageCommand
from services.command.ledger import Ledger
from services.command.ratelimit import WINDOW_MS, RateLimiter

AT = datetime(2026, 11, 1, tzinfo=UTC)


def request(command_id: str = "c1", text: str = "hi", user: str = "7") -> CommandRequest:
    command = SendMessageCommand(
        command_id=command_id, user_id=user, chat_id="9", text=text, created_at=AT
    )
    return CommandRequest(command=command, requested_by="analyst:t1", via="rest", at=AT)


def test_one_command_per_id_and_steps_apply_once_in_order() -> None:
    ledger = Ledger()
    entry = ledger.request("7", request())
    assert entry is not None and entry.record.state == CommandState.REQUESTED
    assert ledger.request("7", request(text="other")) is None
    assert ledger.request("8", request(user="7")) is None  # a request filed under another user
    issued = entry.step(CommandState.ISSUED, AT, "command", expires_at=AT + timedelta(minutes=10))
    assert ledger.apply(issued) is entry and entry.record.expires_at is not None
    assert ledger.apply(issued) is None  # the same step coming back from the stream
    delivering = entry.step(CommandState.ISSUED, AT, "command", step="delivering")
    ledger.apply(delivering)
    assert entry.in_flight
    ledger.apply(entry.step(CommandState.DELIVERED, AT, "gateway"))
    assert not entry.in_flight and [u.command_id for u in ledger.unfinished("7")] == ["c1"]
    ledger.apply(entry.step(CommandState.SENT, AT, "agent"))
    assert entry.final and ledger.unfinished("7") == []
    assert [h.seq for h in entry.record.history] == [1, 2, 3, 4, 5]


def test_pages_and_audit_csv() -> None:
    ledger = Ledger()
    for i in range(3):
        ledger.request("7", request(f"c{i}", text=f"text {i}"))
    page = ledger.page("7", limit=2)
    assert page.total == 3 and len(page.items) == 2 and page.next_cursor == "2"
    assert ledger.page("7", limit=2, cursor="2").next_cursor is None
    assert ledger.page("7", state="sent").total == 0
    lines = ledger.audit_csv("7").splitlines()
    assert len(lines) == 4 and "text 1" in ledger.audit_csv("7")
    ledger.forget("7")
    assert ledger.page("7").total == 0


def test_rate_limits_slide_per_creator_and_per_fan() -> None:
    limiter = RateLimiter(per_creator=3, per_fan=2)
    limiter.record("u", "f1", 0)
    limiter.record("u", "f1", 10)
    assert limiter.refusal("u", "f1", 20) is not None  # the fan's limit
    assert limiter.refusal("u", "f2", 20) is None
    limiter.record("u", "f2", 30)
    assert limiter.refusal("u", "f3", 40) is not None  # the creator's limit
    assert limiter.refusal("u", "f1", WINDOW_MS + 11) is None  # the window slid past
    assert limiter.refusal("other", "f1", 40) is None
