"""Drill 3: kill the gateway while Agents are connected and new messages keep coming.

Each of four Agents models the extension: new fan messages arrive at a steady rate whatever the
Brain's state and go into an outbox (a queue); one flusher sends the outbox in order through a
`ReliableAgent`, which keeps a frame until its `ingest_ack` and reconnects (every 0.3 s) when
the socket drops. The gateway is SIGKILLed twice mid-stream and restarted by the supervisor on
the same port. Messages that arrived while it was down wait in the outboxes and flush once the
Agents are back.

Checks: messages were really produced during the outages; per chat, the new messages reach the
event log in the order they were produced (and sent); the final state equals the ground truth
with nothing logged twice; and of the commands an analyst posted meanwhile (re-posting while
the gateway was down), none reached an Agent twice.
"""

import asyncio
import time
from dataclasses import dataclass, field

import pytest

from contracts.events import MessageAdded
from tests.drills.harness import (
    Counter,
    Creator,
    Stack,
    check_commands,
    check_creator,
    close_agents,
    connect_agents,
    delta_order_in_log,
    delta_order_sent,
    make_creators,
    post_commands,
    send_snapshot,
)
from tests.ops.test_scale_out import read_log

pytestmark = [pytest.mark.nats, pytest.mark.slow, pytest.mark.timeout(150)]

RATE_S = 0.04  # a new fan message every 40 ms per creator


@dataclass
class Outages:
    spans: list[tuple[float, float]] = field(default_factory=list)

    def during(self, at: float) -> bool:
        return any(start <= at <= end for start, end in self.spans)


async def produce(creator: Creator, outbox: asyncio.Queue[tuple[int, float] | None]) -> None:
    """New messages arrive at a steady rate, outage or not."""
    for index in range(len(creator.deltas)):
        await outbox.put((index, time.monotonic()))
        await asyncio.sleep(RATE_S)
    await outbox.put(None)


async def flush(
    creator: Creator,
    outbox: asyncio.Queue[tuple[int, float] | None],
    produced_at: dict[int, float],
    counter: Counter,
) -> None:
    """Send the outbox in order; a frame leaves it only once the Brain acked it."""
    assert creator.agent is not None
    while (item := await outbox.get()) is not None:
        index, at = item
        _, message_id, frame = creator.deltas[index]
        produced_at[message_id] = at
        await creator.agent.send(frame)
        creator.acked.append(message_id)
        counter.bump()


async def test_agents_flush_their_outboxes_in_order_after_the_gateway_dies(stack: Stack) -> None:
    started = time.monotonic()
    creators = make_creators(4, deltas=80)
    connect_agents(stack, creators)
    counter = Counter()
    await asyncio.gather(*(send_snapshot(c, counter) for c in creators))
    parts = counter.value
    deltas = sum(len(c.deltas) for c in creators)
    outages = Outages()

    async def kill_gateway_at(fraction: float) -> None:
        await counter.reached(parts + int(deltas * fraction))
        down = time.monotonic()
        stack.services.kill("gateway")
        await asyncio.sleep(0.5)  # the supervisor notices within 0.3 s and starts it again
        await stack.gateway_ready()
        outages.spans.append((down, time.monotonic()))

    async def faults() -> None:
        await kill_gateway_at(0.2)
        await kill_gateway_at(0.6)

    outboxes = {c.user: asyncio.Queue[tuple[int, float] | None]() for c in creators}
    produced_at: dict[str, dict[int, float]] = {c.user: {} for c in creators}
    done = asyncio.Event()
    poster = asyncio.create_task(post_commands(stack.gateway, creators, done))
    await asyncio.gather(
        *(produce(c, outboxes[c.user]) for c in creators),
        *(flush(c, outboxes[c.user], produced_at[c.user], counter) for c in creators),
        faults(),
    )
    done.set()
    await poster
    sent_in = time.monotonic() - started
    assert len(outages.spans) == 2
    assert stack.services.restarts >= 2

    queued = 0
    for creator in creators:
        await check_creator(stack, creator)
        during = [m for m, at in produced_at[creator.user].items() if outages.during(at)]
        queued += len(during)
        assert during, f"creator {creator.user}: nothing was produced during the outages"
        log = await read_log(stack.nc, creator.user)
        added = [e for _, e in log if isinstance(e, MessageAdded)]
        assert delta_order_in_log(added, creator) == delta_order_sent(creator), (
            f"creator {creator.user}: a chat's new messages reached the log out of order"
        )
        # Stronger, and documented by ingest: a creator's frames are applied in arrival order.
        order = [m for _, m, _ in creator.deltas]
        new = set(order)
        logged = [e.message_id for e in added if e.message_id in new]
        assert logged == order, f"creator {creator.user}: new messages logged out of order"
    sent, lost = await check_commands(stack, creators, may_lose=True)
    await close_agents(creators)
    outage_s = [round(end - start, 2) for start, end in outages.spans]
    print(
        f"gateway outage: {time.monotonic() - started:.1f}s (stream done at {sent_in:.1f}s), "
        f"outages {outage_s}s, {queued} messages produced during them, "
        f"commands sent {sent}, lost {lost}"
    )
