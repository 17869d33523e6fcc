"""Benchmark: the graph projection in-process — fold, snapshot, full sync, network.

    python bench/graph/projection.py --messages 100000 --chats 2000

Events come from real normalization of `tools.ofsim` inboxes (one creator). Reports:
fold throughput (events/s), snapshot encode/decode time and size (what a restart loads),
`full_sync_response` build time and JSON size, analytics and network build times.
"""

import argparse
import gc
import sys
import time
from pathlib import Path

import msgspec

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from contracts.events import Event  # noqa: E402
from contracts.wire import FullSyncResponseMessage  # noqa: E402
from services.graph import pushes  # noqa: E402
from services.graph.network import build_network  # noqa: E402
from services.graph.projection import PartitionSnapshot  # noqa: E402
from services.graph.state import CreatorState  # noqa: E402
from services.graph.views import NodeCache  # noqa: E402
from services.ingest.normalize import normalize_snapshot  # noqa: E402
from tools.ofsim import generate_inbox, iter_messages  # noqa: E402

CREATOR = 300_000


def timed(label: str, seconds: float, extra: str = "") -> None:
    print(f"{label:<28} {seconds:8.2f} s  {extra}")


def make_events(messages: int, chats: int) -> list[Event]:
    per_chat = max(1, messages // chats)
    inbox = generate_inbox(CREATOR, n_chats=chats, messages_per_chat=(per_chat, per_chat), seed=5)
    encode = msgspec.json.encode
    result = normalize_snapshot(
        CREATOR,
        "bench",
        [encode(c) for c in inbox.chats],
        [encode(m) for m in iter_messages(inbox)],
    )
    return result.events


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--chats", type=int, default=2_000)
    args = parser.parse_args()
    events = make_events(args.messages, args.chats)
    state = CreatorState(CREATOR)
    gc.disable()
    start = time.perf_counter()
    for event in events:
        state.apply(event)
    fold_s = time.perf_counter() - start
    gc.enable()
    messages = sum(len(c.messages) for c in state.chats.values())
    timed(
        "fold",
        fold_s,
        f"{len(events):,} events, {len(events) / fold_s:,.0f} events/s, "
        f"{messages:,} messages in {len(state.chats):,} chats",
    )
    encoder, decoder = msgspec.msgpack.Encoder(), msgspec.msgpack.Decoder(PartitionSnapshot)
    start = time.perf_counter()
    blob = encoder.encode(PartitionSnapshot(0, 1, [state]))
    timed("snapshot encode", time.perf_counter() - start, f"{len(blob) / 2**20:,.1f} MiB")
    gc.disable()
    start = time.perf_counter()
    decoder.decode(blob)
    timed("snapshot decode (restart)", time.perf_counter() - start)
    gc.enable()
    cache = NodeCache()
    start = time.perf_counter()
    response = pushes.full_sync(str(CREATOR), state, cache, 2000, 30)
    build_s = time.perf_counter() - start
    frame = FullSyncResponseMessage(payload=response).model_dump_json(by_alias=True)
    timed(
        "full_sync build (cold)",
        build_s,
        f"{len(response.conversations):,} of {response.total_conversations:,} conversations, "
        f"{len(frame) / 2**20:,.2f} MiB JSON",
    )
    start = time.perf_counter()
    pushes.full_sync(str(CREATOR), state, cache, 2000, 30)
    timed("full_sync build (cached)", time.perf_counter() - start)
    start = time.perf_counter()
    network = build_network([state])
    timed(
        "network build",
        time.perf_counter() - start,
        f"{network.graph.vcount():,} vertices, {network.graph.ecount():,} edges",
    )


if __name__ == "__main__":
    main()
