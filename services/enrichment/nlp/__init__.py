"""Offline per-message NLP of the enrichment service: sentiment, topics, entities.

Why one entry point (:func:`score_text`) and one version string (:data:`MODEL`): every score
the service stores is tagged with the model that made it, so scores made by different rule
sets are never mixed silently, and a rule change is one bump of ``MODEL`` plus a re-score.
Bump it whenever a lexicon, a rule or an output format changes.

Everything here is pure Python with no network and no model download at run time (VADER's
lexicon ships inside its wheel), and cheap enough to run on every message as it arrives
(docs/enrichment.md has the measured speed). Long texts are cut to their first
:data:`MAX_CHARS` characters: a chat message that long is a paste, and its opening says what
it is about.
"""

from dataclasses import dataclass
from typing import Final

# Modules under private names: ``nlp.sentiment`` etc. stay the submodules, not functions.
from services.enrichment.nlp import entities as _entities
from services.enrichment.nlp import sentiment as _sentiment
from services.enrichment.nlp import topics as _topics

MODEL: Final = "ofca-nlp-1"
MAX_CHARS: Final = 2_000

__all__ = ["MAX_CHARS", "MODEL", "Scores", "score_text"]


@dataclass(frozen=True, slots=True)
class Scores:
    """What the models say about one message.

    ``sentiment`` is 0 (very negative) .. 0.5 (neutral) .. 1 (very positive); ``topics`` are
    taxonomy topic names in ``taxonomy.TOPICS`` order; ``entities`` are ``money:``, ``link:``
    and ``handle:`` strings in order of appearance.
    """

    sentiment: float
    topics: tuple[str, ...]
    entities: tuple[str, ...]


EMPTY: Final = Scores(_sentiment.NEUTRAL, (), ())


def score_text(text: str) -> Scores:
    """Sentiment, topics and entities of one plain-text message (first MAX_CHARS chars)."""
    if not text or text.isspace():
        return EMPTY
    text = text[:MAX_CHARS]
    return Scores(
        sentiment=_sentiment.sentiment(text),
        topics=_topics.topics_of_normalised(_topics.normalise(text)),
        entities=_entities.entities(text),
    )
