"""Phrase banks for OnlyFans-shaped chat text (PG-13: flirty, never explicit).

Every phrase is plain text; ``esc_bank`` turns a bank into HTML-escaped phrases once,
at import time, so the generator only concatenates strings at run time. ``{amount}``
in a phrase is replaced by a dollar amount (digits only, so it needs no escaping).

``topic_of`` maps a generated message back to the topic of the bank its text came
from (ground truth for the analytics' topic detection tests). Topic labels:

* fan: greeting, compliment, content_request, custom_request, pricing, purchase_intent,
  tip, complaint, scheduling, small_talk, leaving
* creator: welcome (first, automatic-style message), greeting, thanks, teaser, ppv_offer,
  custom_quote, apology, scheduling, small_talk, goodbye
"""

from __future__ import annotations

import html
import re
from typing import Any

# Follow-ups a fan sends when the creator does not answer (bank "nudge", topic small_talk).
FAN_NUDGES: tuple[str, ...] = ("hey? you there?", "hello??", "did you see my message?", "helloooo")

FAN_BANKS: dict[str, tuple[str, ...]] = {
    "greeting": (
        "hey there",
        "hi gorgeous",
        "hello beautiful, how's your day going?",
        "hey, just subscribed!",
        "hiii",
        "hey cutie, finally got around to messaging you",
        "hi, I'm new here",
        "hey! been following you on insta for ages",
    ),
    "greeting_back": (  # a fan back after a break; topic "greeting"
        "hey you, long time no talk",
        "hey sunshine",
        "hey, what are you up to?",
        "yo, how's it going?",
        "hey again",
        "missed chatting with you",
    ),
    "compliment": (
        "you look amazing in your latest post",
        "that smile of yours is unreal",
        "honestly you're the prettiest girl on here",
        "wow, that red dress is stunning",
        "you're so cute it should be illegal",
        "your pics always make my day",
        "just unlocked it, totally worth it",
        "loved the set, you never disappoint",
        "you & me would make a great team <3",
        "you're funny and gorgeous, dangerous combo",
        "best sub I've ever bought",
        "your eyes though...",
        "can't stop thinking about your last video",
    ),
    "content_request": (
        "do you have any new pics?",
        "when's the next set dropping?",
        "can you post more beach content?",
        "got anything new in the vault?",
        "would love to see more of the cosplay stuff",
        "any videos from the photoshoot?",
        "do you do lingerie sets?",
        "send me something cute?",
        "what have you got for me today?",
        "more gym pics please",
        "is there a behind the scenes video?",
    ),
    "custom_request": (
        "do you do customs?",
        "could you make a custom video saying my name?",
        "can I request a custom set in a blue dress?",
        "how much for a personalized video?",
        "would you do a custom photo in a cowboy hat?",
        "can you record a short good morning video for me?",
        "I'd love a custom set, what are your rates?",
        "could you do a voice note just for me?",
    ),
    "pricing": (
        "that's a bit pricey, can you do {amount}?",
        "any discount for a loyal fan?",
        "would you take {amount} for it?",
        "why is it so expensive?",
        "can you bundle the last two sets for a deal?",
        "is there a cheaper option?",
        "I can only do {amount} right now",
        "what's your best price?",
        "do you have any sales this week?",
    ),
    "purchase_intent": (
        "ok I'm in, send it",
        "deal, how do I pay?",
        "I'll take it",
        "send me the link & I'll unlock it",
        "I want the full set",
        "yes please, I'll buy it",
        "just tell me the price and it's mine",
        "ok you convinced me",
        "add me to the list for the next drop",
    ),
    "tip": (
        "a little something for you",
        "treat yourself",
        "for the coffee fund",
        "because you deserve it",
        "for being so sweet",
        "tip for the amazing set",
        "happy birthday!!",
        "keep doing what you do",
    ),
    "complaint": (
        "I paid but the video won't load",
        "that wasn't what I asked for",
        "kind of disappointed with the last set tbh",
        "I want a refund, this was way too short",
        "you never answer my messages",
        "it's been days and still no custom",
        "too many PPV messages lately",
        "the pic is blurry > not cool",
        "charged twice for the same thing?",
        "not worth the price honestly",
    ),
    "scheduling": (
        "when are you usually online?",
        "will you be around tonight?",
        "what time works for a chat tomorrow?",
        "are you going live this weekend?",
        "when will my custom be ready?",
        "can we talk later? I'm at work",
        "what time zone are you in?",
        "next stream is when?",
    ),
    "small_talk": (
        "how was your weekend?",
        "what are you watching lately?",
        "just got back from the gym",
        "it's raining again here",
        "what's your favorite food?",
        "do you have any pets?",
        "long day at work, need a distraction",
        "what music are you into?",
        "planning any trips this summer?",
        "lol that's hilarious",
        "coffee or tea?",
    ),
    "nudge": FAN_NUDGES,  # topic "small_talk"
    "leaving": (
        "I think I'm going to unsubscribe",
        "not renewing this month, sorry",
        "this will be my last month",
        "gonna take a break from OF",
        "cancelling my sub, too expensive for me",
        "bye, it was fun while it lasted",
    ),
}

