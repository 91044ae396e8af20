"""Extractive answers: pick the best evidence sentences, number their sources, or abstain."""

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from qa_service.answer.language import PHRASES
from qa_service.index.german import GermanAnalyzer
from qa_service.index.store import IndexData
from qa_service.ingest.chunking import embedding_text
from qa_service.ingest.markers import strip_markers
from qa_service.retrieve.cities import CityDetector
from qa_service.retrieve.intent import section_matches
from qa_service.models import Citation, CitationSource
from qa_service.retrieve.retriever import Hit

SNIPPET_CHARS = 600
NEAR_DUPLICATE = 0.9
CANDIDATE_CHUNKS = 6
COVERAGE_CHUNKS = 5
SECTION_BONUS = 0.1
ANSWER_TYPE_BONUS = 0.08
GENERIC_NOUNS = frozenset({"stadt", "städte", "smart", "city", "cities", "digitalisierung", "projekt", "projekte"})
WORD = re.compile(r"[\wÄÖÜäöüß-]+")
NUMBER = re.compile(r"\d|(?<!\w)(zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwanzig|dreißig|vierzig|"
                    r"fünfzig|hundert|tausend|dutzend)(?!\w)|million|milliard", re.IGNORECASE)
DATE = re.compile(r"(?<!\d)(1[89]|20)\d\d(?!\d)|januar|februar|märz|april|mai|juni|juli|august|september|"
                  r"oktober|november|dezember|frühjahr|sommer|herbst|winter", re.IGNORECASE)
TIME_QUESTION = re.compile(r"(?<!\w)(wann|seit wann|bis wann|in welchem jahr|welches jahr|when|since when)(?!\w)",
                           re.IGNORECASE)
QUANTITY_QUESTION = re.compile(r"(?<!\w)(wie ?viele?|wie hoch|was kostet|wie teuer|wie gro(ß|ss)|anzahl|how (many|much))(?!\w)",
                               re.IGNORECASE)


@dataclass
class Evidence:
    sentence_index: int
    chunk_index: int
    score: float


@dataclass
class ComposedAnswer:
    text: str
    abstained: bool
    citations: list[Citation]


