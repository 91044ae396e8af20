"""Lexical search: BM25 (bm25s) over German-analysed tokens."""

import json
from pathlib import Path

import bm25s
import numpy as np

from qa_service.index.german import GermanAnalyzer


class LexicalIndex:
    """BM25 over chunk texts; document i is chunk i."""

    def __init__(self, bm25: bm25s.BM25, analyzer: GermanAnalyzer):
        self._bm25 = bm25
        self.analyzer = analyzer

    @classmethod
    def build(cls, texts: list[str]) -> "LexicalIndex":
        analyzer = GermanAnalyzer.from_texts(texts)
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        bm25.index([analyzer.tokens(text) or ["\u2205"] for text in texts], show_progress=False)
        return cls(bm25, analyzer)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for `query` (zeros where no token matches)."""
        known = [token for token in self.analyzer.tokens(query) if token in self._bm25.vocab_dict]
        if not known:
            return np.zeros(self._bm25.scores["num_docs"], dtype=np.float32)
        return self._bm25.get_scores(known).astype(np.float32)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        scores = self.scores(query)
        if allowed is not None:
            masked = np.full_like(scores, -1.0)
            masked[allowed] = scores[allowed]
            scores = masked
        k = min(k, int((scores > 0).sum()))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return top.astype(np.int64), scores[top]

    def save(self, folder: Path):
        self._bm25.save(str(folder))
        (folder / "vocabulary.json").write_text(json.dumps(sorted(self.analyzer.vocabulary)), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        vocabulary = frozenset(json.loads((folder / "vocabulary.json").read_text(encoding="utf-8")))
        return cls(bm25s.BM25.load(str(folder)), GermanAnalyzer(vocabulary))