CREATOR_BANKS: dict[str, tuple[str, ...]] = {
    "welcome": (
        "hey babe, thanks for subscribing!",
        "hiii welcome to my page",
        "welcome! make yourself at home",
        "hey handsome, so happy you're here",
        "thanks for joining me babe, say hi anytime",
    ),
    "greeting": (
        "hey you! how are you today?",
        "well hello there",
        "hey babe, good to hear from you",
        "hey love, what's up?",
        "hiii, missed you",
        "heyyy, how's your day?",
    ),
    "thanks": (
        "aww thank you so much",
        "you're too sweet",
        "thank you babe, that made my day",
        "omg thank you!! you spoil me",
        "you're the best, seriously",
        "thanks love, means a lot",
        "stop it, you're making me blush",
        "so glad you liked it",
    ),
    "teaser": (
        "just finished a new shoot, you're gonna love it",
        "guess what I wore today...",
        "I have something special coming for you",
        "new set dropping soon, stay tuned",
        "been working on something cute & fun",
        "sneak peek coming your way",
        "want to see what I did at the beach?",
        "my new outfit came in today",
    ),
    "ppv_offer": (
        "here's something just for you",
        "unlock to see the full set",
        "exclusive set, only sending this to my favorites",
        "new video, hope you like it",
        "the full photoshoot is here",
        "something special for you today",
        "you asked, I delivered",
        "behind the scenes from today's shoot",
        "limited time price, don't miss it",
    ),
    "custom_quote": (
        "customs start at {amount} babe",
        "I can do that for {amount}",
        "a personalized video would be {amount}",
        "for you, {amount} and it's ready in 2 days",
        "custom sets are {amount}, tell me what you'd like",
        "I can do {amount} for that, deal?",
        "that would be {amount}, ready in a few days",
    ),
    "apology": (
        "so sorry about that, let me fix it",
        "oh no, I'll resend it right away",
        "sorry for the late reply babe",
        "my bad, I'll make it up to you",
        "I hear you, I'll do better",
        "sorry! it should work now",
    ),
    "scheduling": (
        "I'm usually online in the evenings",
        "I'll be around tonight after 8",
        "your custom will be ready tomorrow",
        "going live on Saturday!",
        "let's chat later, I'm filming right now",
        "I'm on EST, what about you?",
    ),
    "small_talk": (
        "haha same",
        "that sounds fun, tell me more",
        "I love pizza, what about you?",
        "I have a cat, she's a diva",
        "just chilling at home today",
        "lol you're funny",
        "weekend was great, went hiking",
        "been binge watching a new show",
    ),
    "goodbye": (
        "sad to see you go, come back anytime",
        "thanks for everything babe",
        "I'll miss you! door's always open",
        "take care of yourself",
    ),
}

