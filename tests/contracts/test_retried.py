"""`retried`: transient NATS errors are waited out, others and a lasting outage are not."""

import pytest
from nats.errors import NoRespondersError
from nats.js.errors import KeyNotFoundError

from contracts.runtime import nats as runtime_nats
from contracts.runtime.nats import retried


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []

    async def sleep(delay: float) -> None:
        slept.append(delay)

    monkeypatch.setattr(runtime_nats.asyncio, "sleep", sleep)
    return slept


async def test_a_transient_error_is_retried_with_growing_waits(no_sleep: list[float]) -> None:
    calls = 0

    async def op() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise TimeoutError if calls == 1 else NoRespondersError
        return "done"

    assert await retried(op, "test") == "done"
    assert calls == 3
    assert no_sleep == [0.25, 0.5]


async def test_a_lasting_outage_raises_after_the_last_attempt(no_sleep: list[float]) -> None:
    calls = 0

    async def op() -> None:
        nonlocal calls
        calls += 1
        raise NoRespondersError

    with pytest.raises(NoRespondersError):
        await retried(op, "test", attempts=4)
    assert calls == 4
    assert no_sleep == [0.25, 0.5, 1.0]


async def test_other_errors_are_not_retried() -> None:
    calls = 0

    async def op() -> None:
        nonlocal calls
        calls += 1
        raise ValueError("bad input")

    with pytest.raises(ValueError):
        await retried(op, "test")
    assert calls == 1


async def test_a_missing_key_is_not_waited_for(no_sleep: list[float]) -> None:
    async def op() -> None:
        raise KeyNotFoundError

    with pytest.raises(KeyNotFoundError):
        await retried(op, "test")
    assert no_sleep == []
