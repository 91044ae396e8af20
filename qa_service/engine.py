"""The question-answering engine: embed the question, retrieve passages, compose a cited answer."""

import time
from collections import OrderedDict
from threading import Lock

import numpy as np

from qa_service.answer.composer import AnswerComposer
from qa_service.answer.language import question_language
from qa_service.config import Settings
from qa_service.index.dense import set_search_threads
from qa_service.index.embedder import Embedder
from qa_service.index.store import IndexData, load_index
from qa_service.retrieve.retriever import Filters, Retriever, SearchResult
from qa_service.models import Answer, Timings

QUERY_CACHE_SIZE = 2048


class QueryVectorCache:
    """A small thread-safe LRU of question embeddings, so repeated questions skip the model."""

    def __init__(self, size: int = QUERY_CACHE_SIZE):
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size, self._lock = size, Lock()

    @staticmethod
    def key(question: str) -> str:
        return " ".join(question.lower().split())

    def get(self, question: str) -> np.ndarray | None:
        with self._lock:
            vector = self._items.get(self.key(question))
            if vector is not None:
                self._items.move_to_end(self.key(question))
            return vector

    def put(self, question: str, vector: np.ndarray):
        with self._lock:
            self._items[self.key(question)] = vector
            self._items.move_to_end(self.key(question))
            while len(self._items) > self._size:
                self._items.popitem(last=False)


class QAEngine:
    """Answers questions over one loaded index.

    >>> engine = QAEngine.load(get_settings())
    >>> engine.ask("Welche Partner hat Ulm?").citations[0].url
    """

    def __init__(self, settings: Settings, embedder: Embedder, index: IndexData):
        self.settings, self.embedder, self.index = settings, embedder, index
        self.retriever = Retriever(index, rrf_k=settings.rrf_k, dense_weight=settings.dense_weight,
                                   bm25_weight=settings.bm25_weight)
        self.composer = AnswerComposer(index, index.lexical.analyzer, self.retriever.detector,
                                       settings.answer_sentences, settings.abstain_threshold,
                                       settings.missing_term_threshold, settings.abstain_threshold_en,
                                       cutoff=settings.answer_cutoff)
        self.query_cache = QueryVectorCache()

    @classmethod
    def load(cls, settings: Settings, embedder: Embedder | None = None) -> "QAEngine":
        embedder = embedder or Embedder(settings.embedding_model, settings.query_threads)
        set_search_threads(settings.query_threads)
        index = load_index(settings.index_dir, embedder.name)
        index.dense.ef_search = settings.hnsw_ef_search
        engine = cls(settings, embedder, index)
        engine.warm_up()
        return engine

    def warm_up(self):
        """Load the model and run it on the batch sizes and lengths that serving produces, so the first
        questions are not slow and memory starts near its working size (RSS otherwise climbs ~15 %
        over the first minute of load, then stays flat)."""
        words = "Welche Projekte zur Digitalisierung der Verwaltung plant die Stadt mit ihren Partnern".split()
        for batch in (1, 2, 4, 8, 16, 32):
            self.embedder.encode([" ".join(words[: 3 + (i * 5) % len(words)]) * (1 + i % 3) for i in range(batch)])

    def embed_questions(self, questions: list[str]) -> np.ndarray:
        """Embeddings of several questions in one model call, served from the cache where possible."""
        vectors: list[np.ndarray | None] = [self.query_cache.get(q) for q in questions]
        missing = [i for i, vector in enumerate(vectors) if vector is None]
        if missing:
            for i, vector in zip(missing, self.embedder.encode([questions[i] for i in missing])):
                self.query_cache.put(questions[i], vector)
                vectors[i] = vector
        return np.stack(vectors)

    def search(self, question: str, mode: str | None = None, top_k: int | None = None,
               filters: Filters | None = None, query_vector: np.ndarray | None = None) -> SearchResult:
        mode = mode or self.settings.retrieval_mode
        if query_vector is None and mode != "bm25":
            query_vector = self.embed_questions([question])[0]
        return self.retriever.search(question, query_vector, mode, top_k or self.settings.top_k, filters)

    def ask(self, question: str, mode: str | None = None, top_k: int | None = None,
            filters: Filters | None = None, query_vector: np.ndarray | None = None) -> Answer:
        started = time.perf_counter()
        mode = mode or self.settings.retrieval_mode
        if query_vector is None:
            query_vector = self.embed_questions([question])[0]
        embedded = time.perf_counter()
        result = self.retriever.search(question, query_vector, mode, top_k or self.settings.top_k, filters)
        searched = time.perf_counter()
        composed = self.composer.compose(question, query_vector, result.hits, question_language(question),
                                         ignore_terms=result.cities, sections=result.sections)
        done = time.perf_counter()
        return Answer(
            answer=composed.text, abstained=composed.abstained, citations=composed.citations,
            timings_ms=Timings(embed=_ms(started, embedded), search=_ms(embedded, searched),
                               answer=_ms(searched, done), total=_ms(started, done)))


def _ms(start: float, end: float) -> float:
    return round((end - start) * 1000, 3)
