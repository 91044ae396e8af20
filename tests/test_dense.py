"""FAISS stores: exact and HNSW search, filters, save and load."""

import numpy as np
import pytest

from qa_service.index.dense import DenseIndex


@pytest.fixture(scope="module")
def vectors():
    rng = np.random.default_rng(7)
    data = rng.normal(size=(2000, 32)).astype(np.float32)
    return data / np.linalg.norm(data, axis=1, keepdims=True)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_search_finds_the_vector_itself_and_respects_filters(vectors, kind, tmp_path):
    index = DenseIndex.build(vectors, kind)
    ids, scores = index.search(vectors[123], k=5)
    assert ids[0] == 123 and scores[0] == pytest.approx(1.0, abs=1e-4)
    allowed = np.arange(1000, 1100)
    ids, _ = index.search(vectors[1050], k=10, allowed=allowed)
    assert ids[0] == 1050 and set(ids) <= set(allowed)
    index.save(tmp_path / "dense.faiss")
    assert DenseIndex.load(tmp_path / "dense.faiss").kind == kind


def test_hnsw_recall_against_exact(vectors):
    exact, approximate = DenseIndex.build(vectors, "flat"), DenseIndex.build(vectors, "hnsw")
    queries = vectors[:50] + 0.05
    recall = np.mean([len(set(exact.search(q, 10)[0]) & set(approximate.search(q, 10)[0])) / 10 for q in queries])
    assert recall >= 0.95


def test_unknown_index_type_is_refused(vectors):
    with pytest.raises(ValueError, match="unknown index type"):
        DenseIndex.build(vectors, "ivf")
