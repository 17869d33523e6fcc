"""`command_check` verdicts, without NATS: executable only for an issued, live, ungranted or
self-granted command; the grant folds back from the stream like every other step."""

from datetime import UTC, datetime, timedelta

from contracts.models.commands import CommandCheck, CommandState
from services.command.ledger import Entry, Ledger
from services.command.verdict import decide
from tests.command.test_ledger import request

AT = datetime(2026, 11, 1, tzinfo=UTC)
TTL = timedelta(minutes=10)


def check(holder: str = "install-aaaa", command_id: str = "c1") -> CommandCheck:
    return CommandCheck(command_id=command_id, via="bridge", holder=holder)


def issued(ledger: Ledger) -> Entry:
    entry = ledger.request("7", request())
    assert entry is not None
    ledger.apply(entry.step(CommandState.ISSUED, AT, "command", expires_at=AT + TTL))
    return entry


def test_an_unknown_or_undecided_command_is_never_executable() -> None:
    ledger = Ledger()
    verdict, grant = decide(ledger.get("7", "c1"), check(), AT)
    assert (verdict.executable, grant, verdict.state) == (False, False, None)
    assert "never issued" in verdict.reason
    entry = ledger.request("7", request())
    verdict, grant = decide(entry, check(), AT)
    assert (verdict.executable, grant) == (False, False)
    assert verdict.state == CommandState.REQUESTED and "not issued" in verdict.reason


def test_an_issued_command_is_granted_once_to_one_agent() -> None:
    ledger = Ledger()
    entry = issued(ledger)
    verdict, grant = decide(entry, check("install-aaaa"), AT)
    assert (verdict.executable, grant) == (True, True)
    step = entry.step(
        CommandState.DELIVERED, AT, "agent", step="granted", granted_to="install-aaaa"
    )
    assert ledger.apply(step) is entry and entry.granted_to == "install-aaaa"
    again, grant = decide(entry, check("install-aaaa"), AT)
    assert (again.executable, grant) == (True, False)  # the same Agent asking again
    other, grant = decide(entry, check("install-bbbb"), AT)
    assert (other.executable, grant) == (False, False)
    assert "another Agent" in other.reason


def test_expired_and_final_commands_are_refused() -> None:
    ledger = Ledger()
    entry = issued(ledger)
    late, _ = decide(entry, check(), AT + TTL)  # past the TTL, before the sweep expired it
    assert not late.executable and "expired" in late.reason
    ledger.apply(entry.step(CommandState.SENT, AT, "agent"))
    done, _ = decide(entry, check(), AT)
    assert not done.executable and done.state == CommandState.SENT
    assert "already sent" in done.reason


def test_a_grant_replays_from_the_stream() -> None:
    first = Ledger()
    entry = issued(first)
    first.apply(
        entry.step(CommandState.DELIVERED, AT, "agent", step="granted", granted_to="install-a1")
    )
    replayed = Ledger()
    replayed.request("7", request())
    for event in entry.record.history[1:]:
        replayed.apply(event)
    again = replayed.get("7", "c1")
    assert again is not None and again.granted_to == "install-a1"
    assert again.record.state == CommandState.DELIVERED and not again.in_flight
