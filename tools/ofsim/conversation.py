"""Turn-taking model of one fan/creator chat, as a list of events with relative times.

The model: the fan writes a burst of 1-3 lines on one topic; the creator answers after
minutes to hours with 1-2 lines chosen by that topic (a content request gets a teaser
and a PPV offer, a custom request a quote, a tip a thank-you...). The fan comes back
after minutes, hours or days; after long gaps the creator sometimes sends a mass
message (``queueId``). A PPV offer is bought or not before the fan's next turn, with
a probability set by the fan's spending tier. About a fifth of the chats end with fan
lines the creator never answered; a few fans never write at all.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from tools.ofsim import texts

HOUR = 3600.0
DAY = 86400.0


@dataclass(slots=True)
class Event:
    t: float  # seconds since the chat's first event
    fan: bool
    html: str
    topic: str
    price: float = 0
    tip: bool = False
    media: tuple[int, ...] = ()
    previews: tuple[int, ...] = ()
    purchased: float | None = None  # relative time the fan bought this PPV
    queue_id: int = 0
    giphy: str | None = None
    locked_text: bool = False
    liked: bool = False


@dataclass(frozen=True, slots=True)
class Tier:
    name: str
    share: float  # fraction of fans
    tip_weight: float
    buy_prob: float
    feed_prob: float


TIERS: tuple[Tier, ...] = (
    Tier("whale", 0.06, 16.0, 0.75, 0.8),
    Tier("regular", 0.30, 5.0, 0.35, 0.3),
    Tier("small", 0.64, 1.2, 0.10, 0.05),
)
_TIER_CUM = list(accumulate(t.share for t in TIERS))

# Topic weights of a fan's burst when nothing in the chat calls for a particular one.
GENERAL_TOPICS: tuple[tuple[str, float], ...] = (
    ("compliment", 20.0),
    ("small_talk", 18.0),
    ("content_request", 12.0),
    ("custom_request", 5.0),
    ("pricing", 4.0),
    ("purchase_intent", 6.0),
    ("complaint", 3.0),
    ("scheduling", 6.0),
)


# Topics a fan's burst may stay on for a second line (else the follow-up is small talk).
_REPEATABLE = frozenset({"compliment", "content_request", "complaint", "pricing", "custom_request"})


def pick_tier(rng: random.Random) -> Tier:
    return rng.choices(TIERS, cum_weights=_TIER_CUM)[0]


@dataclass(frozen=True, slots=True)
class MassMessage:
    queue_id: int
    html: str
    price: float
    media: tuple[int, ...]
    previews: tuple[int, ...]


@dataclass(slots=True)
class Context:
    """Per-inbox material shared by all chats (escaped banks, vault ids, mass messages)."""

    vault_ids: Sequence[int]
    photo_ids: Sequence[int]
    mass: Sequence[MassMessage]
    fan_banks: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: texts.esc_bank(texts.FAN_BANKS)
    )
    creator_banks: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: texts.esc_bank(texts.CREATOR_BANKS)
    )
    general: dict[str, tuple[list[str], list[float]]] = field(default_factory=dict)

    def general_topics(self, tier: Tier) -> tuple[list[str], list[float]]:
        cached = self.general.get(tier.name)
        if cached is None:
            pairs = [*GENERAL_TOPICS, ("tip", tier.tip_weight)]
            cached = ([p[0] for p in pairs], list(accumulate(p[1] for p in pairs)))
            self.general[tier.name] = cached
        return cached


def compose(
    rng: random.Random, bank: tuple[str, ...], emoji: tuple[str, ...], core: str | None = None
) -> str:
    """``<p>phrase</p>``, sometimes with an emoji or a second line after ``<br>``."""
    core = rng.choice(bank) if core is None else core
    r = rng.random()
    if r < 0.28:
        core = core + " " + rng.choice(emoji)
    elif r < 0.36:
        second = rng.choice(bank)
        if second != core:
            core = core + "<br>" + second
    return "<p>" + core + "</p>"


class Conversation:
    """Generates one chat's events; call ``run`` once."""

    def __init__(self, ctx: Context, rng: random.Random, tier: Tier) -> None:
        self.ctx = ctx
        self.rng = rng
        self.tier = tier
        self.events: list[Event] = []
        self.t = 0.0
        self.pending: Event | None = None  # last PPV offer, unresolved
        self.quote = 0.0  # open custom-content quote
        self.last_price = 0.0  # last price the creator named
        self.fan_wrote = False
        self.long_gap = False  # the fan is back after hours or days
        self.left = False  # the fan said goodbye and unsubscribed
        self.last_core: dict[str, str] = {}  # side+bank -> last phrase, to avoid repeats

    # -- emitting ----------------------------------------------------------------
    def text(self, side: str, bank_key: str, emoji: tuple[str, ...]) -> str:
        """Compose a line from a bank, not repeating this side's previous phrase of it."""
        rng = self.rng
        bank = (self.ctx.fan_banks if side == "f" else self.ctx.creator_banks)[bank_key]
        key = side + bank_key
        core = rng.choice(bank)
        if core == self.last_core.get(key):
            core = bank[(bank.index(core) + rng.randrange(1, len(bank))) % len(bank)]
        self.last_core[key] = core
        return compose(rng, bank, emoji, core)

    def fan_line(self, topic: str) -> Event:
        rng = self.rng
        emoji = texts.NEG_EMOJI if topic in texts.NEGATIVE_TOPICS else texts.FAN_EMOJI
        html = self.text("f", topic, emoji)
        if "{amount}" in html:
            offer = self.last_price * rng.choice((0.5, 0.6, 0.7))
            amount = max(3, round(offer)) if offer else rng.choice((5, 10, 15, 20))
            html = html.replace("{amount}", texts.fmt_amount(amount))
        liked = rng.random() < (0.35 if topic == "compliment" else 0.04)
        ev = Event(self.t, True, html, topic, liked=liked)
        if topic == "small_talk" and rng.random() < 0.02:
            ev.html, ev.giphy = "", rng.choice(texts.GIPHY_IDS)
        self.events.append(ev)
        self.fan_wrote = True
        return ev

    def tip(self) -> None:
        rng = self.rng
        html = self.text("f", "tip", texts.FAN_EMOJI) if rng.random() < 0.7 else ""
        ev = Event(self.t, True, html, "tip", tip=True, liked=rng.random() < 0.5)
        ev.price = rng.choice(texts.TIP_AMOUNTS[self.tier.name])
        self.events.append(ev)
        self.fan_wrote = True

    def creator_line(self, topic: str, amount: float = 0) -> None:
        html = self.text("c", topic, texts.CREATOR_EMOJI)
        if amount:
            self.last_price = amount
            html = html.replace("{amount}", texts.fmt_amount(amount))
        ev = Event(self.t, False, html, topic)
        if topic == "teaser" and self.rng.random() < 0.25:
            ev.media = (self.rng.choice(self.ctx.photo_ids),)
        self.events.append(ev)

    def ppv(self, price: float | None = None) -> None:
        rng = self.rng
        r = rng.random()
        k = 1 if r < 0.55 else (2 if r < 0.8 else rng.randint(3, 5))
        media = tuple(dict.fromkeys(rng.choice(self.ctx.vault_ids) for _ in range(k)))
        html = self.text("c", "ppv_offer", texts.CREATOR_EMOJI)
        ev = Event(self.t, False, html, "ppv_offer", media=media)
        ev.price = price if price else rng.choice(texts.PPV_PRICES)
        ev.previews = media[:1] if len(media) > 1 and rng.random() < 0.3 else ()
        ev.locked_text = rng.random() < 0.1
        self.events.append(ev)
        self.pending, self.last_price = ev, ev.price

    def mass(self) -> None:
        m = self.rng.choice(self.ctx.mass)
        ev = Event(self.t, False, m.html, "ppv_offer" if m.price else "teaser")
        ev.price, ev.media, ev.previews, ev.queue_id = m.price, m.media, m.previews, m.queue_id
        self.events.append(ev)
        if m.price:
            self.pending, self.last_price = ev, m.price

    # -- timing ------------------------------------------------------------------
    def wait(self, lo: float, hi: float) -> None:
        self.t += self.rng.uniform(lo, hi)

    def wait_lognormal(self, median: float, sigma: float, lo: float, hi: float) -> None:
        self.t += min(hi, max(lo, math.exp(self.rng.gauss(math.log(median), sigma))))

    def fan_returns(self, remaining: int) -> None:
        """Advance to the fan's next turn: minutes (55%), hours (35%) or days (10%)."""
        rng = self.rng
        r = rng.random()
        self.long_gap = r >= 0.55
        if r < 0.55:
            self.wait_lognormal(300, 0.9, 15, HOUR)
            return
        gap = rng.uniform(HOUR, 12 * HOUR) if r < 0.9 else rng.uniform(DAY, 4 * DAY)
        if gap > 6 * HOUR and remaining >= 4 and self.ctx.mass and rng.random() < 0.3:
            self.t += gap * rng.uniform(0.2, 0.8)
            self.mass()
            gap *= 0.25
        self.t += gap

    # -- topics ------------------------------------------------------------------
    def fan_topic(self, remaining: int, leave_at: int) -> str:
        """Bank key of the fan's next burst; ``leave_at``: remaining count where leaving fits."""
        rng = self.rng
        r = rng.random()
        if not self.fan_wrote:
            return "greeting" if r < 0.7 else ("compliment" if r < 0.85 else "content_request")
        if remaining == leave_at and rng.random() < (0.2 if self.tier.name == "small" else 0.08):
            return "leaving"
        offer, self.pending = self.pending, None
        if offer is not None:
            if rng.random() < self.tier.buy_prob:
                offer.purchased = offer.t + (self.t - offer.t) * rng.uniform(0.1, 0.9)
                if r < 0.6:
                    return "compliment"
                return "purchase_intent" if r < 0.75 else ("tip" if r < 0.85 else "content_request")
            if r < 0.3:
                return "pricing"
            if r < 0.38:
                return "complaint"
        elif self.quote:
            if r < 0.5:
                return "purchase_intent"
            if r < 0.8:
                return "pricing"
            self.quote = 0.0
        if self.long_gap and rng.random() < 0.3:
            return "greeting_back"
        names, cum = self.ctx.general_topics(self.tier)
        return rng.choices(names, cum_weights=cum)[0]

    def creator_reply(self, topic: str) -> None:
        rng = self.rng
        r = rng.random()
        gap = (5.0, 90.0)
        if topic in ("greeting", "greeting_back"):
            welcomed = any(not ev.fan for ev in self.events)
            self.creator_line("greeting" if welcomed else "welcome")
            if r < 0.3:
                self.wait(*gap)
                self.creator_line("small_talk")
        elif topic in ("compliment", "tip"):
            self.creator_line("thanks")
            if r < 0.25:
                self.wait(*gap)
                self.creator_line("teaser")
            elif r < 0.35:
                self.wait(*gap)
                self.ppv()
        elif topic == "content_request":
            if r < 0.4:
                self.creator_line("teaser")
                self.wait(*gap)
            if r < 0.75:
                self.ppv()
        elif topic == "custom_request":
            self.quote = rng.choice(texts.CUSTOM_PRICES)
            self.creator_line("custom_quote", self.quote)
        elif topic == "pricing":
            if self.quote:
                self.quote = max(15.0, round(self.quote * 0.8))
                self.creator_line("custom_quote", self.quote)
            elif self.last_price:
                cut = int(self.last_price * 0.7)  # a discount, priced like $5.99
                self.ppv(round(cut - 0.01, 2) if cut > 3 else 3)
            else:
                self.ppv(rng.choice(texts.PPV_PRICES[:5]))
        elif topic == "purchase_intent":
            self.ppv(self.quote or None)
            self.quote = 0.0
        elif topic == "complaint":
            self.creator_line("apology")
        elif topic == "leaving":
            self.creator_line("goodbye")
        else:  # scheduling, small_talk
            self.creator_line(topic)
            if r < 0.12:
                self.wait(*gap)
                self.creator_line("teaser")

    # -- driver ------------------------------------------------------------------
    def fan_burst(self, remaining: int, unanswered: bool) -> str:
        """1-3 fan lines on one topic (fewer than ``remaining`` if the creator must answer)."""
        rng = self.rng
        topic = self.fan_topic(remaining, 1 if unanswered else 2)
        burst = 1 if topic == "leaving" else 1 + (rng.random() < 0.35) + (rng.random() < 0.12)
        for k in range(min(burst, remaining if unanswered else remaining - 1)):
            if k:
                self.wait(4, 150)
            if k == 0 and topic == "tip":
                self.tip()
            elif k == 0 or (topic in _REPEATABLE and rng.random() < 0.6):
                self.fan_line(topic)
            else:
                self.fan_line("small_talk")
        self.left = topic == "leaving" and rng.random() < 0.6
        return topic

    def run(self, n: int) -> list[Event]:
        """Exactly ``n`` events, oldest first; ``self.left`` tells if the fan unsubscribed."""
        rng = self.rng
        events = self.events
        silent = rng.random() < 0.07
        unanswered = not silent and rng.random() < 0.22
        fan_turn = not silent and rng.random() < 0.55
        if not fan_turn and n:
            self.creator_line("welcome")
            self.wait_lognormal(HOUR, 1.2, 60, 2 * DAY)
            fan_turn = not silent
        topic = "greeting"
        while len(events) < n:
            remaining = n - len(events)
            if silent:
                self.wait(6 * HOUR, 3 * DAY)
                if rng.random() < 0.7:
                    self.mass()
                else:
                    self.creator_line("teaser")
            elif fan_turn and not unanswered and remaining == 1:
                self.wait(HOUR, DAY)  # the creator closes with a follow-up
                if rng.random() < 0.5:
                    self.ppv()
                else:
                    self.creator_line("teaser")
            elif fan_turn:
                topic = self.fan_burst(remaining, unanswered)
                fan_turn = False
            elif unanswered and remaining <= 3 and events and events[-1].fan:
                # The creator never answers; the fan nudges hours later.
                self.wait(2 * HOUR, DAY)
                self.fan_line("nudge")
            else:
                self.wait_lognormal(25 * 60, 1.3, 20, 16 * HOUR)
                self.creator_reply(topic)
                fan_turn = True
                self.fan_returns(n - len(events))
        del events[n:]
        offer = self.pending
        if offer is not None and rng.random() < self.tier.buy_prob / 2:
            offer.purchased = offer.t + rng.uniform(600, 6 * HOUR)
        return events
