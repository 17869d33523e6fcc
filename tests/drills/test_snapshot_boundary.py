"""Drill 1b: SIGKILL ingest at the one moment of a snapshot a random kill rarely hits, just
after the progress of the last part is stored and before the snapshot is completed.

Ingest reaches NATS through a proxy that the drill slows down (50 ms each way) near the end of
the snapshot, so the steps after the last part's progress write (ack the frame, publish
`snapshot_replaced`, mark the snapshot complete, release the held deltas) take a few hundred
milliseconds; the drill watches the progress writes on `$KV.ingest_snapshots.<user>.*` and kills
ingest as soon as one says "all parts done, still open". New fan messages were sent mid-snapshot
and after it, so some are held by ingest.

The restarted ingest must finish the snapshot at once (`snapshot_replaced` in the log, never
`snapshot_abandoned`) and apply the held messages; the state must equal the ground truth.
"""

import asyncio
import contextlib
import time

import msgspec
import pytest
from nats.aio.msg import Msg

from contracts.events import SnapshotAbandoned, SnapshotReplaced
from contracts.streams import KV_INGEST_SNAPSHOTS
from ofca.natsd import free_port
from services.ingest.progress import SnapshotProgress
from tests.drills.harness import (
    Counter,
    Stack,
    check_creator,
    close_agents,
    connect_agents,
    make_creators,
    send_deltas,
    send_snapshot,
)
from tests.ingest.stack import IngestProcess
from tests.ops.test_scale_out import read_log

pytestmark = [pytest.mark.nats, pytest.mark.slow, pytest.mark.timeout(120)]


class LatencyProxy:
    """A TCP proxy to NATS that delays every chunk by `delay` seconds, each way."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = free_port()
        self.delay = 0.0
        self.server: asyncio.Server | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while chunk := await reader.read(65536):
                if self.delay:
                    await asyncio.sleep(self.delay)
                writer.write(chunk)
                await writer.drain()
        writer.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        for task in (
            asyncio.create_task(self._pipe(reader, up_writer)),
            asyncio.create_task(self._pipe(up_reader, writer)),
        ):
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def test_ingest_killed_between_the_last_part_and_completion(stack: Stack) -> None:
    started = time.monotonic()
    proxy = LatencyProxy(stack.nats.port)
    await proxy.start()
    # Ingest through the proxy from now on: the supervisor restarts it that way.
    await stack.replace("ingest", lambda: IngestProcess(proxy.url))
    restarts = stack.services.restarts

    creators = make_creators(1)
    creator = creators[0]
    parts = len(creator.snapshot)
    connect_agents(stack, creators)
    killed: list[SnapshotProgress] = []
    left: list[SnapshotProgress] = []
    hit = asyncio.Event()

    async def on_progress(msg: Msg) -> None:
        if msg.subject.endswith(".open") or killed or not msg.data:
            return
        progress = msgspec.json.decode(msg.data, type=SnapshotProgress)
        if len(progress.done) >= parts - 3:
            proxy.delay = 0.05
        if len(progress.done) == parts and progress.state == "open":
            stack.services.kill("ingest")
            killed.append(progress)
            proxy.delay = 0.0
            # What the dead process left: the snapshot not completed (the window was hit).
            key = msg.subject.removeprefix(f"$KV.{KV_INGEST_SNAPSHOTS}.")
            entry = await (await stack.nc.jetstream().key_value(KV_INGEST_SNAPSHOTS)).get(key)
            left.append(msgspec.json.decode(entry.value or b"", type=SnapshotProgress))
            hit.set()

    watch = await stack.nc.subscribe(f"$KV.{KV_INGEST_SNAPSHOTS}.{creator.user}.*", cb=on_progress)
    counter = Counter()
    await send_snapshot(creator, counter, interleave=5)
    await send_deltas(creator, counter)
    # The Agent's acks mean "stored in AGENT_IN"; ingest, slowed by the proxy, may still be
    # working through the last parts.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(hit.wait(), 30)
    await watch.unsubscribe()
    proxy.delay = 0.0
    assert killed, "ingest was not killed at the snapshot boundary"
    assert left[0].state == "open", "ingest completed the snapshot before it was killed"
    snapshot_id = killed[0].snapshot_id

    await check_creator(stack, creator, within_s=30)
    log = await read_log(stack.nc, creator.user)
    assert any(isinstance(e, SnapshotReplaced) and e.snapshot_id == snapshot_id for _, e in log)
    assert not any(isinstance(e, SnapshotAbandoned) for _, e in log), "the snapshot was abandoned"
    assert stack.services.restarts > restarts
    await close_agents(creators)
    # Back to a direct connection before the proxy goes, so the teardown's stop is quick.
    await stack.replace("ingest", lambda: IngestProcess(stack.nats.url))
    await proxy.stop()
    print(f"\nsnapshot boundary: {time.monotonic() - started:.1f}s, {parts} parts")
