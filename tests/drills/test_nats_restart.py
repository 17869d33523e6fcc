"""Drill 2: restart the NATS node in the middle of a delta stream.

Four creators' snapshots are in; while they stream new fan messages (and an analyst posts a
command every 0.25 s) the single nats-server is stopped, stays down for two seconds and starts
again on the same ports and store dir. Meanwhile the gateway answers `unavailable` (or the
socket drops) and the Agents re-send; the services ride out the outage (or are restarted by the
supervisor). Afterwards the state equals the ground truth (ids and texts over REST and in the
log, chat counts, every message with text scored), no message is logged twice, and no command
reached an Agent twice.

`stop` is a clean shutdown (SIGTERM); `kill` (SIGKILL, full set only) a crash of the node.
"""

import asyncio
import time

import pytest

from tests.drills.harness import (
    Counter,
    Stack,
    check_commands,
    check_creator,
    close_agents,
    connect_agents,
    make_creators,
    post_commands,
    send_deltas,
    send_snapshot,
)

pytestmark = [pytest.mark.nats, pytest.mark.slow, pytest.mark.timeout(180)]


@pytest.mark.parametrize("how", ["stop", pytest.param("kill", marks=pytest.mark.drill_full)])
async def test_restarting_nats_mid_stream_loses_and_duplicates_nothing(
    stack: Stack, how: str
) -> None:
    started = time.monotonic()
    creators = make_creators(4)
    connect_agents(stack, creators)
    counter = Counter()
    await asyncio.gather(*(send_snapshot(c, counter) for c in creators))
    parts = counter.value
    deltas = sum(len(c.deltas) for c in creators)
    at_stop: list[int] = []
    timings: dict[str, float] = {}
    done = asyncio.Event()
    poster = asyncio.create_task(post_commands(stack.gateway, creators, done))

    async def restart_nats() -> None:
        await counter.reached(parts + int(deltas * 0.3))
        at_stop.append(counter.value)
        t = time.monotonic()
        await stack.restart_nats(down_s=2.0, kill=how == "kill")
        timings["nats down and up"] = time.monotonic() - t

    await asyncio.gather(*(send_deltas(c, counter, gap_s=0.03) for c in creators), restart_nats())
    done.set()
    await poster
    timings["streamed"] = time.monotonic() - started
    assert at_stop[0] < parts + deltas, "NATS was restarted after the deltas were sent"
    for creator in creators:
        await check_creator(stack, creator, within_s=90)
    timings["state checked"] = time.monotonic() - started
    sent, lost = await check_commands(stack, creators, may_lose=True)
    await close_agents(creators)
    summary = ", ".join(f"{k} {v:.1f}s" for k, v in timings.items())
    print(
        f"\nnats {how}: {time.monotonic() - started:.1f}s ({summary}), stopped at frame "
        f"{at_stop[0]}/{parts + deltas}, service restarts {stack.services.restarts}, "
        f"commands sent {sent}, lost {lost}"
    )
