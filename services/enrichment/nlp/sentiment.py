"""Per-message sentiment, 0..1 (0.5 neutral), from VADER with a creator/fan chat lexicon.

Why VADER: it is a rule-and-lexicon scorer built for short social-media text (emoji, slang,
capitals, "!!!", negation, "but"), runs offline with no model download, and is fast enough to
score every message as it arrives. Its general-purpose lexicon misreads this domain, though:
"obsessed", "fire", "should be illegal" and "killing it" are praise in a fan's
mouth; "refund", "unsub", "rip off" and "waste of money" are missing or too mild. So the
lexicon is extended (``_DOMAIN_WORDS``) and multi-word phrases, which VADER cannot look up
(it reads one whitespace token at a time), are first rewritten to single made-up tokens that
carry the phrase's valence (``_PHRASES``). VADER's own negation ("not worth", "don't want a
refund") and intensifier rules then apply to them as to any lexicon word.

The analyzer is a module-level singleton: building it parses two lexicon files (tens of ms),
scoring a short message takes tens of µs.
"""

import re
import string
from typing import Final, Literal

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

NEUTRAL: Final = 0.5
# 3-way reading of the 0..1 score: negative below NEG_BELOW, positive above POS_ABOVE, neutral
# in between (bounds included). Picked on the dev split of services/enrichment/eval.
NEG_BELOW: Final = 0.4
POS_ABOVE: Final = 0.6
# Long texts are cut (see nlp.MAX_CHARS): VADER's cost grows with the square of the length.
_MAX_CHARS: Final = 2_000
# Longer texts are scored in pieces of about this many characters (see sentiment()).
_CHUNK_CHARS: Final = 120

# Single tokens: valence on VADER's -4..+4 scale. Negative first, then positive.
_DOMAIN_WORDS: Final[dict[str, float]] = {
    # money and service problems
    "scam": -2.8,
    "scammed": -2.8,
    "scammer": -3.0,
    "scammy": -2.5,
    "ripoff": -2.8,
    "refund": -1.5,
    "refunded": -0.8,
    "chargeback": -2.5,
    "overpriced": -2.2,
    "pricey": -1.0,
    "misleading": -2.2,
    "clickbait": -2.0,
    "catfish": -2.5,
    "blurry": -1.5,
    "pixelated": -1.5,
    "glitchy": -1.5,
    "recycled": -1.2,
    "mid": -1.5,
    "meh": -1.0,
    "downhill": -1.8,
    "declined": -1.2,
    "charged": -0.8,
    "spamming": -2.0,
    "expensive": -1.2,
    "crashing": -1.7,
    "crashed": -1.7,
    "promised": -0.5,
    # leaving (a loss for the creator, said with regret or anger)
    "unsub": -1.5,
    "unsubbed": -1.5,
    "unsubbing": -1.5,
    "unsubscribe": -1.5,
    "unsubscribed": -1.5,
    "unsubscribing": -1.5,
    "unsubcribe": -1.5,
    "cancelling": -1.0,
    "canceling": -1.0,
    "canceled": -1.0,
    "goodbye": -0.8,
    # chat fillers VADER over-rates: "lol" closes half of all neutral lines
    "lol": 0.6,
    "lmao": 1.0,
    "lmaooo": 1.0,
    "haha": 1.0,
    "ok": 0.3,
    "yes": 0.5,
    "sure": 0.5,
    "true": 0.3,
    "like": 0.3,
    "please": 0.4,
    "wish": 0.8,
    # domain words VADER reads the wrong way: a "drop" is a release, "free" a time or a price,
    # a "tease" a preview, a "stranger" a fan back after a while
    "drop": 0.0,
    "free": 0.5,
    "tease": 0.5,
    "teased": 0.5,
    "teasing": 0.5,
    "stranger": 0.0,
    "ill": 0.0,  # "ill be online", not sick
    "support": 0.0,  # the platform's support desk, in complaints
    # praise and flirting
    "obsessed": 2.5,
    "gorgeous": 3.2,
    "stunning": 3.0,
    "hot": 1.8,
    "hottest": 2.6,
    "sexy": 2.6,
    "unreal": 2.0,
    "goddess": 3.0,
    "queen": 2.0,
    "angel": 2.2,
    "slay": 2.5,
    "legit": 1.5,
    "fire": 1.8,
    "cutie": 2.2,
    "beautifull": 2.9,
    "beautiful": 2.9,
    "stunner": 2.8,
    "wifey": 1.5,
    "blush": 1.2,
    "glowing": 2.2,
    "babe": 0.6,
    "fine": 1.2,
    "promotion": 1.5,
    "thx": 1.5,
    "ty": 1.6,
    "tysm": 2.2,
    "thankyou": 1.9,
    "omg": 0.8,
    "yum": 1.8,
    "yummy": 2.0,
}

