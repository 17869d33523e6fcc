"""Entities in one message: money amounts, links, and contacts on other platforms.

Why these three: money is what a chat is worth (amounts asked, offered, tipped); links and
off-platform contacts ("add me on snap", a phone number, a cashtag) are what an agency has to
watch for, since taking a fan off the platform breaks its terms and loses the sale. Each
entity is a plain string, so it can be stored, counted and grouped without a schema:

* ``money:<amount>`` — dollars, at most two decimals, trailing zeros dropped: ``$25``,
  ``25$``, ``25 dollars``, ``100 bucks``, ``$5.50`` → ``money:25``, ``money:5.5``.
* ``link:<url>`` — ``http(s)://`` URLs and bare domains (``instagram.com/x``, ``bit.ly/abc``),
  as written, without trailing punctuation.
* ``handle:<platform>:<handle>`` — a handle named with its platform ("my snap is jake_92",
  "insta: @mike", ``instagram.com/mike``), a ``$cashtag`` (cashapp), an e-mail address
  (``email``), a phone number (``phone``, digits only), or a bare ``@handle`` with no platform
  in sight (``unknown``). Handles are lower-cased: platforms treat them case-blind.

Order is order of appearance in the text (a link before the handle read from it), each entity
once. Regular expressions only: nothing is resolved or fetched.
"""

import re
from collections.abc import Callable
from typing import Final

_MAX_CHARS: Final = 2_000

# Spoken names of platforms -> canonical platform.
_PLATFORMS: Final[dict[str, str]] = {
    "instagram": "instagram",
    "insta": "instagram",
    "ig": "instagram",
    "snapchat": "snapchat",
    "snap": "snapchat",
    "sc": "snapchat",
    "telegram": "telegram",
    "tg": "telegram",
    "twitter": "twitter",
    "x": "twitter",
    "tiktok": "tiktok",
    "tik tok": "tiktok",
    "whatsapp": "whatsapp",
    "whats app": "whatsapp",
    "kik": "kik",
    "discord": "discord",
    "cashapp": "cashapp",
    "cash app": "cashapp",
    "venmo": "venmo",
    "paypal": "paypal",
}
# Domains whose first path segment is a handle -> platform.
_DOMAINS: Final[dict[str, str]] = {
    "instagram.com": "instagram",
    "instagr.am": "instagram",
    "snapchat.com": "snapchat",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "twitter.com": "twitter",
    "x.com": "twitter",
    "tiktok.com": "tiktok",
    "wa.me": "whatsapp",
    "kik.me": "kik",
    "discord.gg": "discord",
    "cash.app": "cashapp",
    "venmo.com": "venmo",
    "paypal.me": "paypal",
}
_TLDS: Final = (
    "com|net|org|io|ly|me|co|gg|tv|app|link|xyz|us|uk|de|fr|es|it|nl|ca|au|to|be|info|site"
    "|page|club|fans|am|cc|biz|live|online|store|shop|tk|ru|ws|gl|im|sh|fm|la|ai"
)
_HANDLE_CHARS: Final = r"[a-z0-9_](?:[a-z0-9_.\-]{0,38}[a-z0-9_])?"

