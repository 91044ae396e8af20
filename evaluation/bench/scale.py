"""Dense search at scale: exact (flat) against approximate (HNSW) FAISS search over synthetic corpora."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import faiss
import numpy as np

from evaluation.bench.figures import ScaleRow
from evaluation.bench.timing import p50, progress, timed
from qa_service.index.dense import DenseIndex

SCALE_NOISE = 0.02          # Gaussian noise per component of the synthetic vectors (cosine ≈ 0.93 to the original)
SCALE_QUERIES = 200
RECALL_K = 10
SCORE_TOLERANCE = 0.01

Hits = list[tuple[np.ndarray, np.ndarray]]   # (ids, scores) of the top RECALL_K, one pair a query


def indexed_chunk_vectors(index_dir: Path) -> np.ndarray:
    """The chunk vectors of the current build (layout: see qa_service.index.store)."""
    index = faiss.read_index(str(index_dir / "current" / "dense.faiss"))
    return index.reconstruct_n(0, index.ntotal)


def synthetic_vectors(real: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """The real vectors plus perturbed, renormalised copies of them up to `size` rows."""
    if size <= len(real):
        return real[:size]
    extra = size - len(real)
    copies = real[np.arange(extra) % len(real)] + rng.normal(0, SCALE_NOISE, (extra, real.shape[1]))
    copies /= np.linalg.norm(copies, axis=1, keepdims=True)
    return np.vstack([real, copies]).astype(np.float32)


def search_all(index: DenseIndex, queries: np.ndarray) -> tuple[float, Hits]:
    """p50 latency and the (ids, scores) of the top RECALL_K of every query."""
    latencies, found = [], []
    for query in queries:
        result, seconds = timed(index.search, query, RECALL_K)
        latencies.append(seconds * 1000)
        found.append(result)
    return p50(latencies), found


def recall(approximate: Hits, exact: Hits) -> float:
    return float(np.mean([len(set(a_ids.tolist()) & set(e_ids.tolist())) / max(1, len(e_ids))
                          for (a_ids, _), (e_ids, _) in zip(approximate, exact)]))


def near_tie_share(approximate: Hits, exact: Hits) -> float:
    """Share of the approximate hits that score within SCORE_TOLERANCE of the exact k-th hit: the
    near-duplicates of the synthetic corpora make many ranks near-ties, which recall counts as misses."""
    return float(np.mean([np.mean(a_scores >= e_scores[-1] - SCORE_TOLERANCE)
                          for (_, a_scores), (_, e_scores) in zip(approximate, exact) if len(e_scores)]))


@contextmanager
def faiss_threads(count: int) -> Iterator[None]:
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(count)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


def measure_scale(real: np.ndarray, queries: np.ndarray, sizes: tuple[int, ...]) -> list[ScaleRow]:
    """Exact (flat) and approximate (HNSW) search at the real size and at synthetic sizes."""
    rng, rows = np.random.default_rng(0), []
    for size in (len(real), *sizes):
        vectors = synthetic_vectors(real, size, rng)
        flat, flat_s = timed(DenseIndex.build, vectors, "flat")
        hnsw, hnsw_s = timed(DenseIndex.build, vectors, "hnsw")
        flat_ms, exact = search_all(flat, queries)
        with faiss_threads(1):
            flat_one_thread_ms, _ = search_all(flat, queries)
        hnsw_ms, approximate = search_all(hnsw, queries)
        hnsw_recall = recall(approximate, exact)
        rows.append(ScaleRow(chunks=size, flat_build_s=round(flat_s, 3), hnsw_build_s=round(hnsw_s, 3),
                             flat_p50_ms=flat_ms, flat_one_thread_p50_ms=flat_one_thread_ms, hnsw_p50_ms=hnsw_ms,
                             recall_at_10=round(hnsw_recall, 4),
                             near_tie_share=round(near_tie_share(approximate, exact), 4)))
        progress(f"scale {size}: flat {flat_ms} ms, hnsw {hnsw_ms} ms, recall@10 {hnsw_recall:.3f}")
    return rows