# Multi-word phrases -> one made-up token (valence in _PHRASE_WORDS). Matched case-blind, on
# word boundaries, longest first.
_PHRASES: Final[dict[str, str]] = {
    r"rip[\s-]?off": "ripoff",
    r"waste of (?:money|time|cash)": "zzmoneywaste",
    r"(?:not|never|isn'?t|wasn'?t) worth(?: it| the (?:money|price))?": "zzmoneywaste",
    r"worth every (?:penny|cent|dollar)": "zzworthit",
    r"take my money": "zzworthit",
    r"should be illegal": "zzpraise",
    r"chef'?s kiss": "zzpraise",
    r"top tier": "zzpraise",
    r"10\s?/\s?10": "zzpraise",
    r"kill(?:ing|ed|s) it": "zzpraise",
    r"damn (?:girl|babe|baby|mama)": "zzpraise",
    r"(?:made|make|makes|making) my (?:whole )?(?:day|week|night|year)": "zzpraise",
    r"(?:you|u) (?:earned|deserve) it": "zzpraise",
    r"can'?t wait": "zzexcited",
    r"miss(?:ed)? (?:you|u|ya|chatting|talking)": "zzmissyou",
    r"(?:phone|battery) died": "zzneutral",
    r"never disappoints?": "zzpraise",
    r"(?:charged|billed) (?:me )?(?:twice|two times|double|\d+ times|again)": "zzdoublecharge",
    r"double[\s-]?charged": "zzdoublecharge",
    r"(?:won'?t|wont|doesn'?t|doesnt|didn'?t|didnt|can'?t|cant|wouldn'?t|wouldnt|isn'?t|not)"
    r" (?:even )?(?:load|play|open|work|working|loading|playing|showing)": "zzbroken",
    r"cuts? off": "zzbroken",
    r"(?:never|don'?t|dont|doesn'?t) (?:reply|replies|answer|answers|respond|responds)": (
        "zzignored"
    ),
    r"still waiting": "zzignored",
    r"(?:still )?no (?:answer|reply|response)": "zzignored",
    r"never (?:received|got|get|sent)": "zzignored",
    r"report(?:ing)? (?:you|u)": "zzthreat",
    r"(?:my|our|the) money back": "zzmoneywaste",
    r"too many (?:ppvs|messages|ads|mass messages)": "zzspam",
    r"keeps? going up": "zzpricey",
    r"(?:kinda |so |just )?over it": "zzletdown",
    r"not (?:what (?:i|was) (?:expected|promised|advertised))": "zzletdown",
    r"nothing like the (?:preview|teaser|pics?|picture)": "zzletdown",
    r"too (?:expensive|pricey|much money)": "zzpricey",
    r"i'?m done": "zzdone",
    r"(?:good)?bye (?:forever|for good)": "zzdone",
    r"(?:not|won'?t|wont|never) (?:gonna |going to |be )?renew(?:ing)?": "zzdone",
    r"(?:auto[\s-]?renew|rebill)\s+(?:is\s+)?off": "zzdone",
    r"turn(?:ed|ing)? off (?:auto[\s-]?renew|rebill|renewal)": "zzdone",
}
_PHRASE_WORDS: Final[dict[str, float]] = {
    "zzmoneywaste": -2.6,
    "zzworthit": 2.6,
    "zzpraise": 2.8,
    "zzdoublecharge": -2.4,
    "zzbroken": -2.0,
    "zzignored": -1.8,
    "zzletdown": -2.2,
    "zzpricey": -2.0,
    "zzdone": -1.6,
    "zzexcited": 2.2,
    "zzmissyou": 1.5,
    "zzneutral": 0.0,
    "zzthreat": -2.0,
    "zzspam": -1.8,
    "zzgift": 1.0,
}

# Emoji VADER has no (or a misleading) description for, in this domain.
_EMOJI: Final[dict[str, str]] = {
    "🔥": "fire",
    "🥵": "hot",
    "💦": "yum",
    "🙄": "annoyed",
    "🥹": "touched",
    "😏": "",
    "😩": "",
    "👍": "good",
    "💸": "zzgift",
    "💰": "",
    "😈": "",
    "🙈": "blush",
    "😮\u200d💨": "wow",
}


def _build() -> SentimentIntensityAnalyzer:
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(_DOMAIN_WORDS)
    analyzer.lexicon.update(_PHRASE_WORDS)
    analyzer.emojis.update({k: v for k, v in _EMOJI.items() if len(k) == 1})
    return analyzer


