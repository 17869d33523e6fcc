"""Evaluate the enrichment service's per-message NLP on the hand-labelled chat lines.

Why a script and not only a test: the figures (per-topic precision/recall, sentiment
agreement, speed) are what docs/enrichment.md reports and what a rule change must be judged
by, so anyone can rerun them in one command:

    python -m tools.enrichment_eval                # test split (the held-out figures)
    python -m tools.enrichment_eval --split dev    # the split rules may be tuned on
    python -m tools.enrichment_eval --json         # machine-readable
    python -m tools.enrichment_eval --split dev --errors   # the lines it gets wrong

Rules are tuned looking at ``dev`` only; ``test`` is the honest estimate. ``--errors`` on
``test`` defeats that: use it only to explain a figure, never to write a rule.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Final, Literal, cast

from services.enrichment.nlp import MODEL, score_text
from services.enrichment.nlp.sentiment import NEG_BELOW, POS_ABOVE, label
from services.enrichment.nlp.taxonomy import TOPICS

LABELLED: Final = (
    Path(__file__).resolve().parent.parent / "services" / "enrichment" / "eval" / "labelled.jsonl"
)
SENTIMENTS: Final = ("neg", "neu", "pos")
Split = Literal["dev", "test", "all"]


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    direction: str
    topics: frozenset[str]
    sentiment: str
    split: str


@dataclass(frozen=True, slots=True)
class TopicScore:
    topic: str
    support: int
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class Report:
    split: str
    model: str
    examples: int
    topics: list[TopicScore]
    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    exact_match: float
    sentiment_agreement: float
    # confusion[gold][predicted]
    confusion: dict[str, dict[str, int]]
    messages_per_second: float
    errors: list[dict[str, object]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["topics"] = [
            {
                "topic": t.topic,
                "support": t.support,
                "tp": t.tp,
                "fp": t.fp,
                "fn": t.fn,
                "precision": round(t.precision, 4),
                "recall": round(t.recall, 4),
                "f1": round(t.f1, 4),
            }
            for t in self.topics
        ]
        out["sentiment_thresholds"] = {"neg_below": NEG_BELOW, "pos_above": POS_ABOVE}
        return out


def load(path: Path = LABELLED, split: Split = "test") -> list[Example]:
    """The labelled lines of ``split`` (``all``: every line); checks labels as it reads."""
    examples: list[Example] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        unknown = set(row["topics"]) - set(TOPICS)
        if unknown or row["sentiment"] not in SENTIMENTS or row["split"] not in ("dev", "test"):
            raise ValueError(f"{path}:{number}: bad labels in {row!r}")
        if split in ("all", row["split"]):
            examples.append(
                Example(
                    text=row["text"],
                    direction=row["direction"],
                    topics=frozenset(row["topics"]),
                    sentiment=row["sentiment"],
                    split=row["split"],
                )
            )
    return examples


def speed(
    texts: Sequence[str], min_seconds: float = 1.0, min_messages: int = 20_000, rounds: int = 3
) -> float:
    """Messages scored per second by ``score_text`` on one core: the best of ``rounds`` timed
    rounds, each over repeated passes of ``texts`` (at least ``min_seconds / rounds`` seconds
    and ``min_messages / rounds`` messages). Best-of, as ``timeit`` advises: on a shared
    machine the slower rounds measure the neighbours, not the code.
    """
    if not texts:
        return 0.0
    best = 0.0
    for _ in range(rounds):
        done = 0
        start = time.perf_counter()
        elapsed = 0.0
        while elapsed < min_seconds / rounds or done < min_messages / rounds:
            for text in texts:
                score_text(text)
            done += len(texts)
            elapsed = time.perf_counter() - start
        best = max(best, done / elapsed)
    return best


def evaluate(
    split: Split = "test", path: Path = LABELLED, *, timing: bool = True, errors: bool = False
) -> Report:
    """Score every line of ``split`` and compare with its labels."""
    examples = load(path, split)
    tp = dict.fromkeys(TOPICS, 0)
    fp = dict.fromkeys(TOPICS, 0)
    fn = dict.fromkeys(TOPICS, 0)
    confusion = {gold: dict.fromkeys(SENTIMENTS, 0) for gold in SENTIMENTS}
    exact = 0
    wrong: list[dict[str, object]] = []
    for ex in examples:
        scores = score_text(ex.text)
        predicted = frozenset(scores.topics)
        for topic in TOPICS:
            if topic in predicted and topic in ex.topics:
                tp[topic] += 1
            elif topic in predicted:
                fp[topic] += 1
            elif topic in ex.topics:
                fn[topic] += 1
        exact += predicted == ex.topics
        got = label(scores.sentiment)
        confusion[ex.sentiment][got] += 1
        if errors and (predicted != ex.topics or got != ex.sentiment):
            wrong.append(
                {
                    "text": ex.text,
                    "missed": sorted(ex.topics - predicted),
                    "extra": sorted(predicted - ex.topics),
                    "sentiment": f"{ex.sentiment}->{got} ({scores.sentiment:.3f})",
                }
            )
    per_topic = [TopicScore(t, tp[t] + fn[t], tp[t], fp[t], fn[t]) for t in TOPICS if tp[t] + fn[t]]
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    micro = TopicScore("micro", all_tp + all_fn, all_tp, all_fp, all_fn)
    n = len(per_topic) or 1
    agree = sum(confusion[s][s] for s in SENTIMENTS)
    return Report(
        split=split,
        model=MODEL,
        examples=len(examples),
        topics=per_topic,
        micro_precision=round(micro.precision, 4),
        micro_recall=round(micro.recall, 4),
        micro_f1=round(micro.f1, 4),
        macro_precision=round(sum(t.precision for t in per_topic) / n, 4),
        macro_recall=round(sum(t.recall for t in per_topic) / n, 4),
        macro_f1=round(sum(t.f1 for t in per_topic) / n, 4),
        exact_match=round(exact / len(examples), 4) if examples else 0.0,
        sentiment_agreement=round(agree / len(examples), 4) if examples else 0.0,
        confusion=confusion,
        messages_per_second=round(speed([e.text for e in examples])) if timing else 0.0,
        errors=wrong,
    )


def render(report: Report) -> str:
    """The report as the plain-text tables the docs quote."""
    lines = [
        f"model {report.model}, split {report.split}, {report.examples} labelled lines",
        "",
        f"{'topic':<22}{'support':>8}{'precision':>11}{'recall':>8}{'F1':>7}",
    ]
    lines.extend(
        f"{t.topic:<22}{t.support:>8}{t.precision:>11.2f}{t.recall:>8.2f}{t.f1:>7.2f}"
        for t in report.topics
    )
    support = sum(t.support for t in report.topics)
    lines += [
        f"{'micro avg':<22}{support:>8}{report.micro_precision:>11.2f}"
        f"{report.micro_recall:>8.2f}{report.micro_f1:>7.2f}",
        f"{'macro avg':<22}{support:>8}{report.macro_precision:>11.2f}"
        f"{report.macro_recall:>8.2f}{report.macro_f1:>7.2f}",
        f"exact topic-set match: {report.exact_match:.2f}",
        "",
        f"sentiment agreement: {report.sentiment_agreement:.2f} "
        f"(neg < {NEG_BELOW} <= neu <= {POS_ABOVE} < pos)",
        "gold \\ predicted".ljust(18) + "".join(f"{s:>6}" for s in SENTIMENTS),
    ]
    lines.extend(
        f"{gold:<18}" + "".join(f"{report.confusion[gold][got]:>6}" for got in SENTIMENTS)
        for gold in SENTIMENTS
    )
    if report.messages_per_second:
        lines += ["", f"speed: {report.messages_per_second:,.0f} messages/s (one core)"]
    for err in report.errors:
        lines.append(
            f"  {err['text']!r}: missed {err['missed']} extra {err['extra']} "
            f"sentiment {err['sentiment']}"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.enrichment_eval", description=__doc__)
    parser.add_argument("--split", choices=("test", "dev", "all"), default="test")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--errors", action="store_true", help="list the lines it gets wrong")
    parser.add_argument("--no-timing", action="store_true", help="skip the speed measurement")
    parser.add_argument("--file", type=Path, default=LABELLED, help="labelled JSONL file")
    args = parser.parse_args(argv)
    report = evaluate(
        cast(Split, args.split), args.file, timing=not args.no_timing, errors=args.errors
    )
    if args.json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
