"""Partition ownership and the in-flight byte cap."""

import asyncio

from contracts.streams import owned_partitions
from services.ingest.consumer import InflightBytes


def test_instances_own_disjoint_partitions_covering_all() -> None:
    owned = [owned_partitions(3, i, partitions=8) for i in range(3)]
    assert sorted(p for ps in owned for p in ps) == list(range(8))
    assert owned[0] == [0, 3, 6]


async def test_inflight_bytes_waits_for_room_and_lets_one_oversize_frame_through() -> None:
    cap = InflightBytes(100)
    await cap.acquire(80)
    blocked = asyncio.create_task(cap.acquire(30))
    await asyncio.sleep(0.05)
    assert not blocked.done()
    await cap.release(80)
    await asyncio.wait_for(blocked, 1)
    await cap.release(30)
    await asyncio.wait_for(cap.acquire(500), 1)  # alone, a frame above the cap still passes
    assert cap.used == 500
