"""Answer-quality metrics: ranking over distinct documents, key facts, citations, abstention, latency."""

import math
import re
import unicodedata
from collections.abc import Sequence

from pydantic import BaseModel, Field

from qa_service.retrieve.cities import fold as fold_umlauts

KeyFact = str | list[str]  # a list holds alternatives: any one of them suffices


def distinct(doc_ids: Sequence[str]) -> list[str]:
    """The ids in order of first appearance."""
    return list(dict.fromkeys(doc_ids))


def recall_at(ranked: Sequence[str], expected: Sequence[str], k: int) -> float:
    """Share of the expected documents among the first k distinct documents."""
    return len(set(ranked[:k]) & set(expected)) / len(set(expected))


def reciprocal_rank(ranked: Sequence[str], expected: Sequence[str], k: int = 10) -> float:
    """1 / rank of the first expected document within the first k, else 0."""
    return next((1 / rank for rank, doc in enumerate(ranked[:k], start=1) if doc in expected), 0.0)


def ndcg_at(ranked: Sequence[str], expected: Sequence[str], k: int = 10) -> float:
    """Normalised discounted cumulative gain with binary relevance."""
    gain = sum(1 / math.log2(rank + 1) for rank, doc in enumerate(ranked[:k], start=1) if doc in expected)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(set(expected)), k) + 1))
    return gain / ideal


def fold(text: str) -> str:
    """Text for matching: case-, accent- and spacing-insensitive, German umlauts spelt out (ä = ae)."""
    return re.sub(r"\s+", " ", fold_umlauts(unicodedata.normalize("NFKC", text))).strip()


def missing_key_facts(answer: str, key_facts: Sequence[KeyFact]) -> list[KeyFact]:
    """The key facts of which neither the fact nor any of its alternatives occurs in the answer."""
    folded = fold(answer)
    return [fact for fact in key_facts
            if not any(fold(option) in folded for option in ([fact] if isinstance(fact, str) else fact))]


def key_facts_present(answer: str, key_facts: Sequence[KeyFact]) -> bool:
    return not missing_key_facts(answer, key_facts)


def citation_precision(cited: Sequence[str], expected: Sequence[str]) -> float:
    """Share of the distinct cited documents that are expected."""
    cited = distinct(cited)
    return sum(doc in expected for doc in cited) / len(cited) if cited else 0.0


def percentile(values: Sequence[float], share: float) -> float:
    """The value below which `share` of the values lie (linear interpolation)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class Outcome(BaseModel):
    """What one mode did with one question."""
    id: str
    category: str
    answerable: bool
    question: str = Field(description="The question as searched (follow-ups resolved)")
    expected_docs: list[str]
    key_facts: list[KeyFact]
    ranked_docs: list[str] = Field(description="Distinct documents in rank order (first 10)")
    answer: str
    abstained: bool
    cited_docs: list[str]
    latency_ms: float

    @property
    def scored_for_ranking(self) -> bool:
        return self.answerable and bool(self.expected_docs)

    @property
    def facts_found(self) -> bool | None:
        """Whether the answer holds all key facts; None where the question has none to check."""
        if not (self.answerable and self.key_facts):
            return None
        return not self.abstained and key_facts_present(self.answer, self.key_facts)

    @property
    def citation_precision(self) -> float | None:
        if not self.answerable or self.abstained:
            return None
        return citation_precision(self.cited_docs, self.expected_docs)


class MetricSet(BaseModel):
    """Metrics over a group of outcomes; None where no question of the group applies."""
    questions: int
    recall_at_1: float | None = None
    recall_at_5: float | None = None
    recall_at_10: float | None = None
    mrr_at_10: float | None = None
    ndcg_at_10: float | None = None
    key_fact_accuracy: float | None = None
    citation_precision: float | None = None
    abstention_accuracy: float | None = None
    false_abstention_rate: float | None = None
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def summarize(outcomes: Sequence[Outcome]) -> MetricSet:
    ranked = [o for o in outcomes if o.scored_for_ranking]
    facts = [o.facts_found for o in outcomes if o.facts_found is not None]
    precision = [o.citation_precision for o in outcomes if o.citation_precision is not None]
    latencies = [o.latency_ms for o in outcomes]
    return MetricSet(
        questions=len(outcomes),
        **{f"recall_at_{k}": _mean([recall_at(o.ranked_docs, o.expected_docs, k) for o in ranked]) for k in (1, 5, 10)},
        mrr_at_10=_mean([reciprocal_rank(o.ranked_docs, o.expected_docs) for o in ranked]),
        ndcg_at_10=_mean([ndcg_at(o.ranked_docs, o.expected_docs) for o in ranked]),
        key_fact_accuracy=_mean([float(found) for found in facts]),
        citation_precision=_mean(precision),
        abstention_accuracy=_mean([float(o.abstained) for o in outcomes if not o.answerable]),
        false_abstention_rate=_mean([float(o.abstained) for o in outcomes if o.answerable]),
        latency_p50_ms=round(percentile(latencies, 0.5), 2) if latencies else None,
        latency_p95_ms=round(percentile(latencies, 0.95), 2) if latencies else None)