_ANALYZER: Final = _build()
_LEXICON: Final[dict[str, float]] = _ANALYZER.lexicon
# Matched on the lower-cased text (IGNORECASE would cost re its fast literal checks), with no
# capture groups (they double the cost); which phrase matched is looked up only on a hit.
_PHRASE_RE: Final = re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in _PHRASES) + r")\b")
_PHRASE_EACH: Final = tuple((re.compile(p), token) for p, token in _PHRASES.items())
_NEGATOR_RE: Final = re.compile(r"\b(?:not|no|never|nor|without|cannot)\b|n'?t\b")
_CLAUSE_RE: Final = re.compile(r"([,;:.!?]+)\s+(?=\S)")
_MULTI_EMOJI: Final = tuple((k, v) for k, v in _EMOJI.items() if len(k) > 1)
_SENTENCE_RE: Final = re.compile(r"(?<=[.!?\n])")
_SPACE_CUT_RE: Final = re.compile(rf".{{1,{_CHUNK_CHARS}}}(?:\s+|$)|.{{{_CHUNK_CHARS}}}", re.S)


def _token(phrase: str) -> str:
    return next((token for regex, token in _PHRASE_EACH if regex.fullmatch(phrase)), phrase)


def _rewrite(text: str) -> str:
    """``text`` with each domain phrase replaced by its token, original case elsewhere."""
    lower = text.lower()
    if len(lower) != len(text):  # a character whose lower case is longer: rare, give up case
        text = lower
    out: list[str] = []
    last = 0
    for m in _PHRASE_RE.finditer(lower):
        out.append(text[last : m.start()])
        out.append(_token(m.group(0)))
        last = m.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def compound(text: str) -> float:
    """VADER's compound score (-1..1) of ``text`` after the domain rewrites."""
    text = text[:_MAX_CHARS]
    if not text.isascii():
        text = text.replace("\u2019", "'")
        for emoji, word in _MULTI_EMOJI:
            if emoji in text:
                text = text.replace(emoji, f" {word} ")
    text = _rewrite(text)
    # VADER negates a word when "not" is among the three tokens before it, punctuation or not:
    # "not mad, just disappointed" came out positive. Three inert tokens after each clause
    # mark keep a negation inside its clause (they carry no valence, so the score is otherwise
    # unchanged). Only done when there is a negator: more tokens make VADER slower.
    if _NEGATOR_RE.search(text.lower()):
        text = _CLAUSE_RE.sub(r"\1 _ _ _ ", text)
    if text.isascii() and not _has_lexicon_word(text):
        return 0.0  # exactly what VADER returns when no token carries valence, 10x faster
    return float(_ANALYZER.polarity_scores(text)["compound"])


def _has_lexicon_word(text: str) -> bool:
    """Whether any token, split and stripped as VADER does, is in its lexicon."""
    for word in text.split():
        stripped = word.strip(string.punctuation)
        if (stripped if len(stripped) > 2 else word).lower() in _LEXICON:
            return True
    return False


def _chunks(text: str) -> list[str]:
    """Sentences of ``text`` packed into pieces of at most about _CHUNK_CHARS characters."""
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_RE.split(text):
        # a run-on "sentence" with no stop is cut at spaces instead
        parts = _SPACE_CUT_RE.findall(sentence) if len(sentence) > _CHUNK_CHARS else [sentence]
        for part in parts:
            if current and len(current) + len(part) > _CHUNK_CHARS:
                pieces.append(current)
                current = ""
            current += part
    if current.strip():
        pieces.append(current)
    return pieces


def sentiment(text: str) -> float:
    """Sentiment of one message, 0 (very negative) .. 0.5 (neutral) .. 1 (very positive).

    A long text is scored a few sentences at a time and the pieces averaged, weighted by
    length: VADER's cost grows with the square of a text's length (it re-reads the whole text
    for each sentiment word), and its authors recommend sentence-level scoring anyway.
    """
    if not text or text.isspace():
        return NEUTRAL
    text = text[:_MAX_CHARS]
    if len(text) <= _CHUNK_CHARS:
        value = compound(text)
    else:
        pieces = [(len(piece), compound(piece)) for piece in _chunks(text)]
        value = sum(n * c for n, c in pieces) / sum(n for n, _ in pieces)
    return round((value + 1.0) / 2.0, 4)


def label(score: float) -> Literal["neg", "neu", "pos"]:
    """The 3-way label of a sentiment score (thresholds NEG_BELOW and POS_ABOVE)."""
    if score < NEG_BELOW:
        return "neg"
    if score > POS_ABOVE:
        return "pos"
    return "neu"
