"""`BoundedPull` against a real nats-server: bounded in bytes, prompt, nothing skipped."""

import asyncio
import uuid

import pytest
from nats.aio.client import Client
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig

from contracts.runtime.pull import BoundedPull

pytestmark = pytest.mark.nats
MIB = 1024 * 1024


async def _stream(nc: Client) -> tuple[str, str]:
    name = f"PULL_{uuid.uuid4().hex[:8].upper()}"
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=name, subjects=[f"{name.lower()}.>"]))
    await js.add_consumer(name, ConsumerConfig(durable_name="c", ack_policy=AckPolicy.EXPLICIT))
    return name, f"{name.lower()}.x"


async def _drain(pull: BoundedPull, count: int) -> list[list[bytes]]:
    pulls: list[list[bytes]] = []
    while sum(len(p) for p in pulls) < count:
        msgs = await pull.fetch(64, wait_s=2.0)
        assert msgs, f"stalled after {sum(len(p) for p in pulls)} of {count}"
        for msg in msgs:
            await msg.ack()
        pulls.append([m.data for m in msgs])
    return pulls


async def test_pulls_stay_within_max_bytes_and_deliver_everything_in_order(nc: Client) -> None:
    stream, subject = await _stream(nc)
    js = nc.jetstream()
    bodies = [bytes([i]) * MIB for i in range(20)]
    for body in bodies:
        await js.publish(subject, body)
    pull = await BoundedPull(nc, stream, "c", max_bytes=4 * MIB + 4096).start()
    try:
        pulls = await _drain(pull, len(bodies))
    finally:
        await pull.unsubscribe()
    assert [b for p in pulls for b in p] == bodies
    assert max(len(p) for p in pulls) <= 4  # a count-only pull of 64 would have taken all 20
    assert len(pulls) >= 5


async def test_a_message_bigger_than_the_bound_still_comes_alone(nc: Client) -> None:
    stream, subject = await _stream(nc)
    js = nc.jetstream()
    await js.publish(subject, b"a" * 100)
    await js.publish(subject, b"b" * (2 * MIB))
    await js.publish(subject, b"c" * 100)
    pull = await BoundedPull(nc, stream, "c", max_bytes=MIB).start()
    try:
        pulls = await _drain(pull, 3)
    finally:
        await pull.unsubscribe()
    assert [b[:1] for p in pulls for b in p] == [b"a", b"b", b"c"]
    assert [b"b" * (2 * MIB)] in pulls


async def test_a_quiet_stream_hands_over_the_first_message_without_waiting_for_a_batch(
    nc: Client,
) -> None:
    stream, subject = await _stream(nc)
    pull = await BoundedPull(nc, stream, "c", max_bytes=MIB).start()
    try:
        waiting = asyncio.create_task(pull.fetch(64, wait_s=60.0))
        await asyncio.sleep(0.2)  # the long poll is open on the server
        await nc.jetstream().publish(subject, b"one")
        # Count-only long polls hold a lone message until the batch fills or the poll expires
        # (60 s here); this one returns it well before.
        msgs = await asyncio.wait_for(waiting, 20)
        assert [m.data for m in msgs] == [b"one"]
        assert await pull.fetch(64, wait_s=0.3) == []
    finally:
        await pull.unsubscribe()
