"""History backfill of a whole account, end to end: the real extension in Debian's Chromium
walks the OnlyFans simulator's chat list and every chat's history into the real Brain.

Prints the wall time, the requests the site saw (and the largest number in any 1 s window,
against the configured rate), the bytes the Agent stored in the Brain, the size of a full
snapshot of the resulting database, and what a reconnect afterwards sends.

    python bench/capture/backfill.py --chats 2000 --messages 200000 --rate 50

The extension's default is 1 request/s; `--rate` raises it for the benchmark (the simulator
does not mind) and the time at the default is the request count in seconds.
"""

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from nats.errors import TimeoutError as NatsTimeoutError
from playwright.async_api import BrowserContext, async_playwright

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.e2e.stack import Brain, start_brain  # noqa: E402
from contracts import subjects  # noqa: E402
from contracts.streams import AGENT_IN  # noqa: E402
from tests.agent.browser import CHROMIUM, EXTENSION, Site, chromium_args  # noqa: E402

EXTENSION_ID = "ajigponlcdgmgdaljhhlillldadmmoik"
DB_BYTES = """async (user) => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open(`ofca-${user}`);
    r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error);
  });
  const encoder = new TextEncoder();
  let bytes = 0, records = 0;
  for (const store of ["chats", "messages"]) {
    const all = await new Promise((ok) => {
      const r = db.transaction(store).objectStore(store).getAll();
      r.onsuccess = () => ok(r.result);
    });
    for (const record of all) {
      bytes += encoder.encode(JSON.stringify(record)).length + 1;
      records++;
    }
  }
  db.close();
  return [bytes, records];
}"""


async def worker_eval(context: BrowserContext, script: str, arg: Any = None) -> Any:
    worker = context.service_workers[0] if context.service_workers else None
    if worker is None:
        worker = await context.wait_for_event("serviceworker", timeout=30_000)
    return await worker.evaluate(script, arg)


async def stored_bytes(brain: Brain, user: str, after_seq: int) -> tuple[int, dict[str, int]]:
    """Bytes (and frames by type) of the creator's frames stored after `after_seq`."""
    js = brain.nc.jetstream()
    pull = await js.pull_subscribe(subjects.agent_in_stored(user), stream=AGENT_IN.name)
    total, kinds = 0, {}
    try:
        while True:
            try:
                msgs = await pull.fetch(500, timeout=1)
            except (NatsTimeoutError, TimeoutError):
                break
            for msg in msgs:
                if msg.metadata.sequence.stream > after_seq:
                    total += len(msg.data)
                    kind = json.loads(msg.data)["type"]
                    kinds[kind] = kinds.get(kind, 0) + 1
                await msg.ack()
    finally:
        await pull.unsubscribe()
    return total, kinds


async def coverage(brain: Brain, user: str) -> dict[str, Any]:
    token = brain.gateway.token("analyst", user)
    async with httpx.AsyncClient(base_url=brain.gateway.http, timeout=60) as http:
        reply = await http.get(f"/api/v1/users/{user}/coverage", params={"token": token})
    reply.raise_for_status()
    return dict(reply.json())


async def run(chats: int, messages: int, rate: float) -> None:
    if not CHROMIUM.exists() or not (EXTENSION / "manifest.json").exists():
        raise SystemExit("needs /usr/bin/chromium and extension/dist (just ext)")
    user = "300077"
    tmp = Path(tempfile.mkdtemp(prefix="ofca-backfill-"))
    brain = await start_brain()
    generated = time.monotonic()
    site = await Site(int(user), chats, tmp / "certs", messages=messages).ready()
    ready_s = time.monotonic() - generated
    print(f"simulator ready in {ready_s:.1f} s: {chats} chats, {messages} messages")
    sim = httpx.AsyncClient(base_url=site.base, verify=False, timeout=60)
    try:
        async with async_playwright() as playwright:
            context = await playwright.chromium.launch_persistent_context(
                str(tmp / "profile"), executable_path=str(CHROMIUM), headless=True,
                args=chromium_args(site.port), ignore_https_errors=True,
            )  # fmt: skip
            page = context.pages[0] if context.pages else await context.new_page()
            await page.goto("https://onlyfans.com/my/chats/")
            await page.wait_for_selector("a.b-chats__item__link", timeout=60_000)
            await worker_eval(
                context,
                "([url, token, rate]) => chrome.storage.local.set("
                "{brainUrl: url, agentToken: token, backfillRatePerSecond: rate})",
                [brain.gateway.ws, brain.gateway.token("agent", user), rate],
            )
            await asyncio.sleep(3)  # the first sync of what the tab loaded
            before = (await brain.nc.jetstream().stream_info(AGENT_IN.name)).state.last_seq
            popup = await context.new_page()
            await popup.goto(f"chrome-extension://{EXTENSION_ID}/popup.html")
            started = time.monotonic()
            await popup.click("#backfillStart")
            last_print = 0.0
            while True:
                cov = await coverage(brain, user)
                backfill = cov.get("backfill") or {}
                if cov["whole"] and backfill.get("state") == "done":
                    break
                if time.monotonic() - last_print > 30:
                    last_print = time.monotonic()
                    done, total = backfill.get("chatsDone"), backfill.get("chatsTotal")
                    print(
                        f"  {time.monotonic() - started:6.0f} s: {backfill.get('state')} "
                        f"{done}/{total} chats, {cov['messagesCaptured']} messages, "
                        f"{backfill.get('requests')} requests"
                    )
                await asyncio.sleep(1)
            elapsed = time.monotonic() - started
            stats = (await sim.get("/_sim/request_stats", params={"window": 1})).json()
            truth = (await sim.get("/_sim/truth")).json()
            sent, kinds = await stored_bytes(brain, user, before)
            full, records = await worker_eval(context, DB_BYTES, user)
            # A reconnect: the gateway restarts under the Agent, which comes back and resumes.
            mark = (await brain.nc.jetstream().stream_info(AGENT_IN.name)).state.last_seq
            brain.private.restart()
            await brain.private.ready()
            await asyncio.sleep(10)
            again, again_kinds = await stored_bytes(brain, user, mark)
            await context.close()
    finally:
        await sim.aclose()
        site.stop()
        brain.stop()
    held = cov["messagesCaptured"]
    hours = stats["total"] / 3600
    print(
        f"backfill: {elapsed:.0f} s at {rate:g} requests/s; {stats['total']} requests "
        f"({stats['byEndpoint']}); at the default 1/s: {hours:.1f} h"
    )
    print(f"  largest 1 s window: {stats['maxInWindow']} requests (rate {rate:g}): "
          f"{'ok' if stats['maxInWindow'] <= rate + 3 else 'EXCEEDED'}")  # fmt: skip
    print(f"  pages fetched twice: {len(stats['duplicatesServed'])}")
    print(f"  Brain holds {held} of {truth['totalMessages']} messages, "
          f"{cov['chatsComplete']} of {truth['totalChats']} chats complete")  # fmt: skip
    print(f"  stored in the Brain during the backfill: {sent / 1e6:.1f} MB ({kinds})")
    print(f"  a full snapshot of the Agent's database: {full / 1e6:.1f} MB ({records} records)")
    share = again / full if full else 0.0
    print(f"  a reconnect afterwards stored {again} bytes ({again_kinds}): {share:.4%} of a "
          f"full snapshot: {'ok' if share <= 0.01 else 'OVER 1%'}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=50)
    args = parser.parse_args()
    asyncio.run(run(args.chats, args.messages, args.rate))


if __name__ == "__main__":
    main()
