"""Benchmark: the ingest service end to end on a real nats-server.

    python bench/ingest/pipeline.py --messages 100000 --deltas 2000 --rate 500 --creators 50

(1) Snapshot: `cache_update` parts (as an Agent sends them, 4 MiB each) are published to
    `agent.in.<user>`; timed from the first publish until ingest has stored the snapshot's
    `snapshot_replaced` in `EVENTS`. Reported in messages/s and as a ratio to plain
    `msgspec.json.decode` of the same part bytes.
(2) Delta latency: `new_raw_message` frames at `--rate` per second spread over `--creators`;
    latency from the publish to `agent.in` until the events arrive on `events.<user>.delta`.

NATS and ingest run as separate processes (ingest via `ofca service ingest`), like production.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import msgspec
import nats
from nats.aio.client import Client
from nats.aio.msg import Msg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from contracts import subjects  # noqa: E402
from contracts.runtime.provision import provision  # noqa: E402
from contracts.streams import AGENT_IN, MIB  # noqa: E402
from ofca.agent_protocol import new_raw_message, snapshot_frames  # noqa: E402
from ofca.natsd import EmbeddedNats, free_port  # noqa: E402
from tests.ingest.stack import IngestProcess  # noqa: E402
from tools.ofsim import fan_message, generate_inbox, iter_messages  # noqa: E402

CREATOR = 300_000


def headers(frame_type: str, msg_id: str) -> dict[str, str]:
    return {subjects.HEADER_FRAME_TYPE: frame_type, subjects.HEADER_MSG_ID: msg_id}


async def snapshot_run(nc: Client, messages: int) -> dict[str, float]:
    chats = max(1, messages // 50)
    inbox = generate_inbox(CREATOR, n_chats=chats, messages_per_chat=(40, 60), seed=11)
    records = list(iter_messages(inbox))[:messages]
    frames = list(snapshot_frames(inbox.chats, records, 4 * MIB, "bench-snap"))
    decode_start = time.perf_counter()
    for frame in frames:
        msgspec.json.decode(frame)
    decode_s = time.perf_counter() - decode_start
    js = nc.jetstream()
    done = asyncio.Event()

    async def on_control(msg: Msg) -> None:
        if b"snapshot_replaced" in msg.data:
            done.set()

    sub = await nc.subscribe(subjects.events(str(CREATOR), "control"), cb=on_control)
    start = time.perf_counter()
    for part, frame in enumerate(frames):
        await js.publish(
            subjects.agent_in(str(CREATOR)),
            frame,
            stream=AGENT_IN.name,
            headers=headers("cache_update", f"bench:{part}"),
        )
    await asyncio.wait_for(done.wait(), 600)
    elapsed = time.perf_counter() - start
    await sub.unsubscribe()
    n = len(records)
    return {
        "messages": n,
        "parts": len(frames),
        "seconds": elapsed,
        "messages_per_s": n / elapsed,
        "decode_messages_per_s": n / decode_s,
        "ratio_to_decode": (n / elapsed) / (n / decode_s),
    }


async def delta_run(nc: Client, deltas: int, rate: float, creators: int) -> dict[str, float]:
    inboxes = {
        c: generate_inbox(c, n_chats=5, messages_per_chat=(2, 4), seed=c)
        for c in range(CREATOR + 1, CREATOR + 1 + creators)
    }
    sent: dict[tuple[int, int], float] = {}
    latencies: list[float] = []
    finished = asyncio.Event()

    async def on_delta(msg: Msg) -> None:
        now = time.perf_counter()
        for event in msgspec.json.decode(msg.data):
            if event.get("kind") != "message_added":
                continue
            started = sent.pop((event["creator_id"], event["message_id"]), None)
            if started is not None:
                latencies.append(now - started)
        if len(latencies) >= deltas:
            finished.set()

    sub = await nc.subscribe("events.*.delta", cb=on_delta)
    js = nc.jetstream()
    owners = list(inboxes)
    interval = 1.0 / rate
    start = time.perf_counter()
    for i in range(deltas):
        creator = owners[i % len(owners)]
        inbox = inboxes[creator]
        fan = next(iter(inbox.messages))
        message = fan_message(inbox, fan, seed=i)
        frame = new_raw_message(fan, message)
        target = start + i * interval
        if (pause := target - time.perf_counter()) > 0:
            await asyncio.sleep(pause)
        sent[creator, message["id"]] = time.perf_counter()
        await js.publish(
            subjects.agent_in(str(creator)),
            frame,
            stream=AGENT_IN.name,
            headers=headers("new_raw_message", f"bench-d:{creator}:{message['id']}"),
        )
    await asyncio.wait_for(finished.wait(), 120)
    await sub.unsubscribe()
    ordered = sorted(latencies)
    return {
        "deltas": len(ordered),
        "rate_per_s": rate,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "max_ms": ordered[-1] * 1000,
    }


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--deltas", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--creators", type=int, default=50)
    args = parser.parse_args()
    server = EmbeddedNats(Path(tempfile.mkdtemp()), free_port(), free_port())
    server.start()
    nc = await nats.connect(server.url)
    await provision(nc.jetstream())
    ingest = await IngestProcess(server.url, OFCA_LOG_LEVEL="WARNING").ready()
    try:
        snap = await snapshot_run(nc, args.messages)
        peak = peak_rss_mib(ingest.process.pid)
        print(
            f"snapshot  {snap['messages']:>9,} messages in {snap['parts']} parts: "
            f"{snap['seconds']:.2f} s, {snap['messages_per_s']:,.0f} msg/s "
            f"(plain msgspec.json.decode: {snap['decode_messages_per_s']:,.0f} msg/s, "
            f"ratio {snap['ratio_to_decode']:.2f}); ingest peak RSS {peak:,.0f} MiB"
        )
        delta = await delta_run(nc, args.deltas, args.rate, args.creators)
        print(
            f"deltas    {delta['deltas']:,} at {delta['rate_per_s']:.0f}/s over "
            f"{args.creators} creators: p50 {delta['p50_ms']:.1f} ms, "
            f"p99 {delta['p99_ms']:.1f} ms, max {delta['max_ms']:.1f} ms"
        )
    finally:
        ingest.stop()
        await nc.close()
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
