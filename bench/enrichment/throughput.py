"""Benchmark: enrichment over a real event log on a real nats-server.

    python bench/enrichment/throughput.py --messages 100000 --chats 2000

One creator's normalized snapshot (recent, so chats awaiting a reply get drafts) is published
to `EVENTS` as ingest would; an enrichment process scores it. Reported: messages scored per
second (until its progress mark covers the whole log), drafts and chat scores written, the
process's peak RSS, and the time a restarted process takes to re-read the history (which it
folds without scoring) before it is ready for new events.
"""

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import nats
from nats.aio.client import Client
from nats.js.errors import NotFoundError

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from contracts import subjects  # noqa: E402
from contracts.events import ChatScored, MessageScored, ReplySuggested, decode_batch  # noqa: E402
from contracts.runtime.provision import provision  # noqa: E402
from contracts.streams import EVENTS, KV_ENRICHMENT_PROGRESS, PARTITIONS  # noqa: E402
from ofca.natsd import EmbeddedNats, free_port  # noqa: E402
from services.ingest.normalize import normalize_snapshot  # noqa: E402
from services.ingest.sink import split_batches  # noqa: E402
from tests.enrichment.conftest import EnrichmentProcess  # noqa: E402
from tools.ofsim import generate_inbox, iter_messages  # noqa: E402

CREATOR = 310000
USER = str(CREATOR)


async def publish_log(nc: Client, messages: int, chats: int) -> int:
    per_chat = max(1, messages // chats)
    inbox = generate_inbox(
        CREATOR,
        n_chats=chats,
        messages_per_chat=(per_chat, per_chat),
        seed=9,
        end=datetime.now(UTC),
    )
    encode = msgspec.json.encode
    result = normalize_snapshot(
        CREATOR,
        "bench",
        [encode(c) for c in inbox.chats],
        [encode(m) for m in iter_messages(inbox)],
    )
    js = nc.jetstream()
    last = 0
    for n, body in enumerate(split_batches(result.events, 512 * 1024)):
        ack = await js.publish(
            subjects.events(USER, "snapshot"),
            body,
            stream=EVENTS.name,
            headers={subjects.HEADER_MSG_ID: f"bench:{n}"},
        )
        last = ack.seq
    return last


async def wait_mark(nc: Client, target: int, within_s: float = 1800) -> float:
    kv = await nc.jetstream().key_value(KV_ENRICHMENT_PROGRESS)
    key = f"p{subjects.partition_of(USER, PARTITIONS)}"
    start = time.perf_counter()
    while time.perf_counter() - start < within_s:
        try:
            entry = await kv.get(key)
            if int(entry.value or b"0") >= target:
                return time.perf_counter() - start
        except NotFoundError:
            pass
        await asyncio.sleep(0.1)
    raise TimeoutError("enrichment did not finish in time")


async def count_outputs(nc: Client) -> dict[str, int]:
    js = nc.jetstream()
    sub = await js.pull_subscribe(
        subjects.events_stored(USER, kind="enrichment"), stream=EVENTS.name
    )
    counts = {"message_scored": 0, "chat_scored": 0, "reply_suggested": 0}
    try:
        while True:
            try:
                msgs = await sub.fetch(100, timeout=1)
            except (nats.errors.TimeoutError, TimeoutError):
                return counts
            for msg in msgs:
                for event in decode_batch(msg.data):
                    if isinstance(event, MessageScored):
                        counts["message_scored"] += 1
                    elif isinstance(event, ChatScored):
                        counts["chat_scored"] += 1
                    elif isinstance(event, ReplySuggested):
                        counts["reply_suggested"] += 1
                await msg.ack()
    finally:
        await sub.unsubscribe()


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--chats", type=int, default=2_000)
    args = parser.parse_args()
    server = EmbeddedNats(Path(tempfile.mkdtemp()), free_port(), free_port())
    server.start()
    nc = await nats.connect(server.url)
    await provision(nc.jetstream())
    try:
        last = await publish_log(nc, args.messages, args.chats)
        process = await EnrichmentProcess(server.url, OFCA_LOG_LEVEL="WARNING").ready()
        seconds = await wait_mark(nc, last)
        rss = peak_rss_mib(process.process.pid)
        counts = await count_outputs(nc)
        print(
            f"enrichment: {counts['message_scored']:,} messages scored in {seconds:.1f} s "
            f"= {counts['message_scored'] / seconds:,.0f} msg/s end to end; "
            f"{counts['chat_scored']:,} chat scores, {counts['reply_suggested']:,} drafts; "
            f"peak RSS {rss:.0f} MiB (machine: {os.cpu_count()} CPUs)"
        )
        os.kill(process.process.pid, signal.SIGKILL)
        process.process.wait()
        start = time.perf_counter()
        restarted = await EnrichmentProcess(server.url, OFCA_LOG_LEVEL="WARNING").ready()
        # Ready = probes up; history re-read is measured by a new event's scoring.
        probe = await publish_probe(nc)
        resumed = await wait_mark(nc, probe)
        print(
            f"restart: scoring a new message {time.perf_counter() - start:.1f} s after the "
            f"restart (history re-read without scoring: {resumed:.1f} s after the probe)"
        )
        restarted.stop()
    finally:
        await nc.close()
        server.stop()


async def publish_probe(nc: Client) -> int:
    from contracts.events import MessageAdded, encode_batch, encode_event, make_event_id  # noqa: PLC0415

    now = int(time.time() * 1000)
    event = MessageAdded(
        1,
        9_999_999_999,
        "in",
        1,
        now,
        "<p>hi babe</p>",
        "hi babe",
        0.0,
        True,
        False,
        0,
        (),
        False,
        True,
        "websocket",
        event_id=make_event_id(f"{USER}:probe:{now}"),
        creator_id=CREATOR,
    )
    ack = await nc.jetstream().publish(
        subjects.events(USER, "delta"), encode_batch([encode_event(event)]), stream=EVENTS.name
    )
    return ack.seq


if __name__ == "__main__":
    asyncio.run(main())
