"""Find what a creator already said to a message like this one.

A creator's own past replies are the best source of drafts: they are in her voice, about her
content, and she has already approved them by sending them. This module keeps, per creator, a
bounded TF-IDF index over (fan message -> the creator's reply that followed) pairs and answers
"which past fan messages look like this new one?" by cosine similarity.

Why hand-rolled instead of scikit-learn: the index changes with every reply the creator sends
and must answer in about a millisecond, with no heavy dependency in the service. A vectorizer
that is refitted on every change is too slow; this one keeps document frequencies and posting
lists up to date incrementally, so IDF is always the IDF of exactly the pairs in the index.

How the cosine stays exact while IDF moves: with smooth IDF ``idf(t) = A - b(t)`` where
``A = ln(1 + N) + 1`` (N = pairs in the index) and ``b(t) = ln(1 + df(t))``, a document's squared
norm is ``A^2 * S1 - 2A * S2 + S3`` with ``S1 = sum w^2``, ``S2 = sum w^2 b``, ``S3 = sum w^2 b^2``
(w = sublinear term frequency). ``S1`` never changes; ``S2`` and ``S3`` only change when the
document frequency of one of the document's terms changes, which happens on add/evict and is
applied to the posting list of that term. ``A`` is computed at query time. So a query costs one
walk over the posting lists of its own terms, and no stale weight is ever used.

Callers must pass only free-text replies: not PPV / paid messages, not mass messages, not
messages with attachments only. A reply that sells something at a price is not a reply to copy.
"""

import heapq
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

DEFAULT_CAPACITY: Final = 2000
MIN_REPLY_TOKENS: Final = 2

STOPWORDS: Final[frozenset[str]] = frozenset(
    """
    a an the and or but if of to in on at for from with by as is am are was were be been
    being it its this that these those i me my mine myself you your yours yourself u ur we
    us our he him his she her they them their do does did doing so just im ive id ill youre
    thats its will would can could should shall have has had having there here then than too
    very also
    """.split()  # noqa: SIM905
)

# Emoji and pictographs are tokens of their own: "😍" and "🍑" carry as much meaning in these
# chats as most words. Skin-tone modifiers, variation selectors and joiners are dropped.
_EMOJI = (
    "\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\u3030\u303d\u3297\u3299"
    "\U0001f000-\U0001f3fa\U0001f400-\U0001faff"
)
_TOKEN = re.compile(rf"[^\W_]+|[{_EMOJI}]")
_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
_RENORMALISE_EVERY: Final = 4096


def tokenize(text: str) -> list[str]:
    """Lowercased word and emoji tokens; punctuation and apostrophes dropped (don't -> dont)."""
    return _TOKEN.findall(_APOSTROPHES.sub("", text.lower()))


def terms(text: str) -> dict[str, float]:
    """Sublinear term weights (1 + ln tf) over unigrams and bigrams, stopwords removed first."""
    words = [t for t in tokenize(text) if t not in STOPWORDS]
    counts = Counter(words)
    counts.update(f"{a} {b}" for a, b in pairwise(words))
    return {t: 1.0 + math.log(c) for t, c in counts.items()}


@dataclass(frozen=True, slots=True)
class Match:
    """One past pair, scored against a query: ``score`` is cosine similarity in [0, 1]."""

    reply: str
    fan_text: str
    score: float
    at_ms: int
    fan_name: str | None = None


@dataclass(slots=True)
class _Doc:
    seq: int
    at_ms: int
    fan_text: str
    reply: str
    fan_name: str | None
    weights: dict[str, float]
    s1: float
    s2: float = 0.0
    s3: float = 0.0


