"""Benchmark: `cache_update` bytes → domain events, against plain `msgspec.json.decode`.

    python bench/ingest/normalize.py --messages 100000 [--chats 2000] [--gc on|off|freeze]

(a) plain `msgspec.json.decode` of the payload bytes (dicts, no mapping) — the yardstick;
(b) `decode_cache_update` + `normalize_snapshot` (typed decode, mapping, event ids, ordering).
Reports messages/s for each and (b)/(a). `--gc` sets the collector around both timed runs
(`normalize_snapshot` pauses the GC itself, so `on` measures the shipped behaviour).
"""

import argparse
import gc
import random
import time
from collections.abc import Callable
from typing import Any

import msgspec

from services.ingest.normalize import SnapshotResult, decode_cache_update, normalize_snapshot

CREATOR_ID = 300_000
_WORDS = ["hey", "babe", "new", "set", "just", "for", "you", "tonight?", "🙂", "&amp;", "xx"]


def make_payload(messages: int, chats: int, seed: int = 7) -> bytes:
    """A `cache_update` payload shaped like OnlyFans chats and messages (values invented)."""
    rng = random.Random(seed)
    fans = [400_000 + i for i in range(chats)]
    chat_list: list[dict[str, Any]] = [
        {"withUser": {"id": fan, "_view": "m"}, "unreadMessagesCount": rng.randint(0, 3),
         "lastReadMessageId": 0, "hasPurchasedFeed": False, "isMutedNotifications": False}
        for fan in fans
    ]  # fmt: skip
    msgs: list[dict[str, Any]] = []
    for i in range(messages):
        fan = fans[i % chats]
        out = rng.random() < 0.5
        price = rng.choice([0, 0, 0, 4.99, 9.99]) if out else 0
        tip = not out and rng.random() < 0.05
        msgs.append({
            "responseType": "message", "id": 5_100_000_000_000 + i, "chatId": fan,
            "text": "<p>" + " ".join(rng.choices(_WORDS, k=rng.randint(2, 12))) + "</p>",
            "giphyId": None, "lockedText": False, "isFree": price == 0,
            "price": 5 if tip else price, "isMediaReady": True, "mediaCount": 1 if price else 0,
            "media": [{"id": 7_700_000 + i, "type": "photo", "canView": False, "locked": True,
                       "source": {"source": None, "width": 0, "height": 0}}] if price else [],
            "previews": [], "isTip": tip, "isFromQueue": False, "queueId": 0,
            "fromUser": {"id": CREATOR_ID if out else fan, "_view": "m"},
            "isOpened": rng.random() < 0.3, "isNew": False, "isLiked": False, "canPurchase": False,
            "createdAt": f"2024-05-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:10+00:00",
            "changedAt": f"2024-05-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:10+00:00",
        })  # fmt: skip
    last_by_fan = {msg["chatId"]: msg for msg in msgs}  # a chat-list item has its newest message
    for item in chat_list:
        last = last_by_fan.get(item["withUser"]["id"], {})
        item["lastMessage"] = {k: v for k, v in last.items() if k != "chatId"} or None
    snapshot = {"snapshot_id": "bench", "part": 0, "parts": 1, "chats": chat_list, "messages": msgs}
    return msgspec.json.encode(snapshot)


def best_of(runs: int, fn: Callable[[], object], gc_mode: str) -> float:
    """Fastest wall time of `runs` calls, with the collector set as `gc_mode` says."""
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        if gc_mode == "off":
            gc.disable()
        elif gc_mode == "freeze":
            gc.freeze()
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        gc.enable()
        gc.unfreeze()
        del result
        best = min(best, elapsed)
    return best


def normalize(payload: bytes) -> SnapshotResult:
    """Returns the result so that, as for (a), freeing it is not timed."""
    frame = decode_cache_update(payload)
    return normalize_snapshot(CREATOR_ID, frame.snapshot_id, frame.chats, frame.messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--chats", type=int, default=0, help="default: messages // 50")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--gc", choices=["on", "off", "freeze"], default="on")
    args = parser.parse_args()
    chats = args.chats or max(1, args.messages // 50)

    payload = make_payload(args.messages, chats)
    print(
        f"{args.messages:,} messages in {chats:,} chats, {len(payload) / 1e6:.1f} MB, gc={args.gc}"
    )
    plain = best_of(args.runs, lambda: msgspec.json.decode(payload), args.gc)
    typed = best_of(args.runs, lambda: normalize(payload), args.gc)
    events = len(normalize(payload).events)
    print(f"(a) msgspec.json.decode              {args.messages / plain:>12,.0f} messages/s")
    print(f"(b) decode_cache_update + normalize  {args.messages / typed:>12,.0f} messages/s")
    print(f"    ratio (b)/(a) {plain / typed:.2f}; {events:,} events")


if __name__ == "__main__":
    main()
