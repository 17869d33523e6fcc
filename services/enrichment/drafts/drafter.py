"""One suggested reply per fan message, from the best source available, always safety-checked.

Sources, in order: a model (if the operator configured one and it answers), the creator's own
most similar past reply (if it is similar enough and safe to reuse), a template for the
message's topic, a generic template. Each later source is weaker but never missing, so a
chatter always gets a starting point. The draft is a suggestion: nothing here sends it.

Confidence is a rough ranking signal for the UI, not a probability: retrieval uses the cosine
score (scaled down by ``adapt`` for relative dates), a model draft a fixed prior, templates a low
one; a draft the safety check blocks has confidence 0.
"""

from dataclasses import dataclass
from typing import Final, Literal, NamedTuple

from services.enrichment.drafts import templates
from services.enrichment.drafts.adapt import adapt
from services.enrichment.drafts.llm import LlmDrafter
from services.enrichment.drafts.retrieval import DEFAULT_CAPACITY, ReplyIndex
from services.enrichment.drafts.safety import SafetyPolicy, Verdict, check

DEFAULT_RETRIEVAL_THRESHOLD: Final = 0.35
LLM_CONFIDENCE: Final = 0.6
TEMPLATE_CONFIDENCE: Final = 0.3
GENERIC_CONFIDENCE: Final = 0.15
CANDIDATES: Final = 5

Source = Literal["llm", "retrieval", "template"]


@dataclass(frozen=True, slots=True)
class Draft:
    """A suggestion for the chatter: its text, where it came from, and the safety verdict."""

    text: str
    source: Source
    confidence: float
    intent: str | None
    verdict: Verdict


class _Candidate(NamedTuple):
    score: float  # the retrieval cosine, compared with the threshold
    factor: float  # from adapt: confidence = score * factor
    text: str
    verdict: Verdict


def _draft(text: str, source: Source, confidence: float, intent: str | None, v: Verdict) -> Draft:
    return Draft(text, source, 0.0 if v.blocked else confidence, intent, v)


class Drafter:
    """Per-creator reply indexes plus the source order; one instance serves many creators.

    ``learn`` must be given only free text replies (not PPV / paid messages); see
    ``ReplyIndex.add``.
    """

    def __init__(
        self,
        index_capacity: int = DEFAULT_CAPACITY,
        llm: LlmDrafter | None = None,
        *,
        retrieval_threshold: float = DEFAULT_RETRIEVAL_THRESHOLD,
    ) -> None:
        self.index_capacity = index_capacity
        self.llm = llm
        self.retrieval_threshold = retrieval_threshold
        self._indexes: dict[int, ReplyIndex] = {}

    def index(self, creator_id: int) -> ReplyIndex:
        """The creator's index, created empty on first use."""
        idx = self._indexes.get(creator_id)
        if idx is None:
            idx = self._indexes[creator_id] = ReplyIndex(self.index_capacity)
        return idx

    def learn(
        self,
        creator_id: int,
        fan_text: str,
        reply_text: str,
        at_ms: int,
        *,
        fan_name: str | None = None,
    ) -> None:
        """Remember that the creator answered ``fan_text`` with ``reply_text`` (free text only)."""
        self.index(creator_id).add(fan_text, reply_text, at_ms, fan_name=fan_name)

    def _retrieved(
        self, creator_id: int, fan_message: str, fan_name: str | None, policy: SafetyPolicy
    ) -> list[_Candidate]:
        """Reusable past replies, best first, adapted to this fan; none blocked.

        Candidates ``adapt`` refuses (a price, a date) or the safety check blocks are skipped.
        """
        idx = self._indexes.get(creator_id)
        if idx is None:
            return []
        out: list[_Candidate] = []
        for match in idx.query(fan_message, k=CANDIDATES):
            adapted = adapt(match.reply, old_name=match.fan_name, new_name=fan_name)
            if adapted is None:
                continue
            verdict = check(adapted.text, policy)
            if verdict.blocked:
                continue
            out.append(_Candidate(match.score, adapted.factor, adapted.text, verdict))
        return out

    def suggest_offline(
        self,
        creator_id: int,
        *,
        fan_message: str,
        intent: str | None,
        fan_name: str | None,
        history: list[tuple[str, str]],
        seed: str,
        policy: SafetyPolicy,
    ) -> Draft:
        """The draft without a model: retrieval at or above the threshold, else a template.

        The threshold applies to the best *reusable* candidate's cosine score: a better match
        that quotes a price or is blocked is skipped first.
        ``history`` is accepted for symmetry with ``suggest`` and is not used offline.
        """
        del history
        found = self._retrieved(creator_id, fan_message, fan_name, policy)
        if found and found[0].score >= self.retrieval_threshold:
            best = found[0]
            return _draft(best.text, "retrieval", best.score * best.factor, intent, best.verdict)
        text = templates.render(intent, seed=seed, fan_name=fan_name)
        confidence = TEMPLATE_CONFIDENCE if intent in templates.TEMPLATES else GENERIC_CONFIDENCE
        return _draft(text, "template", confidence, intent, check(text, policy))

    async def suggest(
        self,
        creator_id: int,
        *,
        fan_message: str,
        intent: str | None,
        fan_name: str | None,
        history: list[tuple[str, str]],
        seed: str,
        policy: SafetyPolicy,
    ) -> Draft:
        """The model's draft if one is configured and answers, else ``suggest_offline``.

        A model draft the safety check blocks is returned blocked (with its reasons), not
        replaced: the chatter should see that the model went wrong.
        """
        if self.llm is not None:
            found = self._retrieved(creator_id, fan_message, fan_name, policy)
            examples = [c.text for c in found]
            text = await self.llm.draft(
                fan_message=fan_message,
                history=history,
                intent=intent,
                fan_name=fan_name,
                examples=examples,
            )
            if text is not None:
                return _draft(text, "llm", LLM_CONFIDENCE, intent, check(text, policy))
        return self.suggest_offline(
            creator_id,
            fan_message=fan_message,
            intent=intent,
            fan_name=fan_name,
            history=history,
            seed=seed,
            policy=policy,
        )

    async def aclose(self) -> None:
        """Close the model client, if any."""
        if self.llm is not None:
            await self.llm.aclose()
