"""Reciprocal rank fusion of several rankings."""

from collections import defaultdict


def reciprocal_rank_fusion(rankings: list[tuple[list[int], float]], k: int = 60) -> dict[int, float]:
    """Fuse (ranked ids, weight) lists: score(id) = sum of weight / (k + rank), rank starting at 1."""
    scores: dict[int, float] = defaultdict(float)
    for ranked_ids, weight in rankings:
        for rank, item in enumerate(ranked_ids, start=1):
            scores[item] += weight / (k + rank)
    return dict(scores)
