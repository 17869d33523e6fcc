"""Benchmark: graph recovery after SIGKILL, from a real event log on a real nats-server.

    python bench/graph/recovery.py --messages 1000000 --chats 20000

Normalized events of one creator are published to `EVENTS` in batches (as ingest does); a graph
process folds them and snapshots; it is killed with SIGKILL and restarted. Reported: time to
fold the whole log the first time, and time from the restart until the graph answers a query
with the full state again (snapshot load + tail replay), plus the same with no snapshot at all.
"""

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

import msgspec
import nats
from nats.aio.client import Client
from nats.js.errors import NotFoundError

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.graph.projection import CREATOR, make_events  # noqa: E402
from contracts import subjects  # noqa: E402
from contracts.runtime.provision import provision  # noqa: E402
from contracts.streams import EVENTS, OBJ_GRAPH_SNAPSHOTS, PARTITIONS  # noqa: E402
from ofca.natsd import EmbeddedNats, free_port  # noqa: E402
from services.ingest.sink import split_batches  # noqa: E402
from tests.graph.stack import GraphProcess  # noqa: E402

USER = str(CREATOR)


async def publish_log(nc: Client, messages: int, chats: int) -> int:
    events = make_events(messages, chats)
    js = nc.jetstream()
    batches = split_batches(events, 512 * 1024)
    for n, body in enumerate(batches):
        await js.publish(
            subjects.events(USER, "snapshot"),
            body,
            stream=EVENTS.name,
            headers={subjects.HEADER_MSG_ID: f"bench:{n}"},
        )
    return len(events)


async def wait_full(nc: Client, messages: int, within_s: float = 600) -> float:
    """Seconds until the graph's projection holds every message of the log."""
    start = time.perf_counter()
    deadline = start + within_s
    while time.perf_counter() < deadline:
        try:
            reply = await nc.request(subjects.rpc("graph", "counts", USER), b"", timeout=5)
            body = json.loads(reply.data)
            if body.get("ok") and body["data"]["messages"] == messages:
                return time.perf_counter() - start
        except (nats.errors.TimeoutError, nats.errors.NoRespondersError):
            pass
        await asyncio.sleep(0.05)
    raise TimeoutError("the graph did not recover in time")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--chats", type=int, default=2_000)
    args = parser.parse_args()
    server = EmbeddedNats(Path(tempfile.mkdtemp()), free_port(), free_port())
    server.start()
    nc = await nats.connect(server.url)
    await provision(nc.jetstream())
    graph: GraphProcess | None = None
    try:
        count = await publish_log(nc, args.messages, args.chats)
        print(f"log: {count:,} events ({args.messages:,} messages, {args.chats:,} chats)")
        env = {"OFCA_SNAPSHOT_INTERVAL_S": "2", "OFCA_LOG_LEVEL": "WARNING"}
        graph = await GraphProcess(server.url, **env).ready()
        first = await wait_full(nc, args.messages)
        print(f"first fold of the whole log      {first:6.2f} s")
        await asyncio.sleep(4 + args.messages / 100_000)  # the last snapshot is written
        graph.kill()
        graph = GraphProcess(server.url, **env)
        restart = await wait_full(nc, args.messages)
        print(f"after SIGKILL, with its snapshot {restart:6.2f} s (process start included)")
        graph.kill()
        store = await nc.jetstream().object_store(OBJ_GRAPH_SNAPSHOTS)
        for partition in range(PARTITIONS):
            with contextlib.suppress(NotFoundError):
                await store.delete(f"p{partition}")
        graph = GraphProcess(server.url, **env)
        cold = await wait_full(nc, args.messages)
        print(f"after SIGKILL, no snapshot       {cold:6.2f} s (full replay)")
    finally:
        if graph is not None:
            graph.stop()
        await nc.close()
        server.stop()


if __name__ == "__main__":
    msgspec.json.encode(None)
    asyncio.run(main())
