"""OnlyFans message text and timestamps → plain values.

`html_to_text`: OnlyFans message `text` is HTML (the web app wraps it in `<p>…</p>`). The plain
form keeps line breaks (`<br>`, paragraph boundaries → `\\n`), unescapes entities, keeps emoji.
Fast paths cover the common shapes (no markup, one `<p>`), since this runs once per message.

`timestamp_ms`: `createdAt`/`changedAt` occur as ISO-8601 with an offset or `Z`, as epoch
seconds and as epoch milliseconds (int or float, sometimes as digit strings). All → epoch ms
int, UTC.
"""

import html
import math
import re
from datetime import UTC, datetime, timedelta

_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p(?:\s[^>]*)?>|</div>\s*<div(?:\s[^>]*)?>", re.IGNORECASE)
# A tag starts with a letter, `/` or `!`: "I <3 you" is text, not a tag.
_TAG = re.compile(r"<!--.*?-->|</?[a-zA-Z][^>]*>", re.DOTALL)

# The shape most messages have: one paragraph, no markup inside.
_SIMPLE_PARAGRAPH = re.compile(r"<p>([^<]*)</p>")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)
# Below this an epoch number is in seconds (1e11 s is year 5138; 1e11 ms is March 1973).
_SECONDS_BELOW = 100_000_000_000
# Year 9999-12-31T23:59:59.999Z: the largest instant a datetime can represent.
_MAX_MS = 253_402_300_799_999


def html_to_text(text_html: str) -> str:
    """Message HTML → plain text: tags stripped, breaks as newlines, entities unescaped."""
    simple = _SIMPLE_PARAGRAPH.fullmatch(text_html)
    if simple is not None:
        plain = simple.group(1)
    elif "<" not in text_html:
        plain = text_html
    else:
        plain = _TAG.sub("", _BREAK.sub("\n", text_html))
    if "&" in plain:
        plain = _unescape(plain)
    if "\xa0" in plain:
        plain = plain.replace("\xa0", " ")
    return plain.strip()


def timestamp_ms(value: str | int | float) -> int:
    """ISO-8601 string (offset or `Z`; no offset means UTC), epoch seconds or epoch
    milliseconds (int, float or digit string) → epoch milliseconds, UTC.

    Raises `ValueError` for unreadable values and instants before 1970 or after year 9999,
    `TypeError` for a boolean.
    """
    if isinstance(value, str):
        if "-" not in value and ":" not in value and "T" not in value:  # not ISO: digits?
            stripped = value.strip()
            if not _looks_numeric(stripped):
                raise ValueError("not a timestamp")
            return _epoch_ms(float(stripped) if "." in stripped else int(stripped))
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        ms: int = (parsed - _EPOCH) // _ONE_MS
        if not 0 <= ms <= _MAX_MS:
            raise ValueError("timestamp out of range")
        return ms
    if isinstance(value, bool):  # bool is an int subclass; a flag is not a time
        raise TypeError("boolean is not a timestamp")
    return _epoch_ms(value)


def _unescape(text: str) -> str:
    """`html.unescape`, with a fast path for the entities OnlyFans' editor writes."""
    if text.count("&") != text.count("&amp;") + text.count("&lt;") + text.count("&gt;"):
        return html.unescape(text)
    # `&amp;` last, so "&amp;lt;" stays the text "&lt;".
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _looks_numeric(value: str) -> bool:
    head, _, tail = value.partition(".")
    return head.isdigit() and (not tail or tail.isdigit())


def _epoch_ms(value: int | float) -> int:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("timestamp is not finite")
        ms = round(value * 1000) if abs(value) < _SECONDS_BELOW else round(value)
    else:
        ms = value * 1000 if abs(value) < _SECONDS_BELOW else value
    if not 0 <= ms <= _MAX_MS:
        raise ValueError("timestamp out of range")
    return ms
