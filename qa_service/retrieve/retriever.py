"""Dense, BM25 and hybrid search over the index, with metadata filters and city detection."""

from dataclasses import dataclass, field

import numpy as np

from qa_service.atlas import ATLAS_CITIES
from qa_service.index.store import IndexData
from qa_service.ingest.markers import strip_markers
from qa_service.retrieve.cities import CityDetector
from qa_service.retrieve.fusion import reciprocal_rank_fusion
from qa_service.retrieve.intent import question_sections, section_matches

MODES = ("hybrid", "dense", "bm25")
MULTI_CITY_BOOST = 1.5
SECTION_BOOST = 1.3
TIE_BREAK = 1e-6
SLUG_NAMES = {slug: name for name, slug in ATLAS_CITIES.items()}


@dataclass
class Filters:
    """Restrict a search to one city (name or slug), state or document type."""
    city: str | None = None
    state: str | None = None
    doc_type: str | None = None


@dataclass
class Hit:
    chunk_index: int
    score: float
    dense_score: float = 0.0
    bm25_score: float = 0.0


@dataclass
class SearchResult:
    hits: list[Hit]
    cities: list[str] = field(default_factory=list)  # cities named in the question
    sections: set[str] = field(default_factory=set)  # profile sections the question points to


class Retriever:
    """Searches one loaded index.

    >>> retriever.search("Wer sind Ulms Partner?", query_vector, mode="hybrid", top_k=5)
    """

    def __init__(self, index: IndexData, detector: CityDetector | None = None, rrf_k: int = 60,
                 dense_weight: float = 1.0, bm25_weight: float = 1.0):
        self.index = index
        self.detector = detector or CityDetector()
        self.rrf_k, self.dense_weight, self.bm25_weight = rrf_k, dense_weight, bm25_weight
        chunks = index.chunks
        self._city = np.array([c.city or "" for c in chunks], dtype=object)
        self._state = np.array([c.state or "" for c in chunks], dtype=object)
        self._type = np.array([c.doc_type for c in chunks], dtype=object)
        self.cities = sorted({c.city for c in chunks if c.city})
        self._mentions = [set(self.detector.detect(strip_markers(c.text))) if not c.city else set() for c in chunks]
        self._city_masks: dict[str, np.ndarray] = {}
        self._indexed = {name.lower(): name for name in self.cities}
        self.states = sorted({c.state for c in chunks if c.state})
        self.doc_types = sorted({c.doc_type for c in chunks})

    def resolve_city(self, city: str) -> str | None:
        """The indexed city name for a name or slug given by a caller, or None."""
        name = SLUG_NAMES.get(city.lower(), city)
        return self._indexed.get(name.lower())

    def _city_mask(self, city: str) -> np.ndarray:
        """The city's own chunks and the context chunks that name it; computed once per city."""
        if city not in self._city_masks:
            mentioned = np.array([city in names for names in self._mentions], dtype=bool)
            self._city_masks[city] = (self._city == city) | mentioned
        return self._city_masks[city]

    def _mask(self, filters: Filters, question_cities: list[str]) -> np.ndarray | None:
        mask = np.ones(len(self.index.chunks), dtype=bool)
        city = self.resolve_city(filters.city) if filters.city else None
        if filters.city and city is None:
            raise ValueError(f"unknown city {filters.city!r}")
        if city is None and len(question_cities) == 1:
            city = question_cities[0]
        if city:
            mask &= self._city_mask(city)
        if filters.state:
            if filters.state not in self.states:
                raise ValueError(f"unknown state {filters.state!r}")
            mask &= self._state == filters.state
        if filters.doc_type:
            if filters.doc_type not in self.doc_types:
                raise ValueError(f"unknown document type {filters.doc_type!r}")
            mask &= self._type == filters.doc_type
        return None if mask.all() else np.flatnonzero(mask)

    def search(self, question: str, query_vector: np.ndarray | None, mode: str = "hybrid",
               top_k: int = 8, filters: Filters | None = None) -> SearchResult:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        if mode != "bm25" and query_vector is None:
            raise ValueError(f"mode {mode!r} needs the question's embedding")
        question_cities = self.detector.detect(question)
        about_one_city = len(question_cities) == 1 or bool(filters and filters.city)
        sections = question_sections(question) if about_one_city else set()  # profile sections only
        allowed = self._mask(filters or Filters(), question_cities)
        if allowed is not None and len(allowed) == 0:
            return SearchResult([], question_cities, sections)
        depth = max(top_k * 4, 40)
        dense_ids, dense_scores = (self.index.dense.search(query_vector, depth, allowed)
                                   if mode != "bm25" else (np.array([], int), np.array([])))
        bm25_ids, bm25_scores = (self.index.lexical.search(question, depth, allowed)
                                 if mode != "dense" else (np.array([], int), np.array([])))
        dense_of = dict(zip(dense_ids.tolist(), dense_scores.tolist()))
        bm25_of = dict(zip(bm25_ids.tolist(), bm25_scores.tolist()))
        if mode == "dense":
            scores = dict(dense_of)  # a copy: the boosts below must not change the reported raw scores
        elif mode == "bm25":
            scores = dict(bm25_of)
        else:
            scores = reciprocal_rank_fusion(
                [(dense_ids.tolist(), self.dense_weight), (bm25_ids.tolist(), self.bm25_weight)], self.rrf_k)
            # equal ranks tie in RRF: let the size of each lead decide, at a scale far below a rank step
            top_bm25 = max(bm25_of.values(), default=0.0) or 1.0
            for item in scores:
                scores[item] += TIE_BREAK * (dense_of.get(item, 0.0) + bm25_of.get(item, 0.0) / top_bm25)
        for item in scores:
            chunk = self.index.chunks[item]
            if len(question_cities) > 1 and not (filters and filters.city) and chunk.city in question_cities:
                scores[item] *= MULTI_CITY_BOOST  # several cities named: favour their documents, keep all others
            if section_matches(chunk.section, sections):
                scores[item] *= SECTION_BOOST
        ranked = sorted(scores, key=lambda item: -scores[item])[:top_k]
        hits = [Hit(item, float(scores[item]), float(dense_of.get(item, 0.0)), float(bm25_of.get(item, 0.0)))
                for item in ranked]
        return SearchResult(hits, question_cities, sections)
