"""Benchmark (a): a snapshot from the Agent socket to `full_sync_response` on a Bridge.

    python bench/e2e/snapshot.py --messages 1000000 --chats 20000

Through real sockets and processes: an Agent sends the inbox as `cache_update` parts (sized
by the gateway's `maxFrameBytes`, each waiting for its `ingest_ack`, as the extension does);
the gateway stores them, ingest normalizes, graph folds and pushes `full_sync_response` to a
Bridge connected to the same gateway. Reported: messages/s from the first part sent to the
full sync received, and the ratio to plain `msgspec.json.decode` of the same part bytes.
"""

import argparse
import asyncio
import gc
import json
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import msgspec
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.e2e.stack import rss_mib, start_brain
from ofca.agent_protocol import AgentClient, snapshot_frames
from tools.ofsim import generate_inbox, iter_messages

CREATOR = 320000


def plain_decode_rate(frames: list[bytes], messages: int) -> float:
    gc.collect()
    start = time.perf_counter()
    for frame in frames:
        msgspec.json.decode(frame)
    return messages / (time.perf_counter() - start)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--chats", type=int, default=2_000)
    args = parser.parse_args()
    per_chat = max(1, args.messages // args.chats)
    inbox = generate_inbox(
        CREATOR,
        n_chats=args.chats,
        messages_per_chat=(per_chat, per_chat),
        seed=11,
        end=datetime.now(UTC),
    )
    messages = list(iter_messages(inbox))
    brain = await start_brain()
    try:
        user = str(CREATOR)
        bridge = await connect(
            f"{brain.gateway.ws}/ws/bridge?token={brain.gateway.token('analyst', user)}",
            max_size=None,
            ping_interval=None,  # a loaded 2-core box can starve pings; the bench measures data
        )
        json.loads(await bridge.recv())
        agent = await AgentClient.connect(
            brain.gateway.ws, brain.gateway.token("agent", user), ping_interval=None
        )
        frames = list(
            snapshot_frames(inbox.chats, messages, agent.max_frame_bytes, uuid.uuid4().hex)
        )
        size = sum(len(f) for f in frames)
        cpu_before = brain.cpu()
        start = time.perf_counter()
        for frame in frames:
            await agent.send_and_wait(frame, within_s=300)
        sent = time.perf_counter() - start
        async with asyncio.timeout(1800):
            while True:
                frame = json.loads(await bridge.recv())
                if frame["type"] == "full_sync_response":
                    break
        total = time.perf_counter() - start
        cpu = {k: v - cpu_before[k] for k, v in brain.cpu().items()}
        rate = len(messages) / total
        plain = plain_decode_rate(frames, len(messages))
        gateway_rss = rss_mib(brain.gateway.process.pid)[1]
        print(
            f"snapshot e2e: {len(messages):,} messages in {len(frames)} parts "
            f"({size / 2**20:,.0f} MiB): all parts acked in {sent:.1f} s, full_sync on the "
            f"Bridge after {total:.1f} s = {rate:,.0f} msg/s; plain msgspec decode of the "
            f"same bytes {plain:,.0f} msg/s; ratio {rate / plain:.2f}; "
            f"{frame['payload']['totalConversations']:,} conversations; "
            f"gateway peak RSS {gateway_rss:.0f} MiB"
        )
        print("  CPU seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items()))
        await agent.close()
        await bridge.close()
    finally:
        await brain.nc.close()
        brain.stop()


if __name__ == "__main__":
    asyncio.run(main())
