"""Block a draft that would break OnlyFans' rules or the creator's own, before a human sees it.

OnlyFans bans taking fans' money or contact off the platform and a list of topics in messages;
an account can be suspended for one message. A draft comes from a model, an old reply or a
template, none of which knows today's context, so every final draft text goes through ``check``
and carries its verdict; the UI shows a blocked draft's reasons instead of a send button.

The checks favour recall over precision: a false block costs the chatter a few keystrokes, a
miss can cost the account. Known limits: obfuscation beyond Unicode look-alikes and zero-width
characters ("s n a p", "1nsta", digits spelt out) is not caught; a bare "@name" is allowed (on
OnlyFans it usually tags another creator's profile). Reason codes are stable strings:
``payment_details``, ``off_platform_link``, ``off_platform_contact``, ``restricted_word:<word>``.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

PAYMENT_DETAILS: Final = "payment_details"
OFF_PLATFORM_LINK: Final = "off_platform_link"
OFF_PLATFORM_CONTACT: Final = "off_platform_contact"
RESTRICTED_WORD: Final = "restricted_word"

# Words and phrases OnlyFans' Terms of Service / Acceptable Use Policy forbid in messages, as
# agencies' banned-word lists apply them: anything suggesting minors, incest, meeting in person
# or escorting, blood and violence / non-consent, drugs, bestiality. Deliberately short: each
# entry blocks a draft, so only words with no common innocent use in these chats are here.
# Matched case-insensitively on word boundaries; a space also matches "-" or "_".
DEFAULT_RESTRICTED_WORDS: Final[tuple[str, ...]] = (
    # minors and age play
    "underage",
    "minor",
    "minors",
    "child",
    "children",
    "kid",
    "kids",
    "teen",
    "teens",
    "preteen",
    "schoolgirl",
    "lolita",
    "jailbait",
    # incest
    "incest",
    "stepdaughter",
    "stepsister",
    "stepbrother",
    "stepson",
    # meeting in person, escorting
    "meet up",
    "meetup",
    "meet in person",
    "meet irl",
    "escort",
    "escorts",
    "escorting",
    "prostitute",
    "prostitution",
    # blood, violence, non-consent
    "blood",
    "bloody",
    "rape",
    "raped",
    "non consent",
    "nonconsent",
    "drugged",
    "unconscious",
    # drugs
    "drugs",
    "cocaine",
    "heroin",
    "meth",
    "mdma",
    "weed",
    # bestiality
    "bestiality",
    "beastiality",
)

_I = re.IGNORECASE
_ZERO_WIDTH: Final = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")

# --- payment details -------------------------------------------------------------------------
_CARD: Final = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_IBAN: Final = re.compile(r"\b[a-z]{2}\d{2}(?: ?[a-z0-9]){11,40}", _I)
_PAYMENT_WORDS: Final = re.compile(
    r"\b(?:pay\s?pal|paypal\.me|venmo|zelle|cash\s?app|revolut|skrill|apple\s?pay|google\s?pay"
    r"|western\s+union|moneygram|gift\s?cards?|iban|bank\s+(?:transfer|details|account)"
    r"|wire\s+transfer|routing\s+number|sort\s+code)\b",
    _I,
)
_CASHTAG: Final = re.compile(r"(?<![\w$])\$[a-z][a-z0-9_]{0,19}\b", _I)
_ETH: Final = re.compile(r"\b0x[0-9a-f]{40}\b", _I)
_BTC_BASE58: Final = re.compile(r"\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b")
_BTC_BECH32: Final = re.compile(r"\bbc1[02-9ac-hj-np-z]{25,87}\b", _I)
_BASE58: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

# --- links -----------------------------------------------------------------------------------
# A bare "word.tld" is a link when the TLD is one no English word is spelt like; a TLD that is
# also a word ("me", "it", "live") counts only with a path ("t.me/name"), else "thanks.me too"
# typed without a space would block a draft.
_STRONG_TLDS: Final = frozenset(
    """
    com net org io ly gg tv xyz ee ai cc ru uk tk ml ga cf biz info xxx am ws
    """.split()  # noqa: SIM905
)
_WEAK_TLDS: Final = frozenset(
    """
    me co us to it de es fr nl ca au app link links site online store shop club fans vip
    live page bio chat social sex porn cam webcam dating fun lol
    """.split()  # noqa: SIM905
)
_URL: Final = re.compile(r"\b(?:https?|ftp)://([^\s/?#:@]+)|\bwww\.([^\s/?#:@]+)", _I)
_BARE_DOMAIN: Final = re.compile(
    r"(?<![\w.@/-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24}))(?![\w-])(/)?", _I
)
_SPELT_DOMAIN: Final = re.compile(
    r"\b([a-z0-9-]+)\s*(?:\(dot\)|\[dot\]|\{dot\}|\bdot\b)\s*([a-z]{2,6})\b", _I
)

# --- contact ---------------------------------------------------------------------------------
_EMAIL: Final = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}", _I)
_MAIL_PROVIDERS: Final = re.compile(
    r"\b(?:gmail|googlemail|yahoo|hotmail|outlook|icloud|protonmail|proton\s?mail|aol)\b", _I
)
_PLATFORMS: Final = re.compile(
    r"\b(?:instagram|snapchat|telegram|whats\s?app|kik|discord|wickr|wechat|skype|facebook"
    r"|tiktok|twitter|fansly)\b",
    _I,
)
_SHORT_PLATFORM = r"(?:snap|insta|ig|sc|tg|wa|fb)"
_PLATFORM_HANDLE: Final = re.compile(
    rf"\b(?:on|my|add me on|hmu on|dm me on|text me on|message me on)\s+{_SHORT_PLATFORM}\b"
    rf"|\b{_SHORT_PLATFORM}\s*(?::|=|-|\bis\b|@)\s*@?[a-z0-9._]{{2,}}",
    _I,
)
_DATE: Final = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b")
_PHONE: Final = re.compile(r"(?<![\w.+])(\+)?\(?\d[\d\s().-]{6,24}\d(?![\w])")


@dataclass(frozen=True, slots=True)
class SafetyPolicy:
    """A creator's settings: extra ``restricted_words`` and the domains links may point to.

    ``restricted_words`` adds to ``DEFAULT_RESTRICTED_WORDS``. A domain allows itself and its
    subdomains ("onlyfans.com" allows "www.onlyfans.com", not "onlyfans.com.evil.io").
    """

    restricted_words: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ("onlyfans.com",)


@dataclass(frozen=True, slots=True)
class Verdict:
    """``blocked`` iff there is at least one reason; reasons are in a fixed category order."""

    blocked: bool
    reasons: tuple[str, ...]


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _iban_ok(compact: str) -> bool:
    if not 15 <= len(compact) <= 34:
        return False
    moved = (compact[4:] + compact[:4]).upper()
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _base58check(address: str) -> bool:
    n = 0
    for c in address:
        n = n * 58 + _BASE58.index(c)
    raw = n.to_bytes(25, "big") if n < 1 << 200 else b""
    if len(raw) != 25:
        return False
    check = hashlib.sha256(hashlib.sha256(raw[:-4]).digest()).digest()[:4]
    return check == raw[-4:]


def _payment_spans(text: str) -> list[tuple[int, int]]:
    """Where card numbers, IBANs and wallet addresses are (checksums verified where they exist)."""
    spans: list[tuple[int, int]] = []
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and _luhn(digits):
            spans.append(m.span())
    for m in _IBAN.finditer(text):
        parts = m.group().split()
        for end in range(len(parts), 0, -1):
            if _iban_ok("".join(parts[:end])):
                spans.append((m.start(), m.start() + len(" ".join(parts[:end]))))
                break
    spans.extend(m.span() for m in _ETH.finditer(text))
    spans.extend(m.span() for m in _BTC_BECH32.finditer(text))
    spans.extend(m.span() for m in _BTC_BASE58.finditer(text) if _base58check(m.group()))
    return spans


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _allowed(host: str, allowed: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    domains = (d.lower().strip(".") for d in allowed)
    return any(host == d or host.endswith("." + d) for d in domains if d)


def _has_off_platform_link(text: str, allowed: tuple[str, ...]) -> bool:
    for m in _URL.finditer(text):
        host = m.group(1) or ("www." + m.group(2))
        if not _allowed(host, allowed):
            return True
    for m in _BARE_DOMAIN.finditer(text):
        tld = m.group(2).lower()
        is_link = tld in _STRONG_TLDS or (tld in _WEAK_TLDS and m.group(3) is not None)
        if is_link and not _allowed(m.group(1), allowed):
            return True
    for m in _SPELT_DOMAIN.finditer(text):
        tld = m.group(2).lower()
        if (tld in _STRONG_TLDS or tld in _WEAK_TLDS) and not _allowed(
            f"{m.group(1)}.{tld}", allowed
        ):
            return True
    return False


def _has_phone(text: str) -> bool:
    for m in _PHONE.finditer(_DATE.sub(" ", text)):
        digits = sum(c.isdigit() for c in m.group())
        low = 8 if m.group(1) else 10
        if low <= digits <= 15:
            return True
    return False


def _has_off_platform_contact(text: str) -> bool:
    return bool(
        _EMAIL.search(text)
        or _MAIL_PROVIDERS.search(text)
        or _PLATFORMS.search(text)
        or _PLATFORM_HANDLE.search(text)
        or _has_phone(text)
    )


def _word_pattern(word: str) -> str:
    parts = [re.escape(p) for p in word.lower().split()]
    return r"(?<!\w)" + r"[\s_-]+".join(parts) + r"(?!\w)"


@lru_cache(maxsize=256)
def _restricted(words: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    out: dict[str, re.Pattern[str]] = {}
    for raw in (*DEFAULT_RESTRICTED_WORDS, *words):
        word = " ".join(raw.lower().split())
        if word and word not in out:
            out[word] = re.compile(_word_pattern(word), _I)
    return tuple(out.items())


def normalise(text: str) -> str:
    """NFKC (fullwidth and styled letters to plain ones) without zero-width characters."""
    return _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", text))


def check(text: str, policy: SafetyPolicy | None = None) -> Verdict:
    """Whether ``text`` may be offered as a draft under ``policy`` (default: ``SafetyPolicy()``)."""
    policy = policy or SafetyPolicy()
    clean = normalise(text)
    reasons: list[str] = []
    spans = _payment_spans(clean)
    if spans or _PAYMENT_WORDS.search(clean) or _CASHTAG.search(clean):
        reasons.append(PAYMENT_DETAILS)
    # An email address is contact, not a link: mask it before looking for domains. A card
    # number or IBAN is payment, not a phone number: mask those before looking for phones.
    if _has_off_platform_link(_EMAIL.sub(" ", clean), policy.allowed_domains):
        reasons.append(OFF_PLATFORM_LINK)
    if _has_off_platform_contact(_mask(clean, spans)):
        reasons.append(OFF_PLATFORM_CONTACT)
    reasons.extend(
        f"{RESTRICTED_WORD}:{word}"
        for word, pattern in _restricted(policy.restricted_words)
        if pattern.search(clean)
    )
    return Verdict(blocked=bool(reasons), reasons=tuple(reasons))