class ReplyIndex:
    """A bounded, incrementally maintained TF-IDF index of one creator's (fan -> reply) pairs.

    When full, the oldest pair by ``at_ms`` (ties: the earliest added) is evicted; a pair older
    than everything in a full index is not added at all. Not thread-safe; one event loop owns it.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._docs: dict[int, _Doc] = {}
        self._postings: dict[str, dict[int, float]] = {}
        self._age: list[tuple[int, int]] = []  # min-heap of (at_ms, seq)
        self._seq = 0
        self._mutations = 0
        # 1 / norm per doc, valid for IDF offset ``_inv_a`` except for docs in ``_dirty`` (their
        # S2/S3 moved since). Recomputed lazily at query time: a full index has a constant N,
        # so only docs sharing a term with an added or evicted pair need a new norm.
        self._inv: dict[int, float] = {}
        self._inv_a = math.nan
        self._dirty: set[int] = set()

    def __len__(self) -> int:
        return len(self._docs)

    def document_frequency(self, term: str) -> int:
        """How many pairs in the index have ``term`` (a unigram or "a b" bigram) in the fan text."""
        posting = self._postings.get(term)
        return len(posting) if posting else 0

    @property
    def vocabulary_size(self) -> int:
        return len(self._postings)

    def add(
        self, fan_text: str, reply_text: str, at_ms: int, *, fan_name: str | None = None
    ) -> None:
        """Index one pair; ``reply_text`` must be a free (not PPV / paid) text reply.

        Ignored: a reply of fewer than two tokens ("ok", "😘"), a fan text with no indexable term
        (only stopwords or punctuation). ``fan_name`` is the name the old fan went by, so a reused
        reply can have it swapped for the new fan's (see ``adapt``).
        """
        reply = reply_text.strip()
        if len(tokenize(reply)) < MIN_REPLY_TOKENS:
            return
        weights = terms(fan_text)
        if not weights:
            return
        key = (at_ms, self._seq)
        if len(self._docs) >= self.capacity:
            if key < self._age[0]:
                return
            self._evict(heapq.heappop(self._age)[1])
        seq = self._seq
        self._seq += 1
        doc = _Doc(
            seq=seq,
            at_ms=at_ms,
            fan_text=fan_text,
            reply=reply,
            fan_name=fan_name,
            weights=weights,
            s1=sum(w * w for w in weights.values()),
        )
        for term, w in weights.items():
            posting = self._postings.setdefault(term, {})
            self._shift_df(posting, len(posting), len(posting) + 1)
            posting[seq] = w
            b = math.log1p(len(posting))
            doc.s2 += w * w * b
            doc.s3 += w * w * b * b
        self._docs[seq] = doc
        self._dirty.add(seq)
        heapq.heappush(self._age, (at_ms, seq))
        self._count_mutation()

    def _evict(self, seq: int) -> None:
        doc = self._docs.pop(seq)
        self._inv.pop(seq, None)
        self._dirty.discard(seq)
        for term in doc.weights:
            posting = self._postings[term]
            del posting[seq]
            if posting:
                self._shift_df(posting, len(posting) + 1, len(posting))
            else:
                del self._postings[term]
        self._count_mutation()

    def _shift_df(self, posting: dict[int, float], old_df: int, new_df: int) -> None:
        """A term's df moved from ``old_df`` to ``new_df``: fix S2/S3 of every doc holding it."""
        b_old, b_new = math.log1p(old_df), math.log1p(new_df)
        d2, d3 = b_new - b_old, b_new * b_new - b_old * b_old
        docs = self._docs
        for other, w in posting.items():
            doc = docs[other]
            w2 = w * w
            doc.s2 += w2 * d2
            doc.s3 += w2 * d3
        self._dirty.update(posting)

    def _count_mutation(self) -> None:
        # The incremental S2/S3 updates are exact up to float rounding; recomputing them from
        # scratch now and then keeps the rounding from accumulating over a long-lived index.
        self._mutations += 1
        if self._mutations % _RENORMALISE_EVERY == 0:
            self._renormalise()

    def _renormalise(self) -> None:
        b = {term: math.log1p(len(p)) for term, p in self._postings.items()}
        for doc in self._docs.values():
            doc.s2 = sum(w * w * b[t] for t, w in doc.weights.items())
            doc.s3 = sum(w * w * b[t] * b[t] for t, w in doc.weights.items())
        self._inv_a = math.nan

    def _inverse_norms(self, big_a: float) -> dict[int, float]:
        """1 / |d| for every doc under the current IDF, refreshing only what went stale."""
        if big_a != self._inv_a:
            stale: Iterable[int] = self._docs
            self._inv_a = big_a
        else:
            stale = self._dirty
        docs, inv, a2 = self._docs, self._inv, big_a * big_a
        for seq in stale:
            d = docs[seq]
            inv[seq] = 1.0 / math.sqrt(a2 * d.s1 - 2.0 * big_a * d.s2 + d.s3)
        self._dirty.clear()
        return inv

    def query(self, text: str, k: int = 3) -> list[Match]:
        """The ``k`` best-matching past pairs, best first, with distinct replies and score > 0.

        Query terms the index has never seen still count in the query's norm, so a long message
        that only partly overlaps a stored one scores below an exact repeat. Ties go to the
        newer pair.
        """
        if k < 1 or not self._docs:
            return []
        query = terms(text)
        if not query:
            return []
        big_a = math.log1p(len(self._docs)) + 1.0
        scores: dict[int, float] = {}
        q_norm2 = 0.0
        for term, qw in query.items():
            posting = self._postings.get(term)
            idf = big_a - math.log1p(len(posting) if posting else 0)
            qv = qw * idf
            q_norm2 += qv * qv
            if not posting:
                continue
            factor = qv * idf
            if scores:
                get = scores.get
                for seq, w in posting.items():
                    scores[seq] = get(seq, 0.0) + factor * w
            else:
                scores = {seq: factor * w for seq, w in posting.items()}
        if not scores:
            return []
        inv = self._inverse_norms(big_a)
        scale = 1.0 / math.sqrt(q_norm2)
        docs = self._docs
        ranked = [(dot * inv[seq], seq) for seq, dot in scores.items()]
        want = 4 * k
        while True:
            top = heapq.nlargest(want, ranked)
            top.sort(key=lambda t: (t[0], docs[t[1]].at_ms, t[1]), reverse=True)
            out: list[Match] = []
            seen: set[str] = set()
            for cos, seq in top:
                doc = docs[seq]
                key = " ".join(doc.reply.lower().split())
                if key in seen:
                    continue
                seen.add(key)
                score = min(1.0, cos * scale)
                out.append(Match(doc.reply, doc.fan_text, score, doc.at_ms, doc.fan_name))
                if len(out) == k:
                    return out
            if want >= len(ranked):
                return out
            want *= 4
