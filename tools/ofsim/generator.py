"""Deterministic generator of OnlyFans-shaped inbox data (see /work/shared/of-traffic.md).

``generate_inbox`` builds one creator's inbox as the OnlyFans web app receives it: the
``/users/me`` object, fans' full user objects, the ``/chats`` list (``skip_users=all``)
and every chat's messages. Everything is plain JSON-ready dicts, and the same arguments
always give the same data (one ``random.Random(seed)``, never the global generator; no
wall clock: ``end`` defaults to ``DEFAULT_END``).

Conventions (OnlyFans does not document any of this; choices marked G in of-traffic.md):

* The data is the creator's view. Direction: ``fromUser.id == creator["id"]`` means the
  creator sent it. Stored messages carry stub users ``{"id", "_view": "m"}``.
* Ids: message id = ``createdAt`` epoch seconds * 1000 + a per-second counter, so ids are
  13 digits (< 2**53), unique in the inbox, and increase with time (within a chat,
  strictly). Live messages get ``max(newest id + 1, seconds * 1000)``. Fan ids are 6
  digits, media ids 10 digits, mass-message ``queueId`` 11 digits.
* A chat item's ``lastMessage`` is the same object as ``messages[fan_id][-1]``.
  ``Inbox.tiers`` gives each fan's spending tier (whale, regular, small) and
  ``texts.topic_of`` a message's topic: ground truth for analytics tests.
* Tip: a fan message with ``isTip: true``, ``isFree: true`` and the amount in dollars in
  ``price`` (an int: 5, 10, 20...). Its text may be empty.
* PPV: a creator message with ``price > 0``, ``isFree: false``, ``mediaCount > 0``.
  Purchase state uses the fan-side view, the way the page shows a bought message:

  - not bought: ``canPurchase: true``, ``canPurchaseReason: ""``, ``isOpened: false``,
    media ``canView: false`` / ``locked: true`` with no full URL (ids listed in
    ``previews`` stay viewable);
  - bought: ``canPurchase: false``, ``canPurchaseReason: "opened"``, ``isOpened: true``,
    media viewable, and ``changedAt`` is the purchase time (``createdAt`` is the send time).

  Every other message has ``canPurchase: false`` and ``canPurchaseReason: "free"``.
* Read state: ``lastReadMessageId`` is the newest message the creator has seen;
  fan messages after it have ``isNew: true`` / ``isOpened: false`` and are counted in
  ``unreadMessagesCount`` (``hasUnreadTips`` if one is a tip). A creator's non-PPV
  message has ``isOpened: true`` when the fan has seen it.
* Mass messages: ``isFromQueue: true``, a shared ``queueId``, ``canUnsendQueue: true``
  and ``unsendSecondsQueue: 1000000`` (values from one captured frame).
  ``cancelSeconds`` counts down the 24 h after a creator's send, else 0.
* A fan who unsubscribed: ``subscribedOn: false``, chat ``canSendMessage: false`` and
  ``canNotSendReason: "subscription_expired"`` (otherwise ``false``).
* ``fan_message``, ``creator_message`` and ``mark_purchased`` update the inbox in place
  (append to ``messages``, refresh the chat item and move it to the front of ``chats``),
  so the inbox stays a consistent server state for the simulator.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator
from datetime import datetime

from tools.ofsim import texts
from tools.ofsim.conversation import Context, Conversation, Event, MassMessage, Tier, pick_tier
from tools.ofsim.conversation import compose as compose_html
from tools.ofsim.live import (
    creator_message,
    fan_message,
    iter_messages,
    mark_purchased,
    ws_frame_chat_message,
    ws_frame_counters,
)
from tools.ofsim.media import CloudFront, Signer, VaultItem, make_vault_item, media_item
from tools.ofsim.model import (
    DAY,
    DEFAULT_END,
    UNSUBSCRIBED,
    Inbox,
    JsonObj,
    State,
    iso,
    message,
    to_ts,
)
from tools.ofsim.users import creator_me, make_fan, stub

__all__ = [
    "DEFAULT_END",
    "CloudFront",
    "Inbox",
    "JsonObj",
    "creator_message",
    "fan_message",
    "generate_inbox",
    "iter_messages",
    "mark_purchased",
    "ws_frame_chat_message",
    "ws_frame_counters",
]

_KINDS = ("photo", "video", "gif", "audio")
_KIND_CUM = (70, 94, 97, 100)


def generate_inbox(
    creator_id: int = 300000,
    n_chats: int = 50,
    messages_per_chat: tuple[int, int] = (5, 40),
    *,
    seed: int = 1,
    end: datetime | None = None,
    days: int = 30,
    total_messages: int | None = None,
    cloudfront: CloudFront | None = None,
) -> Inbox:
    """A creator's inbox of ``n_chats`` chats whose messages span the ``days`` before ``end``.

    Each chat gets ``messages_per_chat[0]..[1]`` messages (uniform; big spenders lean
    long), or, with ``total_messages``, exactly that many in all, shared out at random
    (0.5x to 1.5x an even share, twice that for big spenders; ``messages_per_chat`` is
    then ignored). ``cloudfront`` puts those fixed values in every signed media URL instead
    of per-folder ones. The cyclic garbage collector is paused meanwhile: the output is
    millions of acyclic dicts, and collection passes over them would double the run time.
    """
    lo, hi = messages_per_chat
    if not 0 <= lo <= hi or not 0 <= n_chats <= 890_000 or days < 1:
        raise ValueError("need 0 <= lo <= hi, 0 <= n_chats <= 890000 and days >= 1")
    if total_messages is not None and (total_messages < 0 or (total_messages and not n_chats)):
        raise ValueError("total_messages needs to be >= 0, and chats to put them in")
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        end_ts = to_ts(end or DEFAULT_END)
        builder = _Builder(seed, creator_id, n_chats, end_ts, days, cloudfront=cloudfront)
        return builder.run(lo, hi, total_messages)
    finally:
        if gc_was_enabled:
            gc.enable()


class _Builder:
    """One generation run: per-inbox constants plus the id allocator."""

    def __init__(
        self,
        seed: int,
        creator_id: int,
        n_chats: int,
        end_ts: int,
        days: int,
        *,
        cloudfront: CloudFront | None = None,
    ) -> None:
        rng = self.rng = random.Random(seed)
        self.seed, self.creator_id, self.n_chats = seed, creator_id, n_chats
        self.end_ts, self.days = end_ts, days
        self.start_ts = end_ts - days * DAY
        self.slots: dict[int, int] = {}  # epoch second -> ids handed out in it
        kp = "APKA" + "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", k=16))
        secret = rng.randbytes(32)  # drawn either way, so the rest of the inbox is the same
        if cloudfront is not None:
            kp = cloudfront.key_pair_id
        self.signer = Signer(secret, kp, end_ts + DAY, creator_id, cloudfront)
        self.vault = self._vault()
        self.ctx = self._context()

    def _vault(self) -> dict[int, VaultItem]:
        rng, start = self.rng, self.start_ts
        base = 3_000_000_000 + rng.randrange(5_000_000_000)
        vault: dict[int, VaultItem] = {}
        for i in range(min(3000, 40 + self.n_chats // 8)):
            kind = rng.choices(_KINDS, cum_weights=_KIND_CUM)[0]
            mid = base + i * 7 + 1
            uploaded = iso(start - rng.randrange(180 * DAY))
            vault[mid] = make_vault_item(self.signer, mid, kind, i, uploaded)
        return vault

    def _context(self) -> Context:
        """Escaped banks, vault ids and the mass messages (one every two days)."""
        rng = self.rng
        ids = list(self.vault)
        photos = [m for m, v in self.vault.items() if v.type == "photo"] or ids
        banks = texts.esc_bank(texts.CREATOR_BANKS)
        mass: list[MassMessage] = []
        qid = 26_000_000_000 + rng.randrange(1_000_000_000)
        for _ in range(max(3, self.days // 2)):
            qid += rng.randint(1000, 90000)
            if rng.random() < 0.6:
                media = tuple(dict.fromkeys(rng.choice(ids) for _ in range(rng.randint(1, 4))))
                html = compose_html(rng, banks["ppv_offer"], texts.CREATOR_EMOJI)
                mass.append(MassMessage(qid, html, rng.choice(texts.PPV_PRICES), media, ()))
            else:
                html = compose_html(rng, banks["teaser"], texts.CREATOR_EMOJI)
                mass.append(MassMessage(qid, html, 0, (rng.choice(photos),), ()))
        return Context(ids, photos, mass, creator_banks=banks)

    def run(self, lo: int, hi: int, total: int | None) -> Inbox:
        rng, end_ts = self.rng, self.end_ts
        creator = creator_me(rng, self.creator_id, self.seed, end_ts, iso(end_ts - 300))
        sample = rng.sample(range(100_000, 1_000_000), self.n_chats + 1)
        fan_ids = [f for f in sample if f != self.creator_id][: self.n_chats]
        taken: set[str] = set()
        fans: dict[int, JsonObj] = {}
        tiers: dict[int, str] = {}
        messages: dict[int, list[JsonObj]] = {}
        chats: list[JsonObj] = []
        lengths = self._lengths(lo, hi) if total is None else self._shares(total)
        for fid, (tier, n) in zip(fan_ids, lengths, strict=False):
            conv = Conversation(self.ctx, rng, tier)
            events = conv.run(n)
            fan = make_fan(rng, fid, taken)
            msgs, chat = self._chat(events, fid)
            chat["hasPurchasedFeed"] = rng.random() < tier.feed_prob
            if conv.left:
                fan["subscribedOn"] = False
                chat["canSendMessage"], chat["canNotSendReason"] = False, UNSUBSCRIBED
            fan_times = [m["createdAt"] for m in msgs if m["fromUser"]["id"] == fid]
            if rng.random() < 0.85:
                seen = max(fan_times) if fan_times else iso(rng.randint(self.start_ts, end_ts))
                fan["lastSeen"] = seen
            fans[fid], tiers[fid], messages[fid] = fan, tier.name, msgs
            chats.append(chat)
        chats.sort(key=_recency, reverse=True)
        last_id = max((m[-1]["id"] for m in messages.values() if m), default=0)
        clock = max(end_ts, last_id // 1000)
        chat_of = {c["withUser"]["id"]: c for c in chats}
        live_rng = random.Random(f"{self.seed}:live")
        state = State(self.seed, live_rng, last_id, clock, self.signer, self.vault, chat_of)
        return Inbox(creator, fans, chats, messages, tiers, state)

    def _lengths(self, lo: int, hi: int) -> Iterator[tuple[Tier, int]]:
        """Each chat's tier and length, drawn lazily (in the order the inbox always drew them)."""
        rng = self.rng
        while True:
            tier = pick_tier(rng)
            n = rng.randint(lo, hi)
            if tier.name == "whale":
                n = max(n, rng.randint(lo, hi))
            yield tier, n

    def _shares(self, total: int) -> Iterator[tuple[Tier, int]]:
        """Tiers and lengths summing to exactly ``total`` (largest-remainder rounding)."""
        rng = self.rng
        tiers = [pick_tier(rng) for _ in range(self.n_chats)]
        weights = [rng.uniform(0.5, 1.5) * (2 if t.name == "whale" else 1) for t in tiers]
        scale = total / (sum(weights) or 1.0)
        raw = [w * scale for w in weights]
        counts = [int(r) for r in raw]
        by_remainder = sorted(range(len(raw)), key=lambda i: counts[i] - raw[i])
        for i in by_remainder[: total - sum(counts)]:
            counts[i] += 1
        yield from zip(tiers, counts, strict=True)

    def _place(self, events: list[Event]) -> tuple[list[int], list[int], int, float]:
        """Epoch seconds and ids of a chat's events, plus the (start, scale) mapping.

        The chat's last event lands at a recency-biased time; chats longer than the
        window are compressed into it. Ids are second * 1000 + a per-second counter.
        """
        n = len(events)
        span = events[-1].t if events else 0.0
        target = self.end_ts - int((self.days * DAY - n - 60) * self.rng.random() ** 2.5)
        start = max(self.start_ts, int(target - span))
        room = target - start - n
        scale = 1.0 if span <= room else max(room, 0) / span
        slots = self.slots
        secs: list[int] = []
        ids: list[int] = []
        prev = -1
        for ev in events:
            sec = max(start + int(ev.t * scale), prev + 1)
            k = slots.get(sec, 0)
            while k >= 1000:
                sec += 1
                k = slots.get(sec, 0)
            slots[sec] = k + 1
            secs.append(sec)
            ids.append(sec * 1000 + k)
            prev = sec
        return secs, ids, start, scale

    def _chat(self, events: list[Event], fid: int) -> tuple[list[JsonObj], JsonObj]:
        """Turn a chat's events into message objects (oldest first) and its chat item."""
        rng, end_ts, vault, creator_id = self.rng, self.end_ts, self.vault, self.creator_id
        secs, ids, start, scale = self._place(events)
        n = len(events)
        last_creator = max((i for i, ev in enumerate(events) if not ev.fan), default=-1)
        seen_all = not events or not events[-1].fan or rng.random() < 0.3
        last_read = n - 1 if seen_all else last_creator
        pinned = rng.randrange(n) if n and rng.random() < 0.03 else -1
        kp = self.signer.key_pair_id
        msgs: list[JsonObj] = [{}] * n
        fan_after = False
        unread = unread_tips = 0
        for i in range(n - 1, -1, -1):
            ev, sec = events[i], secs[i]
            created = iso(sec)
            if ev.fan:
                is_new = i > last_read
                unread += is_new
                unread_tips += is_new and ev.tip
                msgs[i] = message(
                    ids[i], ev.html, {"id": fid, "_view": "m"}, created, created,
                    price=ev.price, is_tip=ev.tip, giphy=ev.giphy, is_opened=not is_new,
                    is_new=is_new, is_liked=ev.liked, is_pinned=i == pinned,
                )  # fmt: skip
                fan_after = True
                continue
            ppv = ev.price > 0
            bought = ppv and ev.purchased is not None
            changed = created
            if bought:
                paid = start + int((ev.purchased or 0.0) * scale)
                changed = iso(min(max(paid, sec + 1), end_ts))
            see_all = not ppv or bought
            media = [media_item(vault[m], see_all or m in ev.previews, kp) for m in ev.media]
            opened = bought if ppv else (fan_after or rng.random() < 0.6)
            msgs[i] = message(
                ids[i], ev.html, {"id": creator_id, "_view": "m"}, created, changed,
                price=ev.price, media=media, previews=ev.previews, queue_id=ev.queue_id,
                locked_text=ev.locked_text, is_opened=opened,
                cancel_seconds=max(0, DAY - (end_ts - sec)), purchased=bought,
                can_report=False, is_pinned=i == pinned,
            )  # fmt: skip
        chat: JsonObj = {
            "withUser": stub(fid),
            "lastMessage": msgs[-1] if msgs else None,
            "unreadMessagesCount": unread,
            "lastReadMessageId": ids[last_read] if last_read >= 0 else 0,
            "hasPurchasedFeed": False,
            "countPinnedMessages": int(pinned >= 0),
            "canGoToProfile": True,
            "canSendMessage": True,
            "canNotSendReason": False,
            "hasUnreadTips": unread_tips > 0,
            "isMutedNotifications": rng.random() < 0.03,
        }
        return msgs, chat


def _recency(chat: JsonObj) -> tuple[int, int]:
    last = chat["lastMessage"]
    return (last["id"] if last else 0, chat["withUser"]["id"])
