"""Benchmark (c): many concurrent Agent sockets on one gateway process, with keepalives.

    python bench/e2e/sockets.py --sockets 5000 --hold 60

Opens `--sockets` Agent sockets (one creator each) to a single gateway, each sending a
`keepalive` every 20 s (staggered), and holds them for `--hold` seconds. Reported: the
gateway's RSS and CPU (as a share of one core) while holding, and the time to open them all.
Only NATS and the gateway run: keepalives touch KV presence and nothing else.
"""

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.e2e.stack import cpu_seconds, rss_mib, start_brain
from ofca.agent_protocol import KEEPALIVE, AgentClient

KEEPALIVE_S = 20.0


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--hold", type=float, default=40)
    args = parser.parse_args()
    brain = await start_brain(graph=False)
    pid = brain.gateway.process.pid
    clients: list[AgentClient] = []
    try:
        idle_rss = rss_mib(pid)[0]
        start = time.perf_counter()
        sem = asyncio.Semaphore(100)

        async def open_one(i: int) -> None:
            async with sem:
                token = brain.gateway.token("agent", str(400000 + i))
                clients.append(await AgentClient.connect(brain.gateway.ws, token))

        await asyncio.gather(*(open_one(i) for i in range(args.sockets)))
        opened = time.perf_counter() - start

        async def keepalive(client: AgentClient, stop: float) -> None:
            await asyncio.sleep(random.uniform(0, KEEPALIVE_S))
            while time.perf_counter() < stop:
                await client.ws.send(KEEPALIVE.decode())
                await asyncio.sleep(KEEPALIVE_S)

        cpu0, t0 = cpu_seconds(pid), time.perf_counter()
        stop = t0 + args.hold
        await asyncio.gather(*(keepalive(c, stop) for c in clients))
        cpu = (cpu_seconds(pid) - cpu0) / (time.perf_counter() - t0)
        rss, peak = rss_mib(pid)
        alive = sum(1 for c in clients if c.ws.close_code is None)
        print(
            f"sockets: {alive:,}/{args.sockets:,} Agent sockets open on one gateway (opened in "
            f"{opened:.1f} s), keepalive every 20 s, held {args.hold:.0f} s: gateway RSS "
            f"{rss:.0f} MiB (idle {idle_rss:.0f}, peak {peak:.0f}; "
            f"{(rss - idle_rss) * 1024 / max(alive, 1):.0f} KiB per socket), "
            f"CPU {cpu * 100:.1f}% of one core"
        )
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
        await brain.nc.close()
        brain.stop()


if __name__ == "__main__":
    asyncio.run(main())