class AnswerComposer:
    """Scores the sentences of the top passages against the question and writes the answer."""

    def __init__(self, index: IndexData, analyzer: GermanAnalyzer, detector: CityDetector, max_sentences: int = 3,
                 abstain_threshold: float = 0.48, missing_term_threshold: float = 0.52,
                 abstain_threshold_en: float = 0.4, lexical_weight: float = 0.4, cutoff: float = 0.8):
        self.index, self.analyzer, self.detector = index, analyzer, detector
        self.max_sentences = max_sentences
        self.abstain_threshold, self.missing_term_threshold = abstain_threshold, missing_term_threshold
        self.abstain_threshold_en, self.lexical_weight = abstain_threshold_en, lexical_weight
        self.cutoff = cutoff
        self._sentences_of: dict[int, list[int]] = {}
        for position, sentence in enumerate(index.sentences):
            self._sentences_of.setdefault(sentence.chunk_index, []).append(position)
        # a sentence also "contains" its section's words: "Partner" matches the Partnernetzwerk section
        section_tokens = [set(analyzer.tokens(chunk.section or "")) for chunk in index.chunks]
        self._sentence_tokens = [set(analyzer.tokens(s.text)) | section_tokens[s.chunk_index]
                                 for s in index.sentences]
        self._chunk_tokens = [set(analyzer.tokens(embedding_text(chunk))) for chunk in index.chunks]
        counts = Counter(token for tokens in self._sentence_tokens for token in tokens)
        total = len(self._sentence_tokens) + 1
        self._idf = {token: math.log(total / (count + 0.5)) for token, count in counts.items()}
        self._unseen_idf = math.log(total / 0.5)

    def _overlap(self, question_tokens: set[str], sentence_tokens: set[str]) -> float:
        """Share of the question's words found in the sentence, rare words counting more (IDF)."""
        weights = {token: self._idf.get(token, self._unseen_idf) for token in question_tokens}
        total = sum(weights.values())
        return sum(w for token, w in weights.items() if token in sentence_tokens) / total if total else 0.0

    def missing_terms(self, question: str, hits: list[Hit]) -> list[str]:
        """Nouns of a German question (capitalised words) that none of the top passages mention.

        A compound counts as mentioned when its head does ("Stadtverwaltung" by "Verwaltung").
        """
        found = set().union(*(self._chunk_tokens[hit.chunk_index] for hit in hits[:COVERAGE_CHUNKS]))
        missing = []
        for position, word in enumerate(WORD.findall(question)):
            if position == 0 or not (word[0].isupper() or any(c.isdigit() for c in word)):
                continue
            if word.lower() in GENERIC_NOUNS or self.detector.detect(word):
                continue
            tokens = self.analyzer.tokens(word)
            if tokens and not (tokens[0] in found or tokens[-1] in found or all(t in found for t in tokens)):
                missing.append(word)
        return missing

    def should_abstain(self, question: str, language: str, hits: list[Hit], evidence: list[Evidence]) -> bool:
        """Too weak evidence; fairly weak evidence that does not mention what the question asks about;
        or, for a question that asks for a number ("Wie viele Mitarbeiter …"), best evidence without one."""
        evidence_score = evidence[0].score if evidence else 0.0
        if QUANTITY_QUESTION.search(question) and evidence and not NUMBER.search(
                self.index.sentences[evidence[0].sentence_index].text):
            return True
        if language != "de":
            return evidence_score < self.abstain_threshold_en
        if evidence_score < self.abstain_threshold:
            return True
        if evidence_score >= self.missing_term_threshold:
            return False
        return bool(self.missing_terms(question, hits))

    def score_evidence(self, question: str, query_vector: np.ndarray, hits: list[Hit],
                       ignore_terms: list[str], language: str = "de", sections: set[str] = frozenset()
                       ) -> list[Evidence]:
        """Every sentence of the top passages, best first.

        German questions are scored by meaning and shared (stemmed) words; English questions share
        no words with the German corpus, so meaning alone scores them.
        """
        lexical_weight = self.lexical_weight if language == "de" else 0.0
        semantic_weight = 1.0 - lexical_weight
        wanted = DATE if TIME_QUESTION.search(question) else NUMBER if QUANTITY_QUESTION.search(question) else None
        ignored = {token for term in ignore_terms for token in self.analyzer.tokens(term)}
        question_tokens = set(self.analyzer.tokens(question)) - ignored
        evidence = []
        for rank, hit in enumerate(self._candidates(hits, ignore_terms)):
            positions = self._sentences_of.get(hit.chunk_index, [])
            if not positions:
                continue
            bonus = SECTION_BONUS if section_matches(self.index.chunks[hit.chunk_index].section, sections) else 0.0
            semantic = self.index.sentence_vectors[positions] @ query_vector
            for position, similarity in zip(positions, semantic.tolist()):
                overlap = self._overlap(question_tokens, self._sentence_tokens[position])
                fits = wanted is not None and wanted.search(self.index.sentences[position].text)
                score = (semantic_weight * similarity + lexical_weight * overlap + bonus
                         + (ANSWER_TYPE_BONUS if fits else 0.0)) * (1 - 0.03 * rank)
                evidence.append(Evidence(position, hit.chunk_index, score))
        return sorted(evidence, key=lambda item: -item.score)

    def _candidates(self, hits: list[Hit], cities: list[str]) -> list[Hit]:
        """The top passages; when a question names several cities, those cities' passages (the best
        two of each at least) and context documents, not other cities'."""
        if len(cities) < 2:
            return hits[:CANDIDATE_CHUNKS]
        relevant = [hit for hit in hits if self.index.chunks[hit.chunk_index].city in (*cities, None)]
        chosen = relevant[:CANDIDATE_CHUNKS]
        for city in cities:
            chosen += [hit for hit in relevant if self.index.chunks[hit.chunk_index].city == city][:2]
        return list({hit.chunk_index: hit for hit in chosen}.values())

    def _select(self, evidence: list[Evidence], cities: list[str]) -> list[Evidence]:
        """The best sentences, without near-duplicates; with several cities named, each city's best first."""
        best = evidence[0].score
        candidates = [item for item in evidence if item.score >= best * self.cutoff]
        if len(cities) > 1:
            firsts = [next((item for item in evidence if self.index.chunks[item.chunk_index].city == city), None)
                      for city in cities]
            candidates = [item for item in firsts if item is not None] + candidates
        chosen: list[Evidence] = []
        for item in candidates:
            if len(chosen) == self.max_sentences:
                break
            vector = self.index.sentence_vectors[item.sentence_index]
            if item in chosen or any(float(vector @ self.index.sentence_vectors[c.sentence_index]) > NEAR_DUPLICATE
                                     for c in chosen):
                continue
            chosen.append(item)
        return chosen

    def compose(self, question: str, query_vector: np.ndarray, hits: list[Hit], language: str = "de",
                ignore_terms: list[str] = (), sections: set[str] = frozenset()) -> ComposedAnswer:
        evidence = self.score_evidence(question, query_vector, hits, list(ignore_terms), language, sections)
        if self.should_abstain(question, language, hits, evidence):
            citations = [self._citation(n, hit.chunk_index, hit.score, None)
                         for n, hit in enumerate(hits[:3], start=1)]
            return ComposedAnswer(PHRASES[language]["abstain"], True, citations)
        numbers: dict[int, int] = {}
        used_sources: dict[int, list[str]] = {}
        parts = []
        for item in self._select(evidence, list(ignore_terms)):
            sentence = self.index.sentences[item.sentence_index]
            n = numbers.setdefault(item.chunk_index, len(numbers) + 1)
            for source_id in sentence.source_ids:
                if source_id not in used_sources.setdefault(item.chunk_index, []):
                    used_sources[item.chunk_index].append(source_id)
            parts.append(f"{sentence.text} [{n}]")
        score_of = {hit.chunk_index: hit.score for hit in hits}
        citations = [self._citation(n, chunk_index, score_of[chunk_index], used_sources.get(chunk_index))
                     for chunk_index, n in numbers.items()]
        return ComposedAnswer(PHRASES[language]["lead"] + " ".join(parts), False, citations)

    def _citation(self, n: int, chunk_index: int, score: float, source_ids: list[str] | None) -> Citation:
        chunk = self.index.chunks[chunk_index]
        known = self.index.documents[chunk.doc_id].sources
        sources = [known[i] for i in (source_ids or chunk.source_ids) if i in known]
        snippet = strip_markers(chunk.text).replace("\n\n", " ")
        if len(snippet) > SNIPPET_CHARS:
            snippet = snippet[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
        return Citation(
            n=n, doc_id=chunk.doc_id, title=chunk.title, city=chunk.city, section=chunk.section,
            page=chunk.page, url=next((s.url for s in sources if s.url), None), snippet=snippet,
            score=round(score, 6),
            sources=[CitationSource(url=s.url, title=s.title, date=s.date, publication=s.publication)
                     for s in sources])