FAN_EMOJI: tuple[str, ...] = ("😍", "🔥", "😘", "🥰", "😉", "❤️", "😂", "🙏", "😏", "👀")
NEG_EMOJI: tuple[str, ...] = ("😒", "😕", "🙄", "😤", "😞")
CREATOR_EMOJI: tuple[str, ...] = ("😘", "💕", "😈", "🙈", "✨", "🥰", "😉", "💋", "🍑", "🎀")
GIPHY_IDS: tuple[str, ...] = ("3o7TKtnuHOHHUjR38Y", "l0MYt5jPR6QX5pnqM", "26ufdipQqU2lhNA4g")
NEGATIVE_TOPICS = frozenset({"complaint", "leaving"})

PPV_PRICES: tuple[float, ...] = (3, 5, 7.99, 9.99, 12, 15, 19.99, 25, 30, 49.99)
CUSTOM_PRICES: tuple[float, ...] = (25, 40, 50, 75, 100, 150, 200)
TIP_AMOUNTS: dict[str, tuple[int, ...]] = {
    "whale": (10, 20, 25, 50, 100, 200),
    "regular": (5, 10, 20),
    "small": (5, 5, 10),
}

FIRST_NAMES: tuple[str, ...] = (
    "James", "Mike", "Chris", "Dave", "Tom", "Alex", "Ryan", "Matt", "Josh", "Kevin",
    "Brian", "Jason", "Eric", "Mark", "Steve", "Paul", "Dan", "Luis", "Carlos", "Ahmed",
    "Jonas", "Lukas", "Pierre", "Marco", "Kenji", "Raj", "Sam", "Ben", "Nick", "Tyler",
)  # fmt: skip
USER_WORDS: tuple[str, ...] = (
    "wolf", "king", "rider", "gamer", "fan", "lover", "boss", "ace", "guy", "pilot",
    "chef", "coach", "viking", "tiger", "hawk", "storm", "shadow", "blaze",
)  # fmt: skip

_AMOUNT_RE = re.compile(r"\$?\d+(?:\.\d+)?")
_ALL_EMOJI = frozenset("".join(FAN_EMOJI + NEG_EMOJI + CREATOR_EMOJI))


def esc(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` (the entities OnlyFans emits in message HTML)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc_bank(banks: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    return {topic: tuple(esc(p) for p in phrases) for topic, phrases in banks.items()}


def fmt_amount(amount: float) -> str:
    """``25`` -> ``"$25"``, ``9.99`` -> ``"$9.99"``."""
    if float(amount).is_integer():
        return f"${int(amount)}"
    return f"${amount:.2f}"


def html_to_text(text: str) -> str:
    """Inverse of the generator's HTML: drop ``<p>``, turn ``<br>`` into newlines, unescape."""
    body = text.replace("<br>", "\n").replace("<p>", "").replace("</p>", "")
    return html.unescape(body)


def _norm(phrase: str) -> str:
    stripped = "".join(ch for ch in phrase if ch not in _ALL_EMOJI and ch != "\ufe0f")
    return " ".join(_AMOUNT_RE.sub("#", stripped.replace("{amount}", "0")).split()).lower()


# Bank keys that are variants of a topic.
BANK_TOPIC: dict[str, str] = {"greeting_back": "greeting", "nudge": "small_talk"}


def _build_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for banks in (FAN_BANKS, CREATOR_BANKS):
        for key, phrases in banks.items():
            for phrase in phrases:
                index[_norm(phrase)] = BANK_TOPIC.get(key, key)
    return index


_TOPIC_INDEX = _build_index()


def topic_of(message: dict[str, Any]) -> str | None:
    """Ground-truth topic of a generated message (``None`` for text not from the banks).

    Tips are ``"tip"`` whatever their text; otherwise the first line of the text decides.
    """
    if message.get("isTip"):
        return "tip"
    first = html_to_text(str(message.get("text") or "")).split("\n", 1)[0]
    return _TOPIC_INDEX.get(_norm(first))


def duplicate_phrases() -> list[str]:
    """Normalized phrases that occur in two banks with different topics (should be empty)."""
    seen: dict[str, str] = {}
    dups: list[str] = []
    for banks in (FAN_BANKS, CREATOR_BANKS):
        for bank_key, phrases in banks.items():
            topic = BANK_TOPIC.get(bank_key, bank_key)
            for phrase in phrases:
                key = _norm(phrase)
                if seen.setdefault(key, topic) != topic:
                    dups.append(key)
    return dups
