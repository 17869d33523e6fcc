"""Canned replies per topic: the fallback when the creator has no similar past reply.

A new creator (or a new kind of message) has nothing to retrieve, and a chatter still wants a
starting point. These are short, warm, flirty-but-tasteful openers that fit any creator well
enough to edit; they never quote a price, promise a time or mention anything off-platform, so
they pass the safety check with the default policy (a test holds them to that).

The choice among a topic's templates is a pure function of a seed (e.g. the message id), so the
same message always gets the same draft: a re-render, a retry or a second chatter looking at
the same chat sees the same suggestion.
"""

import hashlib
from collections.abc import Mapping
from typing import Final

from services.enrichment.nlp.taxonomy import (
    COMPLAINT,
    COMPLIMENT,
    CONTENT_REQUEST,
    CUSTOM_REQUEST,
    GREETING,
    LEAVING,
    PRICING,
    PURCHASE_INTENT,
    SCHEDULING,
    SMALL_TALK,
    TIP,
)

NAME_FALLBACK: Final = "babe"
PLACEHOLDER: Final = "{name}"

TEMPLATES: Final[Mapping[str, tuple[str, ...]]] = {
    GREETING: (
        "Hey {name} 😘 so happy to see you here! How's your day going?",
        "Hiii {name} 💕 you just made me smile. What are you up to?",
        "Well hello {name} 😏 I was hoping you'd stop by!",
    ),
    COMPLIMENT: (
        "Aww {name}, you're making me blush 🙈 thank you!",
        "Stop it {name} 😳 you're too sweet… keep going though 😉",
        "You always know what to say {name} 🥰 that made my day",
    ),
    CONTENT_REQUEST: (
        "Ooh I've got something you'll love {name} 😏 let me pick out my favourites for you",
        "You read my mind {name} 😉 give me a sec and I'll send you something special",
        "Mmm tell me what you're in the mood for {name} and I'll find the perfect set 💋",
    ),
    CUSTOM_REQUEST: (
        "I love that idea {name} 😍 tell me every detail so I get it just right",
        "Ooh, something made just for you {name}? 😏 walk me through exactly what you'd like",
        "That sounds so fun {name} 🔥 send me all the details and I'll see what I can do",
    ),
    PRICING: (
        "Let me see what I can put together for you {name} 😘 I'll make it worth it",
        "I'll take care of you {name} 💕 let me check what I can do",
        "For you {name}? Let me see what I can do 😉 give me a minute",
    ),
    PURCHASE_INTENT: (
        "Yay {name} 🥰 enjoy it and tell me what you think!",
        "You're going to love it {name} 😏 let me know your favourite part",
        "Ahh thank you {name} 💕 can't wait to hear what you think",
    ),
    TIP: (
        "Thank you so much {name} 🥹 you just made my whole day",
        "Omg {name}, you're spoiling me 😍 thank you!",
        "You're the sweetest {name} 💕 I really appreciate you",
    ),
    COMPLAINT: (
        "I'm so sorry {name} 😔 that's not what I want for you. Tell me what happened?",
        "Oh no {name}, I hear you 💕 let me look into it and get back to you",
        "Thank you for telling me {name} 🙏 I want you to be happy here, what can I do?",
    ),
    SCHEDULING: (
        "I'll be around later {name} 😘 I'll message you as soon as I'm on",
        "Depends on my day {name} 😉 but I always check my messages, I'll let you know",
        "I'll try to be online for you {name} 💕 keep an eye on your messages",
    ),
    SMALL_TALK: (
        "Haha I love chatting with you {name} 😊 how's your day been?",
        "That sounds nice {name} 🥰 tell me more!",
        "Aww {name}, I'm glad you told me 😊 what else is new with you?",
    ),
    LEAVING: (
        "Aww {name}, I'll miss you 🥺 is there anything I could do better?",
        "Sad to see you go {name} 💔 thank you for all your support, my door's always open",
        "Before you go {name}… was there something you wanted to see more of? 🥺",
    ),
}

GENERIC: Final[tuple[str, ...]] = (
    "Hey {name} 😘 tell me more!",
    "Mmm I like where this is going {name} 😏",
    "You always make me smile {name} 💕",
)


def first_name(name: str | None) -> str:
    """What to call the fan: the first word of ``name`` if it looks like a name, else "babe".

    "john smith" -> "John"; "@u12345678", "x_x", "" or None -> "babe" (handles with digits or
    underscores are usernames, and calling a fan by his username reads like a bot).
    """
    if not name:
        return NAME_FALLBACK
    parts = name.strip().lstrip("@").split()
    if not parts:
        return NAME_FALLBACK
    word = parts[0].strip(".,!?;:'\"()")
    if len(word) < 2 or not all(c.isalpha() or c in "-'" for c in word):
        return NAME_FALLBACK
    return word[0].upper() + word[1:]


def _index(seed: str, salt: str, n: int) -> int:
    digest = hashlib.blake2b(f"{salt}\x00{seed}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % n


def pick(intent: str | None, seed: str) -> str:
    """The raw template (with ``{name}``) for ``intent``, or a generic one for None / unknown."""
    options = TEMPLATES.get(intent or "", GENERIC)
    return options[_index(seed, intent or "", len(options))]


def fill(template: str, fan_name: str | None) -> str:
    """Put the fan's first name (or the fallback) in place of ``{name}``; nothing else expands."""
    return template.replace(PLACEHOLDER, first_name(fan_name))


def render(intent: str | None, *, seed: str, fan_name: str | None) -> str:
    """The template draft for a message: deterministic in (intent, seed, fan_name)."""
    return fill(pick(intent, seed), fan_name)
