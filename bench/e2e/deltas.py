"""Benchmark (b): delta latency, Agent `new_raw_message` → Bridge `append_message`.

    python bench/e2e/deltas.py --rate 1000 --creators 100 --deltas 10000

Each creator has an Agent socket and a Bridge socket on one gateway, and a small snapshot
first (the graph pushes appends only for creators it holds). Fan messages are sent at `--rate`
per second in total, round-robin over creators, each stamped with a unique text; latency is
from the frame leaving the Agent to the `append_message` carrying that text reaching the
creator's Bridge. Reported: p50, p99, max, and how many arrived.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.e2e.stack import start_brain
from ofca.agent_protocol import AgentClient, new_raw_message
from tools.ofsim import Inbox, fan_message, generate_inbox, iter_messages


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--creators", type=int, default=50)
    parser.add_argument("--deltas", type=int, default=3000)
    args = parser.parse_args()
    brain = await start_brain()
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    try:
        users = [str(330000 + i) for i in range(args.creators)]
        inboxes: dict[str, Inbox] = {}
        agents: dict[str, AgentClient] = {}
        bridges: dict[str, ClientConnection] = {}
        for user in users:
            inbox = generate_inbox(
                int(user), n_chats=5, messages_per_chat=(3, 5), seed=1, end=datetime.now(UTC)
            )
            inboxes[user] = inbox
            bridges[user] = await connect(
                f"{brain.gateway.ws}/ws/bridge?token={brain.gateway.token('analyst', user)}"
            )
            json.loads(await bridges[user].recv())
            agents[user] = await AgentClient.connect(
                brain.gateway.ws, brain.gateway.token("agent", user)
            )
            await agents[user].send_snapshot(inbox.chats, list(iter_messages(inbox)))
        await asyncio.sleep(3)  # every snapshot folded

        async def listen(ws: ClientConnection) -> None:
            async for raw in ws:
                frame = json.loads(raw)
                if frame["type"] != "append_message":
                    continue
                text = (frame["payload"].get("lastMessage") or {}).get("text", "")
                marker = text.rsplit(" ", 1)[-1]
                if marker in sent_at:
                    latencies.append(time.perf_counter() - sent_at.pop(marker))

        async def drain(agent: AgentClient) -> None:  # acks are not awaited one by one
            async for _ in agent.ws:
                pass

        tasks = [asyncio.create_task(listen(ws)) for ws in bridges.values()]
        tasks += [asyncio.create_task(drain(a)) for a in agents.values()]
        interval = 1.0 / args.rate
        cpu_before = brain.cpu()
        start = time.perf_counter()
        for n in range(args.deltas):
            user = users[n % len(users)]
            inbox = inboxes[user]
            fan = next(iter(inbox.messages))
            message = fan_message(inbox, fan, kind="text")
            marker = uuid.uuid4().hex[:12]
            message["text"] = f"<p>bench {marker}</p>"
            frame = new_raw_message(fan, message)
            sent_at[marker] = time.perf_counter()
            await agents[user].ws.send(frame.decode())
            delay = start + (n + 1) * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        elapsed = time.perf_counter() - start
        achieved = args.deltas / elapsed
        busy = sum(brain.cpu().values()) - sum(cpu_before.values())
        await asyncio.sleep(5)  # the last appends on their way
        cpu = {k: v - cpu_before[k] for k, v in brain.cpu().items()}
        for task in tasks:
            task.cancel()
        ordered = sorted(latencies)
        p99 = ordered[int(0.99 * (len(ordered) - 1))] if ordered else float("nan")
        print(
            f"deltas e2e: {len(ordered):,}/{args.deltas:,} appends at {achieved:,.0f}/s over "
            f"{args.creators} creators: p50 {statistics.median(ordered) * 1000:.1f} ms, "
            f"p99 {p99 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms"
        )
        # Latency at a fixed rate depends on how busy the cores are; CPU per delta does not.
        per_delta = ", ".join(f"{k} {v / args.deltas * 1e6:.0f}" for k, v in cpu.items())
        share = busy / elapsed / (os.cpu_count() or 1)
        print(f"  CPU per delta (us): {per_delta}; cores {share:.0%} busy while sending")
    finally:
        await brain.nc.close()
        brain.stop()


if __name__ == "__main__":
    asyncio.run(main())
