"""Make a past reply fit the fan in front of the chatter, or refuse to reuse it.

A retrieved reply was written for someone else at another time. Three things in it can be wrong
now: the old fan's name, a price, and a date or time. Names are swapped. Prices and absolute
dates/times are *not* edited out: cutting "$25" from "it's only $25 for the full video" leaves a
broken sentence that still implies an old offer, and a stale price in a creator's mouth costs
money or trust. So a reply with a money amount, a price word ("unlock", "tip", "deal", ...) and
any number, a calendar date or a clock time is skipped (``adapt`` returns None) and the drafter
tries the next candidate; over-skipping only costs a template instead of an old reply.
Relative times ("tonight", "on Friday") are kept, with lower confidence, since they read
naturally but may promise something the creator did not plan today.
"""

import re
from dataclasses import dataclass
from typing import Final

from services.enrichment.drafts.templates import first_name

RELATIVE_TIME_FACTOR: Final = 0.8

_I = re.IGNORECASE
_MONEY: Final = re.compile(
    r"[$€£]\s?\d"
    r"|\d\s?(?:[$€£]|usd\b|eur\b|gbp\b)"
    r"|\b(?:dollars?|bucks|usd|euros?|quid|pounds)\b"
    r"|\d\s?%\s?off\b",
    _I,
)
_PRICE_WORD: Final = re.compile(
    r"\b(?:price[sd]?|costs?|pay|paid|unlock|tips?|discount|deal|sale|offer|ppv|bundle)\b", _I
)
_DIGIT: Final = re.compile(r"\d")
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ABSOLUTE_TIME: Final = re.compile(
    r"\b\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?\b"
    r"|\b\d{4}-\d{2}-\d{2}\b"
    rf"|\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b"
    r"|\b\d{1,2}(?::\d{2})?\s?(?:am|pm)\b"
    r"|\b\d{1,2}:\d{2}\b",
    _I,
)
_RELATIVE_TIME: Final = re.compile(
    r"\b(?:today|tonight|tomorrow|yesterday|this (?:morning|afternoon|evening|weekend)"
    r"|next week|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    _I,
)
_SPACES: Final = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES: Final = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class Adapted:
    """A reusable reply: ``factor`` (0..1) scales the retrieval score into a confidence."""

    text: str
    factor: float
    notes: tuple[str, ...]


def skip_reason(reply: str) -> str | None:
    """Why ``reply`` must not be reused as is: "price", "date_time", or None if it may be."""
    if _MONEY.search(reply) or (_PRICE_WORD.search(reply) and _DIGIT.search(reply)):
        return "price"
    if _ABSOLUTE_TIME.search(reply):
        return "date_time"
    return None


def _name_variants(old_name: str) -> list[tuple[str, bool]]:
    """(variant, case_insensitive) pairs to replace, longest first.

    A multi-word name or a handle ("john smith", "@jo_99") is unlike any word, so it matches in
    any case. A single word ("Hope", "Will") may also be an ordinary word, so it matches only
    as the old fan spelt it or capitalised: "Hope you like it" is still a risk, "I hope" is not.
    """
    name = " ".join(old_name.strip().lstrip("@").split())
    found: dict[str, bool] = {}

    def add_word(word: str) -> None:
        word = word.strip(".,!?;:'\"()")
        if len(word) < 2:
            return
        if not word.isalpha():
            found.setdefault(word, True)
            return
        found.setdefault(word, False)
        found.setdefault(word[0].upper() + word[1:], False)

    if " " in name:
        found[name] = True
        add_word(name.split(" ", 1)[0])
    else:
        add_word(name)
    return sorted(found.items(), key=lambda kv: -len(kv[0]))


def replace_name(text: str, old_name: str | None, new_name: str | None) -> tuple[str, bool]:
    """Swap the old fan's name / @handle for the new fan's first name (or "babe")."""
    if not old_name:
        return text, False
    new = first_name(new_name)
    changed = False
    for variant, insensitive in _name_variants(old_name):
        pattern = re.compile(rf"(?<!\w)@?{re.escape(variant)}(?!\w)", _I if insensitive else 0)
        text, n = pattern.subn(new, text)
        changed = changed or n > 0
    return text, changed


def tidy(text: str) -> str:
    """Collapse runs of spaces, strip each line, keep at most one blank line in a row."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def adapt(reply: str, *, old_name: str | None, new_name: str | None) -> Adapted | None:
    """``reply`` made fit for the new fan, or None if it must not be reused (see module doc)."""
    if skip_reason(reply) is not None:
        return None
    text, renamed = replace_name(reply, old_name, new_name)
    text = tidy(text)
    if not text:
        return None
    notes: list[str] = []
    factor = 1.0
    if renamed:
        notes.append("name_replaced")
    if _RELATIVE_TIME.search(text):
        notes.append("relative_time")
        factor *= RELATIVE_TIME_FACTOR
    return Adapted(text=text, factor=factor, notes=tuple(notes))