_MONEY: Final = re.compile(
    r"(?<![\w$])\$\s?(?P<a>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<ac>\d{1,2}))?(?![\d.,]*\d)"
    r"|(?<![\w.$])(?P<b>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<bc>\d{1,2}))?\s?"
    r"(?:\$|(?:usd|dollars?|bucks|bux)\b)",
    re.IGNORECASE,
)
_URL: Final = re.compile(
    r"\bhttps?://[^\s<>\"']+"
    r"|(?<![@\w.\-])(?:www\.)?(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+(?:" + _TLDS + r")\b"
    r"(?!\.\w)(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
_EMAIL: Final = re.compile(
    r"\b[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}\b", re.IGNORECASE
)
_AT_HANDLE: Final = re.compile(r"(?<![\w@.])@(" + _HANDLE_CHARS + r")", re.IGNORECASE)
_CASHTAG: Final = re.compile(r"(?<![\w$])\$([a-z][a-z0-9_\-]{0,19})\b", re.IGNORECASE)
_PLATFORM_WORD: Final = re.compile(
    r"\b(" + "|".join(sorted((re.escape(k) for k in _PLATFORMS), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
# After a platform word: "is", ":", "-", "@" ... then the handle.
_AFTER_PLATFORM: Final = re.compile(
    r"\s*(?:(?:handle|username|user|name|id|acc(?:ount)?)\s*)?(?P<sep>(?:is|=|:|-|->|at)\s*)?"
    r"@?(?P<h>" + _HANDLE_CHARS + r")",
    re.IGNORECASE,
)
_PHONE: Final = re.compile(
    r"(?<![\w$.])(?:\+\d{1,3}[\s.\-]?)?(?:\(\d{2,4}\)|\d{2,4})(?:[\s.\-]?\d{2,4}){2,4}(?![\w.]\d)"
)
_TRAILING: Final = ".,;:!?)]}'\""
# Words that follow a platform name but are not handles ("add me on snap so we...").
_NOT_HANDLES: Final = frozenset(
    re.split(
        r"\s+",
        "so and or for if to too me my u you ur your is are at the a an on in with lol pls please"
        " plz babe baby then but i im i'm also more here there now rn later tho though",
    )
)


def _money(whole: str, cents: str | None) -> str:
    value = float(whole.replace(",", "")) + (float(f"0.{cents}") if cents else 0.0)
    return "money:" + f"{value:.2f}".rstrip("0").rstrip(".")


def _phone_digits(raw: str) -> str | None:
    digits = "".join(c for c in raw if c.isdigit())
    has_plus = raw.lstrip().startswith("+")
    if has_plus and 8 <= len(digits) <= 15:
        return digits
    # North American numbers: 10 digits, or 11 starting with 1; spaced or dashed groups.
    grouped = any(c in raw for c in " -.()")
    if grouped and (len(digits) == 10 or (len(digits) == 11 and digits[0] == "1")):
        return digits
    return None


def _found(text: str) -> list[tuple[int, int, str]]:
    """(start, tie-break, entity) for every entity, in no particular order."""
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []  # spans already claimed by links, e-mails, phones

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    if "." in text:
        for m in _EMAIL.finditer(text):
            found.append((m.start(), 0, "handle:email:" + m.group(0).lower()))
            taken.append(m.span())
        for m in _URL.finditer(text):
            if not free(*m.span()):
                continue
            url = m.group(0).rstrip(_TRAILING)
            taken.append(m.span())
            found.append((m.start(), 0, "link:" + url))
            handle = _handle_from_url(url)
            if handle:
                found.append((m.start(), 1, handle))
    digits = sum(c.isdigit() for c in text)
    if digits >= 8:
        for m in _PHONE.finditer(text):
            number = _phone_digits(m.group(0))
            if number and free(*m.span()):
                taken.append(m.span())
                found.append((m.start(), 0, "handle:phone:" + number))
    low = text.lower()
    if digits and ("$" in text or any(w in low for w in ("dollar", "buck", "bux", "usd"))):
        found.extend(
            (m.start(), 0, _money(m["a"] or m["b"], m["ac"] or m["bc"]))
            for m in _MONEY.finditer(text)
            if free(*m.span())
        )
    if "$" in text:
        found.extend(
            (m.start(), 0, "handle:cashapp:" + m.group(1).lower())
            for m in _CASHTAG.finditer(text)
            if free(*m.span())
        )
    found.extend(_handles(text, free))
    return found


def _handle_from_url(url: str) -> str | None:
    bare = re.sub(r"^(?:https?://)?(?:www\.|m\.)?", "", url, flags=re.IGNORECASE)
    host, _, path = bare.partition("/")
    platform = _DOMAINS.get(host.lower())
    if not platform or not path:
        return None
    segment = path.split("/")[0]
    if platform == "snapchat" and segment == "add":
        segment = path.split("/")[1] if path.count("/") >= 1 else ""
    segment = segment.split("?")[0].lstrip("@$").lower()
    if not re.fullmatch(_HANDLE_CHARS, segment, flags=re.IGNORECASE):
        return None
    if platform == "whatsapp":
        return f"handle:phone:{segment}" if segment.isdigit() else None
    return f"handle:{platform}:{segment}"


def _handles(text: str, free: Callable[[int, int], bool]) -> list[tuple[int, int, str]]:
    """Handles named with a platform word, then bare ``@handles``."""
    out: list[tuple[int, int, str]] = []
    claimed: set[int] = set()  # "@" positions already read after a platform word
    mentions: list[tuple[int, str]] = []
    for m in _PLATFORM_WORD.finditer(text):
        platform = _PLATFORMS[m.group(1).lower()]
        if m.group(1).lower() == "x" and not _says_x(text, m.start()):
            continue
        mentions.append((m.start(), platform))
        after = _AFTER_PLATFORM.match(text, m.end())
        if after is None or not free(after.start("h"), after.end("h")):
            continue
        handle = after.group("h").lower()
        at = text[after.start("h") - 1] == "@"
        explicit = at or after.group("sep") is not None
        looks_like = any(c.isdigit() or c in "_." for c in handle)
        if handle in _NOT_HANDLES or handle in _PLATFORMS or not (explicit or looks_like):
            continue
        out.append((after.start("h"), 0, f"handle:{platform}:{handle}"))
        if at:
            claimed.add(after.start("h") - 1)
    if "@" in text:
        for m in _AT_HANDLE.finditer(text):
            if m.start() in claimed or not free(*m.span()):
                continue
            # the platform named last before the handle, if close enough to be about it
            near = [p for start, p in mentions if 0 < m.start() - start <= 60]
            platform = near[-1] if near else "unknown"
            out.append((m.start(1), 0, f"handle:{platform}:{m.group(1).lower()}"))
    return out


def _says_x(text: str, start: int) -> bool:
    """'x' names the platform only as "on x", "my x", "x:" or "x is"."""
    before = text[max(0, start - 4) : start].lower()
    after = text[start + 1 : start + 5].lower()
    return before.endswith(("on ", "my ")) or after.startswith((":", " is", " @"))


def entities(text: str) -> tuple[str, ...]:
    """Entities of one message in order of appearance, each once (see module docstring)."""
    if not text or text.isspace():
        return ()
    found = _found(text[:_MAX_CHARS])
    found.sort(key=lambda f: (f[0], f[1]))
    return tuple(dict.fromkeys(entity for _start, _tie, entity in found))
